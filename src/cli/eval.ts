import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { AnswerEngine } from "../answer/engine.ts";
import { parseBlindSet, parseEvalSet, QUESTION_KINDS, scoreAnswers, summarise, type EvalOutcome, type EvalSet, type EvalSummary } from "../answer/evaluate.ts";
import type { Answer } from "../answer/types.ts";
import { createLogger } from "../log.ts";
import { EXIT_USAGE, exitQuietlyOnClosedPipe, loadConfigOr, openEngineOrExit } from "../startup.ts";
import { snapshotPathFor } from "../answer/builder.ts";

const USAGE = `Usage: npm run eval -- QUESTIONS.json [--knowledge DIR] [--misses]
       npm run eval -- --all [--split test|tune|all] [--set NAME] [--misses] [--json]

With a file: scores it over the knowledge folder (default KNOWLEDGE_DIR) and prints the misses, then
Hit@1, Hit@3, MRR@5, no-answer questions declined and answerable questions declined.
--all: every blind set in bench/eval/ over its own knowledge folder, per set and per kind (close,
paraphrased, casual; no-answer questions apart), then a summary across the sets. A set whose folder
is missing is skipped with a note. --split picks the half (default test: tune only on tune).
`;

/** The blind question sets, kept with the benchmarks. */
const SETS_DIR = path.resolve(import.meta.dirname, "../../bench/eval");
const REPO = path.resolve(import.meta.dirname, "../..");

function fail(message: string): never {
  process.stderr.write(`eval: ${message.replace(/^eval: /, "")}\n${USAGE}`);
  process.exit(EXIT_USAGE);
}

const f2 = (x: number) => x.toFixed(2);
const pct = (part: number, whole: number) => `${part}/${whole} (${whole ? Math.round((100 * part) / whole) : 0}%)`;

function describeMiss(o: EvalOutcome, a: Answer | undefined): string {
  const top = a?.results[0];
  const got =
    !a || !top
      ? `declined (${a?.reason ?? "no answer"})`
      : `${a.answered ? "top" : "unsure, closest"}: ${top.source.path}:${top.source.line} “${top.answer.slice(0, 100).replace(/\s+/g, " ")}”`;
  const want = o.question.expect ? `expected ${JSON.stringify(o.question.expect)}${o.rank ? ` at rank ${o.rank}` : " (not in top 5)"}` : "expected no answer";
  return `  ${o.question.id}${o.question.kind ? ` [${o.question.kind}]` : ""} ${o.question.q}\n      ${want}; ${got}`;
}

/** A miss: an answerable question not at rank 1, or a no-answer question that got an answer. */
const isMiss = (o: EvalOutcome) => (o.question.expect ? o.rank !== 1 : o.answered);

async function scoreFile(file: string, knowledge: string | undefined, showMisses: boolean): Promise<void> {
  let questions;
  try {
    questions = parseEvalSet(JSON.parse(await readFile(file, "utf8")), file);
  } catch (error) {
    fail((error as Error).message);
  }
  const config = loadConfigOr(fail);
  const engine = await openEngineOrExit(knowledge ?? config.knowledgeDir, {
    logger: createLogger("error", { format: "pretty" }),
    cacheDir: config.indexCacheDir,
  });
  const answers = questions.map((q) => engine.ask(q.q, { top: 5 }));
  const s = scoreAnswers(questions, answers);
  const misses = s.outcomes.filter(isMiss);
  if (misses.length && showMisses) {
    console.log("Misses:");
    for (const o of misses) console.log(describeMiss(o, answers[s.outcomes.indexOf(o)]));
    console.log("");
  }
  console.log(`Knowledge: ${engine.dir} (${engine.lastLoad.documents} documents, ${engine.lastLoad.passages} passages); ${questions.length} questions`);
  console.log(`Hit@1 ${f2(s.hit1)}  Hit@3 ${f2(s.hit3)}  MRR@5 ${f2(s.mrr5)}  (${s.answerable} answerable)`);
  console.log(`No-answer questions abstained on: ${s.abstained}/${s.unanswerable}`);
  console.log(`False abstentions: ${s.falseAbstentions}/${s.answerable}`);
}

/** Every blind set in bench/eval, by name. */
export async function readBlindSets(only?: string): Promise<EvalSet[]> {
  const files = readdirSync(SETS_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort();
  const sets: EvalSet[] = [];
  for (const file of files) {
    const name = file.replace(/\.json$/, "");
    if (only && name !== only) continue;
    sets.push(parseBlindSet(JSON.parse(await readFile(path.join(SETS_DIR, file), "utf8")), name));
  }
  if (only && !sets.length)
    fail(`Expected --set to name a set in bench/eval (${files.map((f) => f.replace(/\.json$/, "")).join(", ")}), got ${JSON.stringify(only)}`);
  return sets;
}

interface SetResult {
  set: string;
  knowledge: string;
  documents: number;
  passages: number;
  split: string;
  overall: EvalSummary;
  kinds: Record<string, EvalSummary>;
}

const row = (cells: (string | number)[], widths: number[]) =>
  cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i] ?? 0) : String(c).padStart(widths[i] ?? 0))).join("  ");

async function scoreAll(options: { split: string; only?: string; showMisses: boolean; json: boolean }): Promise<void> {
  const config = loadConfigOr(fail);
  const results: SetResult[] = [];
  const skipped: string[] = [];
  for (const set of await readBlindSets(options.only)) {
    const dir = path.resolve(REPO, set.knowledge);
    if (!existsSync(dir)) {
      skipped.push(`${set.name}: skipped, ${set.knowledge} is missing. ${set.obtain ?? ""}`.trim());
      continue;
    }
    const questions = set.questions.filter((q) => options.split === "all" || q.split === options.split);
    const engine = await AnswerEngine.open(dir, {
      logger: createLogger("error", { format: "pretty" }),
      ...(config.indexCacheDir ? { snapshot: snapshotPathFor(config.indexCacheDir, dir) } : {}),
    });
    const answers = questions.map((q) => engine.ask(q.q, { top: 5 }));
    const overall = scoreAnswers(questions, answers);
    const kinds: Record<string, EvalSummary> = {};
    for (const kind of QUESTION_KINDS) {
      const of = overall.outcomes.filter((o) => o.question.kind === kind);
      if (of.length) kinds[kind] = summarise(of);
    }
    results.push({
      set: set.name,
      knowledge: set.knowledge,
      documents: engine.lastLoad.documents,
      passages: engine.lastLoad.passages,
      split: options.split,
      overall,
      kinds,
    });
    if (options.json) continue;

    console.log(
      `${set.name}: ${questions.length} questions (${options.split}) over ${set.knowledge} (${engine.lastLoad.documents} documents, ${engine.lastLoad.passages} passages)`,
    );
    const widths = [14, 9, 6, 6, 6, 9, 7];
    console.log("  " + row(["kind", "questions", "Hit@1", "Hit@3", "MRR@5", "declined", "unsure"], widths));
    for (const kind of ["close", "paraphrased", "casual"]) {
      const s = kinds[kind];
      if (s) console.log("  " + row([kind, s.answerable, f2(s.hit1), f2(s.hit3), f2(s.mrr5), s.falseAbstentions, s.unsure], widths));
    }
    console.log(
      "  " +
        row(
          [
            "answerable",
            overall.answerable,
            f2(overall.hit1),
            f2(overall.hit3),
            f2(overall.mrr5),
            overall.falseAbstentions,
            overall.outcomes.filter((o) => o.question.expect && o.unsure).length,
          ],
          widths,
        ),
    );
    const none = overall.outcomes.filter((o) => !o.question.expect);
    const noneUnsure = none.filter((o) => o.unsure).length;
    console.log(
      `  no answer: ${none.length} questions, declined ${pct(overall.abstained, none.length)} (${overall.abstained - noneUnsure} no-match, ${noneUnsure} unsure)`,
    );
    for (const kind of ["none-offtopic", "none-uncovered"]) {
      const s = kinds[kind];
      if (s) console.log(`    ${kind}: declined ${pct(s.abstained, s.unanswerable)}`);
    }
    if (options.showMisses) {
      const misses = overall.outcomes.filter(isMiss);
      if (misses.length) console.log("  Misses:");
      for (const o of misses) console.log(describeMiss(o, answers[overall.outcomes.indexOf(o)]));
    }
    console.log("");
  }
  if (options.json) {
    const strip = (s: EvalSummary) => ({ ...s, outcomes: undefined });
    console.log(
      JSON.stringify(
        {
          split: options.split,
          sets: results.map((r) => ({ ...r, overall: strip(r.overall), kinds: Object.fromEntries(Object.entries(r.kinds).map(([k, s]) => [k, strip(s)])) })),
          skipped,
        },
        null,
        2,
      ),
    );
    return;
  }
  for (const note of skipped) console.log(note);
  if (!results.length) return;
  const all = summarise(results.flatMap((r) => r.overall.outcomes));
  const para = (outcomes: readonly EvalOutcome[]) => summarise(outcomes.filter((o) => o.question.kind === "paraphrased"));
  console.log(`Summary, ${options.split} ${options.split === "all" ? "questions" : "halves"} of ${results.length} sets (${all.outcomes.length} questions):`);
  const widths = [16, 6, 6, 6, 11, 19, 19];
  console.log("  " + row(["set", "Hit@1", "Hit@3", "MRR@5", "para Hit@1", "answerable declined", "no-answer declined"], widths));
  for (const r of [...results.map((x) => ({ name: x.set, s: x.overall })), { name: "all sets", s: all }]) {
    const s = r.s;
    console.log(
      "  " +
        row(
          [r.name, f2(s.hit1), f2(s.hit3), f2(s.mrr5), f2(para(s.outcomes).hit1), pct(s.falseAbstentions, s.answerable), pct(s.abstained, s.unanswerable)],
          widths,
        ),
    );
  }
}

async function main(): Promise<void> {
  exitQuietlyOnClosedPipe();
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        knowledge: { type: "string" },
        all: { type: "boolean" },
        set: { type: "string" },
        split: { type: "string" },
        misses: { type: "boolean" },
        "no-misses": { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (v.all || v.set) {
    const split = v.split ?? "test";
    if (!["test", "tune", "all"].includes(split)) fail(`Expected --split to be test, tune or all, got ${JSON.stringify(split)}`);
    if (parsed.positionals.length) fail(`Expected no questions file with --all, got ${JSON.stringify(parsed.positionals[0])}`);
    await scoreAll({ split, ...(v.set ? { only: v.set } : {}), showMisses: Boolean(v.misses), json: Boolean(v.json) });
    return;
  }
  const file = parsed.positionals[0];
  if (!file) fail("Expected a questions file or --all, got neither");
  await scoreFile(file, v.knowledge, !v["no-misses"]);
}

await main();
