/**
 * Several shard processes share one question log: two processes create the database at the same moment
 * and then write to it at once (WAL mode, busy timeout), and every question and vote of both is there.
 */
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { test } from "node:test";
import { SCHEMA_VERSION, schemaVersion } from "../../src/feedback/schema.ts";
import { DATABASE_FILE } from "../../src/feedback/store.ts";
import { tempDir } from "../support/feedback.ts";

const run = promisify(execFile);
const WRITER = path.join(import.meta.dirname, "..", "support", "question-log-writer.ts");
const COUNT = 1500;

test("two processes create and write one question log at once, and neither loses a row", async (t) => {
  const dir = await tempDir(t);
  const env: NodeJS.ProcessEnv = { ...process.env, WRITERS: "a,b" };
  delete env.NODE_TEST_CONTEXT;
  const outputs = await Promise.all(["a", "b"].map((label) => run(process.execPath, ["--import", "tsx", WRITER, dir, label, String(COUNT)], { env })));
  const results = outputs.map(({ stdout }) => JSON.parse(stdout) as { ids: (number | null)[]; log: string[] });
  for (const r of results) {
    assert.deepEqual(r.log, []);
    assert.equal(r.ids.filter((id) => typeof id === "number").length, COUNT);
  }
  const ids = results.flatMap((r) => r.ids);
  assert.equal(new Set(ids).size, 2 * COUNT, "every row id is given once");

  const db = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
  t.after(() => db.close());
  assert.equal(schemaVersion(db), SCHEMA_VERSION);
  assert.deepEqual(db.prepare("SELECT substr(question, -1) AS writer, count(*) AS n FROM questions GROUP BY writer ORDER BY writer").all(), [
    { writer: "a", n: COUNT },
    { writer: "b", n: COUNT },
  ]);
  assert.equal(db.prepare("SELECT count(*) FROM votes").pluck().get(), 2 * COUNT);
  assert.equal(db.prepare("SELECT count(DISTINCT voter) FROM votes").pluck().get(), 1, "both processes hash one person alike: they share the salt");
  // Whether the writes interleaved depends on scheduling, so it is reported rather than asserted.
  const order = db.prepare("SELECT substr(question, -1) FROM questions ORDER BY id").pluck().all() as string[];
  t.diagnostic(`writer changes in id order: ${order.filter((w, i) => i > 0 && w !== order[i - 1]).length}`);
});
