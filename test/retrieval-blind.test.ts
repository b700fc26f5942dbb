/**
 * Retrieval regression on the tune halves of the blind question sets (bench/eval/*.json): questions
 * written by helpers that saw only the documents, close to the docs' wording, paraphrased and typed
 * casually, plus questions with no answer. Scored as `npm run eval -- --all --split tune` scores them.
 *
 * Each floor sits about three questions below what was measured (2026-12-02, commit after the
 * synonyms-file change): a gate that passes by one question would be a gate that was tuned. The test
 * halves are never asserted on; the README reports them.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { AnswerEngine } from "../src/answer/engine.ts";
import { parseBlindSet, scoreAnswers, summarise, type EvalOutcome, type EvalSummary } from "../src/answer/evaluate.ts";
import type { Answer } from "../src/answer/types.ts";

const REPO = path.resolve(import.meta.dirname, "..");
const SETS = path.join(REPO, "bench", "eval");

interface Floors {
  /** Measured on the tune half, for the message. */
  measured: string;
  hit1: number;
  hit3: number;
  /** Most answerable questions declined. */
  maxDeclined: number;
  /** Fewest no-answer questions declined. */
  minAbstained: number;
  /** The knowledge lives outside ../shared (fetched documentation, not committed): skipped when missing. */
  optional?: boolean;
}

const FLOORS: Record<string, Floors> = {
  seed: { measured: "Hit@1 0.77, Hit@3 0.85, declined 7/26, no-answer declined 5/6", hit1: 0.65, hit3: 0.73, maxDeclined: 10, minAbstained: 3 },
  "rust-book": { measured: "Hit@1 0.58, Hit@3 0.67, declined 0/33, no-answer declined 6/8", hit1: 0.49, hit3: 0.58, maxDeclined: 3, minAbstained: 4 },
  "vite-docs": { measured: "Hit@1 0.48, Hit@3 0.67, declined 0/33, no-answer declined 5/8", hit1: 0.39, hit3: 0.58, maxDeclined: 3, minAbstained: 3 },
  "18f-handbook": { measured: "Hit@1 0.58, Hit@3 0.70, declined 3/33, no-answer declined 4/8", hit1: 0.49, hit3: 0.61, maxDeclined: 6, minAbstained: 2 },
  "discordjs-guide": {
    measured: "Hit@1 0.55, Hit@3 0.76, declined 1/33, no-answer declined 5/8",
    hit1: 0.46,
    hit3: 0.67,
    maxDeclined: 4,
    minAbstained: 3,
    optional: true,
  },
  "obsidian-help": {
    measured: "Hit@1 0.67, Hit@3 0.79, declined 0/33, no-answer declined 5/8",
    hit1: 0.58,
    hit3: 0.7,
    maxDeclined: 3,
    minAbstained: 3,
    optional: true,
  },
};

/** Across the four sets CI always has (measured: Hit@1 0.59 over 125 answerable questions). */
const SHARED_SETS_HIT1 = 0.54;

interface Run {
  summary: EvalSummary;
  answers: Answer[];
}

const runs = new Map<string, Promise<Run | undefined>>();

/** The tune half of one set, asked as `npm run eval` asks (top 5); undefined when an optional folder is missing. */
function tuneHalf(name: string): Promise<Run | undefined> {
  let run = runs.get(name);
  if (!run) {
    run = (async () => {
      const file = path.join(SETS, `${name}.json`);
      const set = parseBlindSet(JSON.parse(await readFile(file, "utf8")), name);
      const dir = path.resolve(REPO, set.knowledge);
      if (!existsSync(dir)) {
        if (FLOORS[name]?.optional) return undefined;
        assert.fail(`${name}: knowledge not found at ${dir}; these regression tests need ../shared beside the repository, as CI lays it out`);
      }
      const questions = set.questions.filter((q) => q.split === "tune");
      const engine = await AnswerEngine.open(dir);
      const answers = questions.map((q) => engine.ask(q.q, { top: 5 }));
      return { summary: scoreAnswers(questions, answers), answers };
    })();
    runs.set(name, run);
  }
  return run;
}

function figures(s: EvalSummary): string {
  return `Hit@1 ${s.hit1.toFixed(2)}, Hit@3 ${s.hit3.toFixed(2)}, declined ${s.falseAbstentions}/${s.answerable}, no-answer declined ${s.abstained}/${s.unanswerable}`;
}

function misses(run: Run, missed: (o: EvalOutcome) => boolean): string {
  return run.summary.outcomes
    .map((o, i) => ({ o, a: run.answers[i] }))
    .filter(({ o }) => missed(o))
    .map(
      ({ o, a }) =>
        `  ${o.question.id} [${o.question.kind}] ${JSON.stringify(o.question.q)}: ${o.rank ? `rank ${o.rank}` : a?.answered ? `top ${a.results[0]?.source.path}` : `declined (${a?.reason})`}`,
    )
    .join("\n");
}

for (const [name, floors] of Object.entries(FLOORS)) {
  describe(`blind questions, tune half of ${name}`, () => {
    test(`Hit@1 at least ${floors.hit1} and Hit@3 at least ${floors.hit3} (measured: ${floors.measured})`, async (t) => {
      const run = await tuneHalf(name);
      if (!run) return t.skip(`${name}: its fetched knowledge is not beside the repository (see its "obtain" in bench/eval/${name}.json)`);
      t.diagnostic(`${name} tune: ${figures(run.summary)}`);
      assert.ok(
        run.summary.hit1 >= floors.hit1,
        `${name}: Hit@1 ${run.summary.hit1.toFixed(3)} < ${floors.hit1}; not at rank 1:\n${misses(run, (o) => Boolean(o.question.expect) && o.rank !== 1)}`,
      );
      assert.ok(
        run.summary.hit3 >= floors.hit3,
        `${name}: Hit@3 ${run.summary.hit3.toFixed(3)} < ${floors.hit3}; not in the top 3:\n${misses(run, (o) => Boolean(o.question.expect) && !(o.rank && o.rank <= 3))}`,
      );
    });

    test(`at most ${floors.maxDeclined} answerable questions declined, at least ${floors.minAbstained} no-answer questions declined`, async (t) => {
      const run = await tuneHalf(name);
      if (!run) return t.skip(`${name}: its fetched knowledge is not beside the repository`);
      assert.ok(
        run.summary.falseAbstentions <= floors.maxDeclined,
        `${name}: ${run.summary.falseAbstentions} answerable questions declined:\n${misses(run, (o) => Boolean(o.question.expect) && !o.answered)}`,
      );
      assert.ok(
        run.summary.abstained >= floors.minAbstained,
        `${name}: only ${run.summary.abstained} of ${run.summary.unanswerable} no-answer questions declined; answered:\n${misses(run, (o) => !o.question.expect && o.answered)}`,
      );
    });
  });
}

test(`across the four sets CI always has, Hit@1 is at least ${SHARED_SETS_HIT1} (measured 0.59)`, async () => {
  const shared = await Promise.all(["seed", "rust-book", "vite-docs", "18f-handbook"].map(tuneHalf));
  const all = summarise(shared.flatMap((run) => run?.summary.outcomes ?? []));
  assert.equal(all.answerable, 125);
  assert.ok(all.hit1 >= SHARED_SETS_HIT1, `Hit@1 ${all.hit1.toFixed(3)} < ${SHARED_SETS_HIT1}`);
});
