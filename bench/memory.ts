/**
 * Memory and sustained throughput, run as its own process by bench/run.ts so that nothing else lives in
 * its heap:
 *   node --expose-gc --import tsx bench/memory.ts KNOWLEDGE_DIR QUESTIONS_JSON COUNT [SNAPSHOT_FILE]
 * Prints one JSON line: heap and RSS before and after loading the engine (after full GCs), then answers
 * COUNT questions back to back on this one thread (cycling through the questions file's list) and reports
 * answers per second and the heap after GC at ten checkpoints, to show growth (a leak) if any.
 */
import { readFileSync } from "node:fs";
import { AnswerEngine } from "../src/answer/engine.ts";
import { collect, hasGc } from "./stats.ts";

const [dir, questionsFile, countArg, snapshot] = process.argv.slice(2);
if (!dir || !questionsFile || !countArg) {
  process.stderr.write("usage: node --expose-gc --import tsx bench/memory.ts KNOWLEDGE_DIR QUESTIONS_JSON COUNT [SNAPSHOT_FILE]\n");
  process.exit(2);
}
if (!hasGc()) {
  process.stderr.write("bench/memory.ts: run with node --expose-gc\n");
  process.exit(2);
}
const questions = JSON.parse(readFileSync(questionsFile, "utf8")) as string[];
const count = Number(countArg);

collect();
const before = process.memoryUsage();
const engine = await AnswerEngine.open(dir, snapshot ? { snapshot } : {});
collect();
const loaded = process.memoryUsage();

// One pass fills the engine's lazy per-passage caches; growth is measured from there.
for (const q of questions) engine.ask(q);
collect();
const warm = process.memoryUsage().heapUsed;
const checkpoints: number[] = [];
const every = Math.max(1, Math.floor(count / 10));
let busyMs = 0;
let start = performance.now();
for (let i = 0; i < count; i++) {
  engine.ask(questions[i % questions.length] ?? "");
  if ((i + 1) % every === 0) {
    busyMs += performance.now() - start;
    collect();
    checkpoints.push(process.memoryUsage().heapUsed);
    start = performance.now();
  }
}
busyMs += performance.now() - start;
collect();
const after = process.memoryUsage();

process.stdout.write(
  `${JSON.stringify({
    passages: engine.lastLoad.passages,
    source: engine.lastLoad.source,
    baseline: { heapUsed: before.heapUsed, rss: before.rss },
    loaded: { heapUsed: loaded.heapUsed, rss: loaded.rss, external: loaded.external, arrayBuffers: loaded.arrayBuffers },
    questions: count,
    answersPerSecond: count / (busyMs / 1000),
    heapWarm: warm,
    heapAfter: after.heapUsed,
    rssAfter: after.rss,
    checkpoints,
  })}\n`,
);
await engine.close();
