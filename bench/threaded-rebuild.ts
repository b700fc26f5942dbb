/**
 * The bot's Discord thread while the knowledge is reloaded, run as its own process by bench/run.ts (so
 * that nothing else lives in this thread's heap, as in the bot):
 *   node --import tsx bench/threaded-rebuild.ts KNOWLEDGE_DIR SNAPSHOT_FILE TOUCH_FILE [THREADED_MODULE]
 * Opens ThreadedEngine (the engine in a worker thread, as `npm start` runs the bot) from the snapshot
 * under a 10 ms ticker, changes TOUCH_FILE, reloads under the ticker while asking a question every 10 ms,
 * and prints one JSON line: the longest gap between ticks for each (how long this thread could not have
 * served Discord) and the round trips of the questions (how long an answer was held up).
 * THREADED_MODULE (a path to another checkout's src/answer/threaded.ts) measures that code instead, for a
 * before/after comparison in one run.
 */
import { pathToFileURL } from "node:url";
import type { ThreadedEngine as Engine } from "../src/answer/threaded.ts";
import { answerDelays, rebuildGap, withTicker, type ThreadedRebuild } from "./heartbeat.ts";

const [dir, snapshot, touch, module] = process.argv.slice(2);
if (!dir || !snapshot || !touch) {
  process.stderr.write("usage: node --import tsx bench/threaded-rebuild.ts KNOWLEDGE_DIR SNAPSHOT_FILE TOUCH_FILE [THREADED_MODULE]\n");
  process.exit(2);
}
const { ThreadedEngine } = (await import(module ? pathToFileURL(module).href : "../src/answer/threaded.ts")) as { ThreadedEngine: typeof Engine };
const opened = await withTicker(() => ThreadedEngine.open(dir, { snapshot }));
try {
  const engine = opened.value;
  await engine.ask("What is ownership?");
  let reloaded: () => void = () => undefined;
  const reloading = new Promise<void>((resolve) => (reloaded = resolve));
  const answering = answerDelays(engine, "What is ownership?", reloading);
  const rebuild = await rebuildGap(engine, touch).finally(reloaded);
  const result: ThreadedRebuild = { snapshotLoad: { maxGapMs: opened.maxGapMs, durationMs: opened.durationMs }, rebuild, answers: await answering };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await opened.value.close();
}
