/**
 * The question log under trouble, through Discord against the loopback server: a database file that
 * breaks while the bot runs, and questions past their retention in a DATA_DIR the bot starts on. The bot
 * keeps answering either way.
 */
import assert from "node:assert/strict";
import { closeSync, openSync, writeSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { openFeedback } from "../../src/feedback/feedback.ts";
import { QuestionLog } from "../../src/feedback/question-log.ts";
import { DATABASE_FILE } from "../../src/feedback/store.ts";
import { startHarness, type Harness } from "../support/discord-harness.ts";
import type { Json } from "../support/discord-server.ts";
import { answered, capturingLogger } from "../support/feedback.ts";

const FOUNDED = "when was the lighthouse founded?";
const ANSWER = /^\*\*The lighthouse was founded in 1871 by the Port Wren Maritime Society\.\*\*/;
const DAY = 86_400_000;

async function ask(h: Harness, question: string): Promise<{ type: number; description: string; buttons: string[] }> {
  const { response } = h.server.command("ask", { question });
  const { type, data } = (await response).body as { type: number; data: Json };
  const rows = (data.components ?? []) as { components: { custom_id: string }[] }[];
  const description = ((data.embeds as Json[] | undefined)?.[0]?.description as string | undefined) ?? "";
  return { type, description, buttons: rows.flatMap((row) => row.components.map((button) => button.custom_id)) };
}

function logged(h: Harness): { id: number; surface: string; question: string; outcome: string }[] {
  const db = new Database(path.join(h.config.dataDir, DATABASE_FILE), { readonly: true });
  try {
    return db.prepare("SELECT id, surface, question, outcome FROM questions ORDER BY id").all() as {
      id: number;
      surface: string;
      question: string;
      outcome: string;
    }[];
  } finally {
    db.close();
  }
}

test("a question log that breaks while the bot runs is moved aside with a log line; /ask is answered and logged in a new one", async (t) => {
  const h = await startHarness({ feedback: true });
  t.after(() => h.close());
  const first = await ask(h, FOUNDED);
  assert.match(first.description, ANSWER);
  assert.deepEqual(logged(h), [{ id: 1, surface: "slash", question: FOUNDED, outcome: "answered" }]);

  // The pages written so far moved from the WAL into the file, then the file overwritten under the bot.
  const file = path.join(h.config.dataDir, DATABASE_FILE);
  const other = new Database(file);
  other.pragma("wal_checkpoint(TRUNCATE)");
  other.close();
  const fd = openSync(file, "r+");
  writeSync(fd, Buffer.alloc(6 * 4096, 0x41), 0, 6 * 4096, 0);
  closeSync(fd);

  const second = await ask(h, FOUNDED);
  assert.equal(second.type, 4);
  assert.match(second.description, ANSWER);
  assert.ok(second.buttons.includes("kb1:vote:up:1"), `the answer's vote buttons name its row in the new log: ${second.buttons.join(", ")}`);
  const aside = (await readdir(h.config.dataDir)).filter((name) => name.startsWith(`${DATABASE_FILE}.broken-`));
  assert.equal(aside.length, 1, "the broken file is kept aside");
  const warning = `WARN  question log: ${file} is not a readable database (file is not a database); moved it to ${path.join(h.config.dataDir, aside[0] ?? "")} and started a new one`;
  assert.ok(
    h.logs.some((line) => line.includes(warning)),
    `expected ${JSON.stringify(warning)} in:\n${h.logs.join("\n")}`,
  );
  assert.deepEqual(logged(h), [{ id: 1, surface: "slash", question: FOUNDED, outcome: "answered" }]);
  assert.deepEqual(h.server.violations, []);
});

test("questions older than LOG_RETENTION_DAYS are deleted when the bot starts, with a log line; newer ones stay, and new ones are added", async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "kb-retention-"));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  // A log a bot wrote earlier: one question 40 days ago, one 2 days ago.
  const earlier = openFeedback({ dataDir, logRetentionDays: 30 }, capturingLogger(), () => Date.now() - 40 * DAY);
  new QuestionLog(earlier.store, () => Date.now() - 40 * DAY).recordQuestion({ surface: "slash", answer: answered("an old question"), durationMs: 1 });
  new QuestionLog(earlier.store, () => Date.now() - 2 * DAY).recordQuestion({ surface: "dm", answer: answered("a recent question"), durationMs: 1 });
  earlier.close();

  const h = await startHarness({ feedback: true, dataDir, env: { LOG_RETENTION_DAYS: "30" } });
  t.after(() => h.close());
  assert.ok(
    h.logs.some((line) => line.includes("INFO  question log: deleted 1 question(s) older than 30 days")),
    `expected the deletion to be logged:\n${h.logs.join("\n")}`,
  );
  assert.deepEqual(
    logged(h).map((row) => row.question),
    ["a recent question"],
  );
  assert.match((await ask(h, FOUNDED)).description, ANSWER);
  assert.deepEqual(
    logged(h).map((row) => [row.surface, row.question]),
    [
      ["dm", "a recent question"],
      ["slash", FOUNDED],
    ],
  );
});
