/**
 * One start-up measurement, run as its own process by bench/run.ts:
 *   node --import tsx bench/startup.ts KNOWLEDGE_DIR SNAPSHOT_FILE [--threaded]
 * Opens the engine the way the bot does (minus the Discord login) and prints one JSON line:
 * time to ready since the process started (Node, tsx and module loading included), when the imports were
 * done, the engine's open time alone, the first answer's time, where the index came from, and the
 * engine's log lines.
 */
import { AnswerEngine } from "../src/answer/engine.ts";
import type { AnswerService } from "../src/answer/service.ts";
import { ThreadedEngine } from "../src/answer/threaded.ts";
import { createLogger } from "../src/log.ts";

const [dir, snapshot] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
if (!dir || !snapshot) {
  process.stderr.write("usage: node --import tsx bench/startup.ts KNOWLEDGE_DIR SNAPSHOT_FILE [--threaded]\n");
  process.exit(2);
}
const threaded = process.argv.includes("--threaded");
const logs: string[] = [];
const logger = createLogger("info", (line) => logs.push(line));

// Static imports are done by now: everything before this point is Node, tsx and loading the modules.
const start = performance.now();
const engine: AnswerService = threaded ? await ThreadedEngine.open(dir, { snapshot, logger }) : await AnswerEngine.open(dir, { snapshot, logger });
const opened = performance.now();
// Ready means able to answer: one question answered proves it (and is part of the cost).
const answered = (await engine.ask("What is ownership?")).answered;
const readyMs = performance.now();
process.stdout.write(
  `${JSON.stringify({ readyMs, importedMs: start, openMs: opened - start, firstAnswerMs: readyMs - opened, source: engine.lastLoad.source, passages: engine.lastLoad.passages, answered, logs })}\n`,
);
await engine.close();
