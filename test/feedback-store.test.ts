/**
 * The feedback database: created in WAL mode, upgraded from v1 by its migrations, moved aside when broken
 * (at start and while open), left alone when a newer bot wrote it, and best-effort throughout: a failure is
 * logged once per episode and answered with undefined, and old questions are deleted at start and daily.
 */
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { closeSync, openSync, writeSync } from "node:fs";
import { readdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, mock, test } from "node:test";
import { QuestionLog } from "../src/feedback/question-log.ts";
import { migrate, MIGRATIONS, SCHEMA_VERSION, schemaVersion } from "../src/feedback/schema.ts";
import { DATABASE_FILE, FeedbackStore, SALT_FILE } from "../src/feedback/store.ts";
import { TeachRecords } from "../src/feedback/teach.ts";
import { answered, capturingLogger, noMatch, tempDir } from "./support/feedback.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-05-20T12:00:00Z");

function open(dir: string, logger = capturingLogger(), now = () => NOW, retentionDays = 30) {
  const store = FeedbackStore.open({ dir, retentionDays, logger, now });
  return { store, logger, log: new QuestionLog(store, now) };
}

function ask(log: QuestionLog, question = "How do I install it?"): number | undefined {
  return log.recordQuestion({ surface: "terminal", answer: answered(question), durationMs: 1.5 });
}

/** A second connection to the same file, as another process would have. */
function peek(dir: string): Database.Database {
  return new Database(path.join(dir, DATABASE_FILE));
}

describe("the feedback database", () => {
  test("is created in WAL mode at the current schema version, beside a private salt", async (t) => {
    const dir = await tempDir(t);
    const { store, logger } = open(dir);
    t.after(() => store.close());
    assert.equal(store.available, true);
    const db = peek(dir);
    t.after(() => db.close());
    assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
    assert.equal(schemaVersion(db), SCHEMA_VERSION);
    assert.equal(SCHEMA_VERSION, 2);
    assert.deepEqual(
      (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name),
      ["questions", "shown", "taught", "votes"],
    );
    assert.match(await readFile(path.join(dir, SALT_FILE), "utf8"), /^[0-9a-f]{64}\n$/);
    assert.equal((await stat(path.join(dir, SALT_FILE))).mode & 0o777, 0o600);
    assert.deepEqual(logger.lines, []);
  });

  test("a version 1 database is upgraded to the current version, keeping its questions and votes", async (t) => {
    const dir = await tempDir(t);
    const v1 = peek(dir);
    migrate(v1, 1);
    assert.equal(schemaVersion(v1), 1);
    v1.prepare(
      "INSERT INTO questions (id, asked_at, surface, guild_id, question, outcome, confidence, duration_ms) VALUES (7, ?, 'slash', '123456789012345678', 'Where is the harbour?', 'unsure', 0.2, 3)",
    ).run(NOW - DAY);
    v1.prepare("INSERT INTO shown (question_id, rank, passage_key, path, section) VALUES (7, 0, 'abc', 'harbour.md', '[\"Quay\"]')").run();
    v1.prepare("INSERT INTO votes (question_id, voter, vote, voted_at) VALUES (7, 'hash-of-a-voter', -1, ?)").run(NOW - DAY);
    // v1 had no feedback, and a vote could not be empty.
    assert.throws(
      () => v1.prepare("INSERT INTO votes (question_id, voter, vote, voted_at) VALUES (7, 'other', NULL, 0)").run(),
      /NOT NULL constraint failed: votes.vote/,
    );
    v1.close();

    const { store, log, logger } = open(dir);
    t.after(() => store.close());
    const db = peek(dir);
    t.after(() => db.close());
    assert.equal(schemaVersion(db), SCHEMA_VERSION);
    assert.deepEqual(db.prepare("SELECT question_id, voter, vote, voted_at, feedback FROM votes").all(), [
      { question_id: 7, voter: "hash-of-a-voter", vote: -1, voted_at: NOW - DAY, feedback: null },
    ]);
    assert.deepEqual(db.prepare("SELECT id, surface, guild_id, question, outcome FROM questions").all(), [
      { id: 7, surface: "slash", guild_id: "123456789012345678", question: "Where is the harbour?", outcome: "unsure" },
    ]);
    // What v2 added works on the old rows.
    assert.equal(log.recordFeedback(7, "someone", "It does not say where the quay is."), "recorded");
    assert.equal(new TeachRecords(store, () => NOW).teach("Where is the harbour?", { path: "harbour.md", section: ["Quay"], passageKey: "abc" }).ok, true);
    assert.equal(ask(log), 8);
    assert.deepEqual(logger.lines, []);
  });

  test("every migration step runs on an empty database, in order, to the current version", async (t) => {
    const dir = await tempDir(t);
    const db = peek(dir);
    t.after(() => db.close());
    for (let v = 1; v <= MIGRATIONS.length; v++) {
      assert.equal(migrate(db, v), v - 1);
      assert.equal(schemaVersion(db), v);
    }
    // Opening it again changes nothing.
    assert.equal(migrate(db), SCHEMA_VERSION);
  });

  test("a database written by a newer bot is left as it is, and the log is off with one line", async (t) => {
    const dir = await tempDir(t);
    const newer = peek(dir);
    migrate(newer);
    newer.pragma(`user_version = ${SCHEMA_VERSION + 3}`);
    newer.close();
    const { store, log, logger } = open(dir);
    t.after(() => store.close());
    assert.equal(store.available, false);
    assert.equal(ask(log), undefined);
    assert.deepEqual(logger.lines, [
      `WARN  question log: could not open ${path.join(dir, DATABASE_FILE)}: feedback: Expected a question log of schema version ${SCHEMA_VERSION} or older, got version ${SCHEMA_VERSION + 3} (written by a newer version of the bot). Answering goes on without the log; further failures are not logged until it works again`,
    ]);
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.includes("broken")),
      [],
    );
  });

  test("a corrupt database is moved aside with a log line, and a new one is started", async (t) => {
    const dir = await tempDir(t);
    const file = path.join(dir, DATABASE_FILE);
    await writeFile(file, "This is not a database. ".repeat(100));
    const { store, log, logger } = open(dir);
    t.after(() => store.close());
    const aside = `${file}.broken-2026-05-20T12-00-00-000Z`;
    assert.deepEqual(logger.lines, [
      `WARN  question log: ${file} is not a readable database (file is not a database); moved it to ${aside} and started a new one`,
    ]);
    assert.equal(await readFile(aside, "utf8"), "This is not a database. ".repeat(100));
    assert.equal(ask(log), 1);
  });

  test("a database that breaks while open is moved aside, and the write goes to a new one", async (t) => {
    const dir = await tempDir(t);
    const file = path.join(dir, DATABASE_FILE);
    const { store, log, logger } = open(dir);
    t.after(() => store.close());
    assert.equal(ask(log), 1);
    // Another process's connection, then the file's pages overwritten under both.
    const other = peek(dir);
    other.prepare("SELECT count(*) FROM questions").get();
    other.pragma("wal_checkpoint(TRUNCATE)");
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.alloc(6 * 4096, 0x41), 0, 6 * 4096, 0);
    closeSync(fd);
    assert.throws(
      () =>
        other.prepare("INSERT INTO questions (asked_at, surface, question, outcome, confidence, duration_ms) VALUES (1, 'dm', 'x', 'answered', 1, 1)").run(),
      { code: "SQLITE_CORRUPT" },
    );
    other.close();

    assert.equal(ask(log), 1, "the first question of the new database");
    assert.equal(ask(log), 2);
    const aside = `${file}.broken-2026-05-20T12-00-00-000Z`;
    assert.deepEqual(logger.lines, [
      `WARN  question log: ${file} is not a readable database (file is not a database); moved it to ${aside} and started a new one`,
    ]);
    assert.ok((await readdir(dir)).includes(path.basename(aside)));
  });

  test("a database file deleted while open is noticed within a minute, and a new one is started", async (t) => {
    const dir = await tempDir(t);
    let now = NOW;
    const { store, log } = open(dir, capturingLogger(), () => now);
    t.after(() => store.close());
    assert.equal(ask(log), 1);
    assert.equal(ask(log), 2);
    for (const suffix of ["", "-wal", "-shm"]) await unlink(path.join(dir, DATABASE_FILE + suffix)).catch(() => undefined);
    now += 61_000;
    assert.equal(ask(log), 1);
    const db = peek(dir);
    t.after(() => db.close());
    assert.equal((db.prepare("SELECT count(*) AS n FROM questions").get() as { n: number }).n, 1);
  });

  test("a DATA_DIR that cannot be made leaves the log off, logged once however often it is used", async (t) => {
    const root = await tempDir(t);
    const dir = path.join(root, "not-a-folder");
    await writeFile(dir, "a file where the data folder should be");
    let now = NOW;
    const { store, log, logger } = open(dir, capturingLogger(), () => now);
    t.after(() => store.close());
    assert.equal(store.available, false);
    for (let i = 0; i < 3; i++) {
      assert.equal(ask(log), undefined);
      assert.equal(log.recordVote(1, "someone", "up"), "unavailable");
      now += 61_000;
    }
    assert.equal(logger.lines.length, 1, logger.lines.join("\n"));
    assert.match(
      logger.lines[0] ?? "",
      new RegExp(
        `^WARN  question log: could not use ${dir}: EEXIST: file already exists, mkdir '${dir}'\\. Answering goes on without the log; further failures are not logged until it works again$`,
      ),
    );
  });

  test("failed writes are logged once per episode, and the log says when it works again", async (t) => {
    const dir = await tempDir(t);
    const { store, log, logger } = open(dir);
    t.after(() => store.close());
    assert.equal(ask(log), 1);
    const other = peek(dir);
    t.after(() => other.close());
    other.exec("ALTER TABLE questions RENAME TO questions_away");
    for (let i = 0; i < 3; i++) assert.equal(ask(log), undefined);
    other.exec("ALTER TABLE questions_away RENAME TO questions");
    assert.equal(ask(log), 2);
    assert.deepEqual(logger.lines, [
      "WARN  question log: could not log a question: no such table: questions. Answering goes on without the log; further failures are not logged until it works again",
      "INFO  question log: working again after 3 failed attempt(s)",
    ]);
  });

  test("questions older than the retention are deleted at start, with what was shown and their votes; teach records stay", async (t) => {
    const dir = await tempDir(t);
    let now = NOW - 40 * DAY;
    const first = open(dir, capturingLogger(), () => now);
    const old = ask(first.log, "an old question") as number;
    assert.equal(first.log.recordVote(old, "someone", "down"), "recorded");
    new TeachRecords(first.store, () => now).teach("an old question", { path: "guide.md", section: ["Install"] });
    now = NOW - 29 * DAY;
    ask(first.log, "a recent question");
    first.store.close();

    now = NOW;
    const { store, logger } = open(dir, capturingLogger(), () => now);
    t.after(() => store.close());
    assert.deepEqual(logger.lines, ["INFO  question log: deleted 1 question(s) older than 30 days"]);
    const db = peek(dir);
    t.after(() => db.close());
    assert.deepEqual(db.prepare("SELECT question FROM questions").pluck().all(), ["a recent question"]);
    assert.equal(db.prepare("SELECT count(*) FROM shown WHERE question_id = ?").pluck().get(old), 0);
    assert.equal(db.prepare("SELECT count(*) FROM votes").pluck().get(), 0);
    assert.deepEqual(db.prepare("SELECT question FROM taught").pluck().all(), ["an old question"]);
  });

  test("old questions are deleted again every day while the bot runs", async (t) => {
    mock.timers.enable({ apis: ["setInterval"] });
    t.after(() => mock.timers.reset());
    const dir = await tempDir(t);
    let now = NOW;
    const { store, log, logger } = open(dir, capturingLogger(), () => now, 2);
    t.after(() => store.close());
    ask(log, "asked on day 0");
    now += DAY;
    mock.timers.tick(DAY);
    ask(log, "asked on day 1");
    assert.deepEqual(logger.lines, []);
    now += 2 * DAY;
    mock.timers.tick(DAY);
    assert.deepEqual(logger.lines, ["INFO  question log: deleted 1 question(s) older than 2 days"]);
    const db = peek(dir);
    t.after(() => db.close());
    assert.deepEqual(db.prepare("SELECT question FROM questions").pluck().all(), ["asked on day 1"]);
  });

  test("an empty question is not logged", async (t) => {
    const dir = await tempDir(t);
    const { store, log } = open(dir);
    t.after(() => store.close());
    assert.equal(
      log.recordQuestion({ surface: "dm", answer: { question: "🙂", answered: false, reason: "empty-question", confidence: 0, results: [] }, durationMs: 0.1 }),
      undefined,
    );
    assert.equal(log.recordQuestion({ surface: "dm", answer: noMatch("Where are the kayaks?"), durationMs: 0.1 }), 1);
  });
});
