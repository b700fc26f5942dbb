/**
 * One start-up measurement of the compiled bot (`npm run build`, then `node dist/…`), run as its own
 * process by bench/run.ts:  node bench/startup-built.mjs KNOWLEDGE_DIR SNAPSHOT_FILE
 * Prints one JSON line like bench/startup.ts: time to ready since the process started, when the imports
 * were done, the engine's open time, the first answer's time and where the index came from.
 */
import { AnswerEngine } from "../dist/answer/engine.js";

const [dir, snapshot] = process.argv.slice(2);
if (!dir || !snapshot) {
  process.stderr.write("usage: node bench/startup-built.mjs KNOWLEDGE_DIR SNAPSHOT_FILE\n");
  process.exit(2);
}
const start = performance.now();
const engine = await AnswerEngine.open(dir, { snapshot });
const opened = performance.now();
const answered = engine.ask("What is ownership?").answered;
const readyMs = performance.now();
process.stdout.write(`${JSON.stringify({ readyMs, importedMs: start, openMs: opened - start, firstAnswerMs: readyMs - opened, source: engine.lastLoad.source, passages: engine.lastLoad.passages, answered, logs: [] })}\n`);
await engine.close();
