/**
 * The index snapshot (builder.ts): reused while the knowledge files are unchanged, rebuilt — with a log
 * line, never an error — when they change or the snapshot is stale or corrupt; and the worker-thread
 * build path gives the same answers as the in-process one.
 */
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, test, type TestContext } from "node:test";
import { snapshotPathFor } from "../src/answer/builder.ts";
import { AnswerEngine } from "../src/answer/engine.ts";
import { IndexAssembler, sliceIndex } from "../src/answer/index-transfer.ts";
import { createLogger } from "../src/log.ts";

const QA = path.join(import.meta.dirname, "fixtures", "engine", "qa");
const QUESTION = "When was the Riverside Declaration signed?";

async function setup(t: TestContext): Promise<{ dir: string; snapshot: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), "kb-snapshot-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  const dir = path.join(root, "knowledge");
  await cp(QA, dir, { recursive: true });
  return { dir, snapshot: snapshotPathFor(path.join(root, "cache"), dir) };
}

function recordingLogger(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, logger: createLogger("debug", (line) => lines.push(line.replace(/^\S+ /, ""))) };
}

describe("index snapshot", () => {
  test("the first open builds from the files and saves a snapshot; the next open uses it", async (t) => {
    const { dir, snapshot } = await setup(t);
    const first = await AnswerEngine.open(dir, { snapshot });
    assert.equal(first.lastLoad.source, "files");
    const saved = JSON.parse(await readFile(snapshot, "utf8")) as { content: string; index: { passages: unknown[] } };
    assert.equal(saved.index.passages.length, first.lastLoad.passages);

    const second = await AnswerEngine.open(dir, { snapshot });
    assert.equal(second.lastLoad.source, "snapshot");
    assert.deepEqual(second.ask(QUESTION), first.ask(QUESTION));
    assert.deepEqual(second.sources(), first.sources());
  });

  test("a changed knowledge file makes the next open rebuild, with a log line saying why", async (t) => {
    const { dir, snapshot } = await setup(t);
    await AnswerEngine.open(dir, { snapshot });
    await writeFile(path.join(dir, "ferry.md"), "# Island Ferry\n\nThe island ferry leaves the quay at seven every morning.\n");
    const { lines, logger } = recordingLogger();
    const engine = await AnswerEngine.open(dir, { snapshot, logger });
    assert.equal(engine.lastLoad.source, "files");
    assert.ok(lines.includes("INFO  knowledge: rebuilding the index: knowledge files changed since the snapshot"), lines.join("\n"));
    assert.equal(engine.ask("When does the island ferry leave?").answered, true);
  });

  test("a corrupt snapshot is rebuilt with a log line, never an error", async (t) => {
    const { dir, snapshot } = await setup(t);
    const good = await AnswerEngine.open(dir, { snapshot });
    await writeFile(snapshot, '{"format": 1, "index": ');
    const { lines, logger } = recordingLogger();
    const engine = await AnswerEngine.open(dir, { snapshot, logger });
    assert.equal(engine.lastLoad.source, "files");
    assert.ok(lines.some((l) => l.startsWith(`INFO  knowledge: rebuilding the index: snapshot ${snapshot} is corrupt (`)), lines.join("\n"));
    assert.deepEqual(engine.ask(QUESTION), good.ask(QUESTION));
    // The rebuilt snapshot is whole again.
    assert.equal((await AnswerEngine.open(dir, { snapshot })).lastLoad.source, "snapshot");
  });

  test("a snapshot made with other settings is not used", async (t) => {
    const { dir, snapshot } = await setup(t);
    await AnswerEngine.open(dir, { snapshot, hygiene: false });
    const { lines, logger } = recordingLogger();
    const engine = await AnswerEngine.open(dir, { snapshot, logger });
    assert.equal(engine.lastLoad.source, "files");
    assert.ok(lines.includes(`INFO  knowledge: rebuilding the index: snapshot ${snapshot} was made by another version or with other settings`), lines.join("\n"));
  });

  test("a snapshot folder that cannot be written is a warning, and the engine still answers", async (t) => {
    const { dir } = await setup(t);
    // A file where the cache folder should be makes every write fail.
    const blocker = path.join(path.dirname(dir), "blocked");
    await writeFile(blocker, "not a folder");
    const { lines, logger } = recordingLogger();
    const engine = await AnswerEngine.open(dir, { snapshot: path.join(blocker, "index.json"), logger });
    assert.equal(engine.ask(QUESTION).answered, true);
    assert.ok(lines.some((l) => l.startsWith(`WARN  knowledge: could not save the index snapshot ${path.join(blocker, "index.json")}:`)), lines.join("\n"));
  });
});

describe("building in a worker thread", () => {
  test("gives the same answers and reloads like the in-process build", async (t) => {
    const { dir, snapshot } = await setup(t);
    const local = await AnswerEngine.open(dir);
    const worker = await AnswerEngine.open(dir, { worker: true, snapshot });
    t.after(() => worker.close());
    assert.deepEqual(worker.ask(QUESTION), local.ask(QUESTION));

    await writeFile(path.join(dir, "ferry.md"), "# Island Ferry\n\nThe island ferry leaves the quay at seven every morning.\n");
    const report = await worker.reload();
    assert.deepEqual(report.changes.added, ["ferry.md"]);
    assert.equal(worker.ask("When does the island ferry leave?").answered, true);
  });

  test("a file that breaks keeps answering from its last good version, as in-process", async (t) => {
    const { dir, snapshot } = await setup(t);
    const engine = await AnswerEngine.open(dir, { worker: true, snapshot });
    t.after(() => engine.close());
    const before = engine.ask(QUESTION);
    assert.equal(before.answered, true);
    const file = before.results[0]!.source.path;
    await writeFile(path.join(dir, file), Buffer.from([0x23, 0x20, 0x00, 0xff]));
    const report = await engine.reload();
    assert.deepEqual(report.errors, [{ path: file, reason: "binary file (contains NUL bytes) — still answering from its last good version" }]);
    assert.deepEqual(engine.ask(QUESTION), before);
  });

  test("without a snapshot the worker's first reload still reports only what changed and keeps a broken file's last good version", async (t) => {
    const { dir } = await setup(t);
    const engine = await AnswerEngine.open(dir, { worker: true });
    t.after(() => engine.close());
    const before = engine.ask(QUESTION);
    const file = before.results[0]!.source.path;
    await writeFile(path.join(dir, file), Buffer.from([0x23, 0x20, 0x00, 0xff]));
    const report = await engine.reload();
    assert.deepEqual(report.changes, { added: [], removed: [], changed: [], passagesAdded: 0, passagesRemoved: 0 });
    assert.deepEqual(report.errors, [{ path: file, reason: "binary file (contains NUL bytes) — still answering from its last good version" }]);
    assert.deepEqual(engine.ask(QUESTION), before);
  });

  test("a missing folder is a KnowledgeError with worker: true too", async (t) => {
    const root = await mkdtemp(path.join(os.tmpdir(), "kb-snapshot-"));
    t.after(() => rm(root, { recursive: true, force: true }));
    const missing = path.join(root, "nothing-here");
    await assert.rejects(AnswerEngine.open(missing, { worker: true }), { name: "KnowledgeError", message: `knowledge: folder not found: ${missing}` });
  });
});

describe("moving an index between threads in slices", () => {
  test("the slices put back together are the index, whole and in order", async () => {
    const engine = await AnswerEngine.open(path.join(import.meta.dirname, "..", "knowledge"));
    const json = engine.index.toJSON();
    const parts = new IndexAssembler();
    const slices = [...sliceIndex(json)];
    assert.equal(slices[0]?.part, "head");
    for (const slice of slices) parts.add(slice);
    assert.deepEqual(parts.result(), json);
  });

  test("no head, no index: the assembler says what is missing", () => {
    assert.throws(() => new IndexAssembler().result(), { message: "index-transfer: Expected a head slice before the end, got none" });
  });
});

describe("reloading when nothing changed", () => {
  test("keeps the same index, reports no changes and a new load time, in-process and in the worker", async (t) => {
    for (const worker of [false, true]) {
      const { dir, snapshot } = await setup(t);
      const engine = await AnswerEngine.open(dir, { worker, snapshot });
      t.after(() => engine.close());
      await engine.reload();
      const index = engine.index;
      const before = engine.lastLoad;
      const report = await engine.reload();
      assert.equal(engine.index, index, `worker: ${worker}`);
      assert.deepEqual(report.changes, { added: [], removed: [], changed: [], passagesAdded: 0, passagesRemoved: 0 });
      assert.equal(report.documents, before.documents);
      assert.equal(report.passages, before.passages);
      assert.ok(report.loadedAt >= before.loadedAt);
    }
  });
});
