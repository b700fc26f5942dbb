/**
 * The question log's API: what a logged question stores, one vote per person per answer (voting again
 * changes it), feedback within its length limit, and no user id anywhere but as a salted hash in votes.
 */
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import path from "node:path";
import { describe, test } from "node:test";
import { FEEDBACK_MAX_LENGTH, QuestionLog, questionsSince } from "../src/feedback/question-log.ts";
import { DATABASE_FILE, FeedbackStore } from "../src/feedback/store.ts";
import { answered, capturingLogger, noMatch, result, tempDir, unsure } from "./support/feedback.ts";

const NOW = Date.parse("2026-05-20T12:00:00Z");

function open(dir: string) {
  const store = FeedbackStore.open({ dir, retentionDays: 30, logger: capturingLogger(), now: () => NOW });
  return { store, log: new QuestionLog(store, () => NOW) };
}

function rows(dir: string, sql: string): unknown[] {
  const db = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe("the question log", () => {
  test("a question is stored with its time, surface, server, outcome, confidence, duration and the passages shown", async (t) => {
    const dir = await tempDir(t);
    const { store, log } = open(dir);
    t.after(() => store.close());
    const shown = [result("key1", "guide.md", ["Install", "Linux"]), result("key2", "faq.md", [])];
    assert.equal(
      log.recordQuestion({ surface: "slash", guildId: "123456789012345678", answer: answered("How do I install it on Linux?", shown), durationMs: 1.23456 }),
      1,
    );
    assert.equal(log.recordQuestion({ surface: "dm", answer: unsure("What about BSD?"), durationMs: 2, shown: [] }), 2);
    assert.equal(log.recordQuestion({ surface: "mention", answer: noMatch("Who won the match?"), durationMs: 0.5 }), 3);
    assert.deepEqual(rows(dir, "SELECT * FROM questions ORDER BY id"), [
      {
        id: 1,
        asked_at: NOW,
        surface: "slash",
        guild_id: "123456789012345678",
        question: "How do I install it on Linux?",
        outcome: "answered",
        confidence: 0.9,
        duration_ms: 1.235,
      },
      { id: 2, asked_at: NOW, surface: "dm", guild_id: null, question: "What about BSD?", outcome: "unsure", confidence: 0.2, duration_ms: 2 },
      { id: 3, asked_at: NOW, surface: "mention", guild_id: null, question: "Who won the match?", outcome: "no-match", confidence: 0, duration_ms: 0.5 },
    ]);
    assert.deepEqual(rows(dir, "SELECT * FROM shown ORDER BY question_id, rank"), [
      { question_id: 1, rank: 0, passage_key: "key1", path: "guide.md", section: '["Install","Linux"]' },
      { question_id: 1, rank: 1, passage_key: "key2", path: "faq.md", section: "[]" },
    ]);
  });

  test("one vote per person per answer: voting again changes it, the same vote again changes nothing", async (t) => {
    const dir = await tempDir(t);
    const { store, log } = open(dir);
    t.after(() => store.close());
    const id = log.recordQuestion({ surface: "slash", answer: answered("How do I install it?"), durationMs: 1 }) as number;
    assert.equal(log.recordVote(id, "user-1", "up"), "recorded");
    assert.equal(log.recordVote(id, "user-1", "up"), "unchanged");
    assert.equal(log.recordVote(id, "user-1", "down"), "changed");
    assert.equal(log.recordVote(id, "user-2", "down"), "recorded");
    assert.equal(log.recordVote(id + 1, "user-1", "up"), "unknown-question");
    assert.deepEqual(
      questionsSince(store, 0)?.map((q) => ({ up: q.up, down: q.down })),
      [{ up: 0, down: 2 }],
    );
  });

  test("a vote is counted per person across restarts, since the salt is kept", async (t) => {
    const dir = await tempDir(t);
    const first = open(dir);
    const id = first.log.recordQuestion({ surface: "slash", answer: answered("How do I install it?"), durationMs: 1 }) as number;
    assert.equal(first.log.recordVote(id, "user-1", "down"), "recorded");
    first.store.close();
    const { store, log } = open(dir);
    t.after(() => store.close());
    assert.equal(log.recordVote(id, "user-1", "down"), "unchanged");
    assert.equal(log.recordVote(id, "user-1", "up"), "changed");
  });

  test("no user id is stored: the voter is a salted hash, kept only in the votes table", async (t) => {
    const dir = await tempDir(t);
    const { store, log } = open(dir);
    t.after(() => store.close());
    const voter = "987654321098765432";
    const id = log.recordQuestion({ surface: "slash", guildId: "123456789012345678", answer: answered("How do I install it?"), durationMs: 1 }) as number;
    log.recordVote(id, voter, "up");
    log.recordFeedback(id, voter, "Clear, thanks.");
    const [row] = rows(dir, "SELECT voter FROM votes") as { voter: string }[];
    assert.match(row?.voter ?? "", /^[0-9a-f]{64}$/);
    assert.equal(row?.voter, store.voterHash(voter));
    assert.notEqual(store.voterHash(voter), store.voterHash("987654321098765433"));
    const db = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
    t.after(() => db.close());
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[];
    for (const table of tables) {
      const dump = JSON.stringify(db.prepare(`SELECT * FROM ${table}`).all());
      assert.equal(dump.includes(voter), false, `${table} holds the user id`);
      if (table !== "votes") assert.equal(dump.includes(row?.voter ?? "-"), false, `${table} holds the voter hash`);
    }
  });

  test("feedback is kept per person per answer, replaced when given again, and up to FEEDBACK_MAX_LENGTH characters", async (t) => {
    const dir = await tempDir(t);
    const { store, log } = open(dir);
    t.after(() => store.close());
    const id = log.recordQuestion({ surface: "slash", answer: answered("How do I install it?"), durationMs: 1 }) as number;
    assert.equal(FEEDBACK_MAX_LENGTH, 1000);
    assert.equal(log.recordFeedback(id, "user-1", "  It skips the Windows steps.  "), "recorded");
    assert.equal(log.recordFeedback(id, "user-1", "It skips the Windows and macOS steps."), "replaced");
    assert.equal(log.recordFeedback(id, "user-2", "   \n "), "empty");
    assert.equal(log.recordFeedback(id, "user-2", "x".repeat(FEEDBACK_MAX_LENGTH + 1)), "too-long");
    // The limit counts characters, not UTF-16 units: 1000 emoji are 2000 units.
    assert.equal(log.recordFeedback(id, "user-2", "👎".repeat(FEEDBACK_MAX_LENGTH)), "recorded");
    assert.equal(log.recordFeedback(id + 5, "user-3", "Which question?"), "unknown-question");
    // Feedback without a vote leaves the vote empty; a vote later joins it.
    assert.equal(log.recordVote(id, "user-1", "down"), "recorded");
    assert.deepEqual(rows(dir, "SELECT vote, feedback FROM votes ORDER BY vote IS NULL"), [
      { vote: -1, feedback: "It skips the Windows and macOS steps." },
      { vote: null, feedback: "👎".repeat(FEEDBACK_MAX_LENGTH) },
    ]);
    const [logged] = questionsSince(store, 0) ?? [];
    assert.deepEqual(
      { up: logged?.up, down: logged?.down, feedback: logged?.feedback.sort() },
      { up: 0, down: 1, feedback: ["It skips the Windows and macOS steps.", "👎".repeat(FEEDBACK_MAX_LENGTH)].sort() },
    );
  });

  test("with the log unavailable, every call answers that it is, and nothing throws", async (t) => {
    const dir = await tempDir(t);
    const { store, log } = open(dir);
    store.close();
    assert.equal(log.recordQuestion({ surface: "terminal", answer: answered("How do I install it?"), durationMs: 1 }), undefined);
    assert.equal(log.recordVote(1, "user-1", "up"), "unavailable");
    assert.equal(log.recordFeedback(1, "user-1", "text"), "unavailable");
    assert.equal(questionsSince(store, 0), undefined);
  });
});
