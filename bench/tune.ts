/**
 * Ranking parameter sweep: `npx tsx bench/tune.ts [name=v1,v2 …]`. Loads each knowledge folder once and
 * scores every combination on the shared question sets (and the extra Rust-book set when present), so a
 * change of default can be judged on more than the handful of questions it was noticed on.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { AnswerEngine } from "../src/answer/engine.ts";
import type { Ranking } from "../src/answer/ask.ts";
import { parseEvalSet, scoreAnswers } from "../src/answer/evaluate.ts";
import { FIELD_BOOSTS, BM25 } from "../src/search/index.ts";
import type { SplitOptions } from "../src/knowledge/split.ts";
import { ROOT, RUST_DIR, SHARED } from "./corpora.ts";

const sets = [
  { name: "seed", file: path.join(SHARED, "eval/questions.dev.json"), dir: path.join(ROOT, "knowledge") },
  { name: "rust", file: path.join(SHARED, "eval/questions.rust-book.json"), dir: RUST_DIR },
  { name: "extra", file: path.join(ROOT, "bench/questions.rust-book.extra.json"), dir: RUST_DIR },
].filter((s) => existsSync(s.file) && existsSync(s.dir));

const split = process.env.SPLIT ? (JSON.parse(process.env.SPLIT) as SplitOptions) : undefined;
const engines = new Map<string, AnswerEngine>();
for (const s of sets) if (!engines.has(s.dir)) engines.set(s.dir, await AnswerEngine.open(s.dir, split ? { split } : {}));

type Grid = Record<string, number[]>;
const grid: Grid = {};
for (const arg of process.argv.slice(2)) {
  const [name, values] = arg.split("=");
  if (name && values) grid[name] = values.split(",").map(Number);
}

function* combinations(g: Grid): Generator<Record<string, number>> {
  const keys = Object.keys(g);
  if (keys.length === 0) return yield {};
  const [first, ...rest] = keys as [string, ...string[]];
  const restGrid = Object.fromEntries(rest.map((k) => [k, g[k] ?? []]));
  for (const v of g[first] ?? []) for (const c of combinations(restGrid)) yield { [first]: v, ...c };
}

function toRanking(c: Record<string, number>): Partial<Ranking> {
  const r: Partial<Ranking> = {};
  const boost: Record<string, number> = { ...FIELD_BOOSTS };
  const bm25 = { ...BM25 };
  for (const [k, v] of Object.entries(c)) {
    if (k.startsWith("boost.")) boost[k.slice(6)] = v;
    else if (k.startsWith("bm25.")) (bm25 as Record<string, number>)[k.slice(5)] = v;
    else (r as Record<string, number>)[k] = v;
  }
  return { ...r, boost, bm25 };
}

for (const c of combinations(grid)) {
  const ranking = toRanking(c);
  const cells: string[] = [];
  for (const s of sets) {
    const questions = parseEvalSet(JSON.parse(readFileSync(s.file, "utf8")), s.file);
    const engine = engines.get(s.dir)!;
    const score = scoreAnswers(questions, questions.map((q) => engine.ask(q.q, { top: 5, ranking })));
    cells.push(`${s.name} ${score.hit1.toFixed(2)}/${score.hit3.toFixed(2)} fa${score.falseAbstentions} ab${score.abstained}/${score.unanswerable}`);
  }
  console.log(JSON.stringify(c), "|", cells.join(" | "));
}
