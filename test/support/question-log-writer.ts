/**
 * A process that logs questions and votes, for the test of several processes sharing one database:
 * `node --import tsx question-log-writer.ts DATA_DIR LABEL COUNT`. It waits until every writer named in
 * WRITERS (comma-separated labels) has started, so that they open and write at the same time, then
 * prints one JSON line: the row ids it got, and the lines its log wrote.
 */
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { QuestionLog } from "../../src/feedback/question-log.ts";
import { FeedbackStore } from "../../src/feedback/store.ts";
import { answered, capturingLogger } from "./feedback.ts";

const [dir = "", label = "", countText = "0"] = process.argv.slice(2);
const writers = (process.env.WRITERS ?? "").split(",");
writeFileSync(path.join(dir, `ready-${label}`), "");
for (let waited = 0; !writers.every((w) => existsSync(path.join(dir, `ready-${w}`))); waited++) {
  if (waited > 6000) throw new Error(`writer ${label}: the other writers did not start`);
  await sleep(5);
}

const logger = capturingLogger();
const store = FeedbackStore.open({ dir, retentionDays: 30, logger });
const log = new QuestionLog(store);
const ids: (number | undefined)[] = [];
for (let i = 0; i < Number(countText); i++) {
  const id = log.recordQuestion({ surface: "terminal", answer: answered(`question ${i} from ${label}`), durationMs: 1 });
  ids.push(id);
  if (id !== undefined) log.recordVote(id, "one person", i % 2 ? "up" : "down");
}
store.close();
process.stdout.write(JSON.stringify({ ids, log: logger.lines }) + "\n");
