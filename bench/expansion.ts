/**
 * What the vocabulary bridge costs (the expansion table from WordNet, word vectors and the operator's
 * synonyms, src/search/expansion.ts), side by side with it off, in one process: index build time, the
 * index's share of the snapshot, time per question, and what it buys on the blind question set.
 * Builds alternate (on, off, on, off…) so that a busy stretch of a shared machine hits both alike.
 *
 *   node --expose-gc --import tsx bench/expansion.ts [DIR BLIND_SET] (default: the Rust book)
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { answer } from "../src/answer/ask.ts";
import { parseBlindSet, scoreAnswers } from "../src/answer/evaluate.ts";
import { hygieneCleaner } from "../src/knowledge/clean.ts";
import { loadKnowledge } from "../src/knowledge/load.ts";
import { Lexicon } from "../src/search/lexicon.ts";
import { KnowledgeIndex } from "../src/search/index.ts";
import { ROOT } from "./corpora.ts";
import { collect, fmt, median, p99, table } from "./stats.ts";

export interface ExpansionSide {
  buildMs: number;
  buildRuns: number[];
  /** Bytes of the index's JSON in the snapshot (the documents' part is the same either way). */
  indexBytes: number;
  /** Entries in the expansion table. */
  expandedWords: number;
  perQuestionP50Ms: number;
  perQuestionP99Ms: number;
  hit1: number;
  hit3: number;
  paraphrasedHit1: number;
  noAnswerDeclined: string;
}

export interface ExpansionCost {
  corpus: string;
  set: string;
  questions: number;
  passages: number;
  /** Reading the lexicon's files, once per process (the first build pays it); measured on a fresh read. */
  lexiconLoadMs: number;
  on: ExpansionSide;
  off: ExpansionSide;
}

export async function expansionCost(dir: string, setFile: string, builds = 5, reps = 5): Promise<ExpansionCost> {
  const set = parseBlindSet(JSON.parse(readFileSync(setFile, "utf8")), path.basename(setFile, ".json"));
  const { documents } = await loadKnowledge(dir, { cleaner: hygieneCleaner() });
  const started = performance.now();
  Lexicon.load();
  const lexiconLoadMs = performance.now() - started;

  const runs = { on: [] as number[], off: [] as number[] };
  const indexes: Partial<Record<"on" | "off", KnowledgeIndex>> = {};
  for (let i = 0; i < builds; i++) {
    for (const side of ["on", "off"] as const) {
      collect();
      const t = performance.now();
      indexes[side] = KnowledgeIndex.build(documents, { expansion: side === "on" });
      runs[side].push(performance.now() - t);
    }
  }

  const side = (name: "on" | "off"): ExpansionSide => {
    const index = indexes[name];
    if (!index) throw new Error(`bench: Expected an index built with expansion ${name}, got none`);
    const json = index.toJSON();
    const times: number[] = [];
    let answers = set.questions.map((q) => answer(index, q.q, { top: 5 }));
    for (let r = 0; r < reps; r++) {
      answers = set.questions.map((q) => {
        const t = performance.now();
        const a = answer(index, q.q, { top: 5 });
        times.push(performance.now() - t);
        return a;
      });
    }
    const s = scoreAnswers(set.questions, answers);
    const para = scoreAnswers(
      set.questions.filter((q) => q.kind === "paraphrased"),
      answers.filter((_, i) => set.questions[i]?.kind === "paraphrased"),
    );
    return {
      buildMs: median(runs[name]),
      buildRuns: runs[name],
      indexBytes: Buffer.byteLength(JSON.stringify(json)),
      expandedWords: Object.keys(json.expansions).length,
      perQuestionP50Ms: median(times),
      perQuestionP99Ms: p99(times),
      hit1: s.hit1,
      hit3: s.hit3,
      paraphrasedHit1: para.hit1,
      noAnswerDeclined: `${s.abstained}/${s.unanswerable}`,
    };
  };
  return {
    corpus: path.relative(ROOT, dir),
    set: set.name,
    questions: set.questions.length,
    passages: indexes.on?.size ?? 0,
    lexiconLoadMs,
    on: side("on"),
    off: side("off"),
  };
}

export /** The expansion table's cost and gain, on and off side by side (bench/expansion.ts). */
function expansionTable(e: ExpansionCost): string {
  const row = (name: string, f: (s: ExpansionCost["on"]) => string | number) => [
    name,
    f(e.on),
    f(e.off),
    typeof f(e.on) === "number" && f(e.off) ? `${((f(e.on) as number) / (f(e.off) as number)).toFixed(2)}×` : "",
  ];
  return table(
    `Expansion (WordNet, word vectors, synonyms) on and off: ${e.corpus}, ${e.passages} passages, blind set ${e.set} (${e.questions} questions, all splits); lexicon read once per process in ${fmt(e.lexiconLoadMs)} ms`,
    ["", "on", "off", "on / off"],
    [
      row("index build, median ms", (s) => s.buildMs),
      row("index in the snapshot, MB", (s) => s.indexBytes / 1e6),
      row("expanded words", (s) => s.expandedWords),
      row("per question p50 ms", (s) => s.perQuestionP50Ms),
      row("per question p99 ms", (s) => s.perQuestionP99Ms),
      row("Hit@1", (s) => s.hit1.toFixed(2)),
      row("Hit@3", (s) => s.hit3.toFixed(2)),
      row("paraphrased Hit@1", (s) => s.paraphrasedHit1.toFixed(2)),
      row("no-answer declined", (s) => s.noAnswerDeclined),
    ],
  );
}

if (import.meta.filename === process.argv[1]) {
  const [dir = path.join(ROOT, "../shared/corpora/rust-book/src"), setFile = path.join(ROOT, "bench/eval/rust-book.json")] = process.argv.slice(2);
  console.log(expansionTable(await expansionCost(path.resolve(dir), path.resolve(setFile))));
}
