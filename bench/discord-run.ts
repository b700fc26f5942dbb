/**
 * The Discord measurement (discord.ts) in a process of its own, as the bot runs in production: nothing
 * but the bot and its engine lives in this process's heap, so the bench's own data (other indexes,
 * results) adds no garbage-collection pauses to the bot's thread. Run by bench/run.ts:
 *   node --import tsx bench/discord-run.ts KNOWLEDGE_DIR SNAPSHOT_FILE QUESTIONS_JSON threaded|in-thread TOTAL BURST SEQUENTIAL WARMUP
 * Prints one JSON line: the DiscordResult.
 */
import { readFileSync } from "node:fs";
import { AnswerEngine } from "../src/answer/engine.ts";
import type { AnswerService } from "../src/answer/service.ts";
import { ThreadedEngine } from "../src/answer/threaded.ts";
import { measureDiscord } from "./discord.ts";

const [dir, snapshot, questionsFile, mode, ...numbers] = process.argv.slice(2);
const [total, burst, sequential, warmup] = numbers.map(Number);
if (
  !dir ||
  !snapshot ||
  !questionsFile ||
  (mode !== "threaded" && mode !== "in-thread") ||
  [total, burst, sequential, warmup].some((n) => n === undefined || !Number.isInteger(n))
) {
  process.stderr.write(
    "usage: node --import tsx bench/discord-run.ts KNOWLEDGE_DIR SNAPSHOT_FILE QUESTIONS_JSON threaded|in-thread TOTAL BURST SEQUENTIAL WARMUP\n",
  );
  process.exit(2);
}
const questions = JSON.parse(readFileSync(questionsFile, "utf8")) as string[];
const engine: AnswerService = mode === "threaded" ? await ThreadedEngine.open(dir, { snapshot }) : await AnswerEngine.open(dir, { snapshot });
try {
  const result = await measureDiscord(engine, questions, { total: total ?? 0, burst: burst ?? 0, sequential: sequential ?? 0, warmup: warmup ?? 0 });
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await engine.close();
}
