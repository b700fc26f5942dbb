/**
 * Ranking parameter sweep: `npx tsx bench/tune.ts [--split tune] [--misses] [name=v1,v2 …]`.
 *
 * Loads each knowledge folder once and scores every combination of the given values on the `tune`
 * halves of the blind sets (bench/eval), with the shared dev sets as a guard that nothing they check
 * breaks. Tune only on `tune`: the README reports `test`, which no default was chosen on.
 * Names are Ranking fields (src/answer/ask.ts), `boost.<field>`, `bm25.<k|b|d>`, or `expansion.<field>`
 * and `expansion.relation.<r>` (src/search/expansion.ts; these rebuild the expansion table).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { AnswerEngine } from "../src/answer/engine.ts";
import type { Ranking } from "../src/answer/ask.ts";
import { parseBlindSet, parseEvalSet, scoreAnswers, summarise, type EvalOutcome, type EvalQuestion } from "../src/answer/evaluate.ts";
import { DEFAULT_EXPANSION, type ExpansionWeights } from "../src/search/expansion.ts";
import { BM25, FIELD_BOOSTS } from "../src/search/index.ts";
import { ROOT, RUST_DIR, SHARED } from "./corpora.ts";

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { split: { type: "string" }, misses: { type: "boolean" }, set: { type: "string" } },
});
const split = flags.split ?? "tune";

interface TuneSet {
  name: string;
  dir: string;
  questions: EvalQuestion[];
  guard: boolean;
}
const sets: TuneSet[] = [];
const evalDir = path.join(ROOT, "bench/eval");
for (const file of ["seed", "rust-book", "vite-docs", "18f-handbook", "discordjs-guide", "obsidian-help"]) {
  const set = parseBlindSet(JSON.parse(readFileSync(path.join(evalDir, `${file}.json`), "utf8")), file);
  const dir = path.resolve(ROOT, set.knowledge);
  if (!existsSync(dir) || (flags.set && flags.set !== file)) continue;
  sets.push({ name: file, dir, questions: set.questions.filter((q) => split === "all" || q.split === split), guard: false });
}
const guards = [
  { name: "dev", file: path.join(SHARED, "eval/questions.dev.json"), dir: path.join(ROOT, "knowledge") },
  { name: "rust-dev", file: path.join(SHARED, "eval/questions.rust-book.json"), dir: RUST_DIR },
];
for (const g of guards)
  if (!flags.set && existsSync(g.file))
    sets.push({ name: g.name, dir: g.dir, questions: parseEvalSet(JSON.parse(readFileSync(g.file, "utf8")), g.file), guard: true });

const engines = new Map<string, AnswerEngine>();
for (const s of sets) if (!engines.has(s.dir)) engines.set(s.dir, await AnswerEngine.open(s.dir, {}));

type Grid = Record<string, number[]>;
const grid: Grid = {};
for (const arg of positionals) {
  const [name, list] = arg.split("=");
  if (name && list) grid[name] = list.split(",").map(Number);
}

function* combinations(g: Grid): Generator<Record<string, number>> {
  const keys = Object.keys(g);
  if (keys.length === 0) {
    yield {};
    return;
  }
  const [first, ...rest] = keys as [string, ...string[]];
  const restGrid = Object.fromEntries(rest.map((k) => [k, g[k] ?? []]));
  for (const v of g[first] ?? []) for (const c of combinations(restGrid)) yield { [first]: v, ...c };
}

function settings(c: Record<string, number>): { ranking: Partial<Ranking>; expansion?: ExpansionWeights } {
  const r: Partial<Ranking> = {};
  const boost: Record<string, number> = { ...FIELD_BOOSTS };
  const bm25 = { ...BM25 };
  let expansion: ExpansionWeights | undefined;
  for (const [k, v] of Object.entries(c)) {
    if (k.startsWith("boost.")) boost[k.slice(6)] = v;
    else if (k.startsWith("bm25.")) (bm25 as Record<string, number>)[k.slice(5)] = v;
    else if (k.startsWith("expansion.")) {
      expansion ??= { ...DEFAULT_EXPANSION, relation: { ...DEFAULT_EXPANSION.relation } };
      const field = k.slice(10);
      if (field.startsWith("relation.")) (expansion.relation as Record<string, number>)[field.slice(9)] = v;
      else (expansion as unknown as Record<string, number>)[field] = v;
    } else (r as Record<string, number>)[k] = v;
  }
  return { ranking: { ...r, boost, bm25 }, ...(expansion ? { expansion } : {}) };
}

const f2 = (x: number) => x.toFixed(2);
for (const c of combinations(grid)) {
  const { ranking, expansion } = settings(c);
  const cells: string[] = [];
  const blind: EvalOutcome[] = [];
  for (const s of sets) {
    const engine = engines.get(s.dir)!;
    if (expansion) engine.index.rebuildExpansions(expansion);
    const answers = s.questions.map((q) => engine.ask(q.q, { top: 5, ranking }));
    const score = scoreAnswers(s.questions, answers);
    if (!s.guard) blind.push(...score.outcomes);
    cells.push(`${s.name} ${f2(score.hit1)}`);
    if (flags.misses) {
      for (const o of score.outcomes) {
        if (o.question.expect ? o.rank === 1 : !o.answered) continue;
        const a = answers[score.outcomes.indexOf(o)];
        const top = a?.results[0];
        console.log(
          `  ${s.name} ${o.question.id} [${o.question.kind ?? "dev"}] ${o.question.q}\n     want ${JSON.stringify(o.question.expect)} rank ${o.rank ?? "-"}; got ${a?.answered ? "answer" : (a?.reason ?? "")} ${top ? `${top.source.path}:${top.source.line} ${top.answer.slice(0, 90).replace(/\s+/g, " ")}` : ""}`,
        );
      }
    }
  }
  const all = summarise(blind);
  const para = summarise(blind.filter((o) => o.question.kind === "paraphrased"));
  const casual = summarise(blind.filter((o) => o.question.kind === "casual"));
  console.log(
    `${JSON.stringify(c)} | ${split}: Hit@1 ${f2(all.hit1)} Hit@3 ${f2(all.hit3)} para ${f2(para.hit1)} casual ${f2(casual.hit1)} declined ${all.falseAbstentions}/${all.answerable} no-answer declined ${all.abstained}/${all.unanswerable} | ${cells.join(" ")}`,
  );
  if (expansion) for (const e of engines.values()) e.index.rebuildExpansions(DEFAULT_EXPANSION);
}
