/**
 * One start-up measurement of the compiled bot (`npm run build`, then `node dist/…`), run as its own
 * process by bench/run.ts:  node bench/startup-built.mjs KNOWLEDGE_DIR SNAPSHOT_FILE [--threaded]
 * With --threaded the engine answers in a worker thread, as the Discord bot runs it (ThreadedEngine);
 * without, in this thread, as the terminal does. Prints one JSON line like bench/startup.ts: time to
 * ready since the process started, when the imports were done, the engine's open time, the first
 * answer's time and where the index came from.
 */
import { AnswerEngine } from "../dist/answer/engine.js";
import { ThreadedEngine } from "../dist/answer/threaded.js";

const [dir, snapshot, flag] = process.argv.slice(2);
if (!dir || !snapshot || (flag !== undefined && flag !== "--threaded")) {
  process.stderr.write("usage: node bench/startup-built.mjs KNOWLEDGE_DIR SNAPSHOT_FILE [--threaded]\n");
  process.exit(2);
}
const start = performance.now();
const engine = flag ? await ThreadedEngine.open(dir, { snapshot }) : await AnswerEngine.open(dir, { snapshot });
const opened = performance.now();
const answered = (await engine.ask("What is ownership?")).answered;
const readyMs = performance.now();
process.stdout.write(
  `${JSON.stringify({ readyMs, importedMs: start, openMs: opened - start, firstAnswerMs: readyMs - opened, source: engine.lastLoad.source, passages: engine.lastLoad.passages, answered, logs: [] })}\n`,
);
await engine.close();
