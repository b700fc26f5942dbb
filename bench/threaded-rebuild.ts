/**
 * The bot's Discord thread while the knowledge is reloaded, run as its own process by bench/run.ts (so
 * that nothing else lives in this thread's heap, as in the bot):
 *   node --import tsx bench/threaded-rebuild.ts KNOWLEDGE_DIR SNAPSHOT_FILE TOUCH_FILE
 * Opens ThreadedEngine (the engine in a worker thread, as `npm start` runs the bot) from the snapshot
 * under a 10 ms ticker, changes TOUCH_FILE, reloads under the ticker, and prints one JSON line with the
 * longest gap between ticks for each: how long this thread could not have served Discord.
 */
import { ThreadedEngine } from "../src/answer/threaded.ts";
import { rebuildGap, withTicker } from "./heartbeat.ts";

const [dir, snapshot, touch] = process.argv.slice(2);
if (!dir || !snapshot || !touch) {
  process.stderr.write("usage: node --import tsx bench/threaded-rebuild.ts KNOWLEDGE_DIR SNAPSHOT_FILE TOUCH_FILE\n");
  process.exit(2);
}
const opened = await withTicker(() => ThreadedEngine.open(dir, { snapshot }));
try {
  const rebuild = await rebuildGap(opened.value, touch);
  process.stdout.write(`${JSON.stringify({ snapshotLoad: { maxGapMs: opened.maxGapMs, durationMs: opened.durationMs }, rebuild })}\n`);
} finally {
  await opened.value.close();
}
