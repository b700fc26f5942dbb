/**
 * The index snapshot (builder.ts): reused while the knowledge files are unchanged, rebuilt — with a log
 * line, never an error — when they change or the snapshot is stale, corrupt or damaged inside; keyed
 * by the snapshot format and the versions of the packages that shape the index; written without
 * leaving temporary files behind.
 */
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, test, type TestContext } from "node:test";
import { snapshotPathFor } from "../src/answer/builder.ts";
import { AnswerEngine } from "../src/answer/engine.ts";
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
    assert.ok(
      lines.some((l) => l.startsWith(`INFO  knowledge: rebuilding the index: snapshot ${snapshot} is corrupt (`)),
      lines.join("\n"),
    );
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
    assert.ok(
      lines.includes(`INFO  knowledge: rebuilding the index: snapshot ${snapshot} was made by another version or with other settings`),
      lines.join("\n"),
    );
  });

  test("a snapshot folder that cannot be written is a warning, and the engine still answers", async (t) => {
    const { dir } = await setup(t);
    // A file where the cache folder should be makes every write fail.
    const blocker = path.join(path.dirname(dir), "blocked");
    await writeFile(blocker, "not a folder");
    const { lines, logger } = recordingLogger();
    const engine = await AnswerEngine.open(dir, { snapshot: path.join(blocker, "index.json"), logger });
    assert.equal(engine.ask(QUESTION).answered, true);
    assert.ok(
      lines.some((l) => l.startsWith(`WARN  knowledge: could not save the index snapshot ${path.join(blocker, "index.json")}:`)),
      lines.join("\n"),
    );
  });
});

describe("reloading when nothing changed", () => {
  test("keeps the same index, reports no changes and a new load time", async (t) => {
    const { dir, snapshot } = await setup(t);
    const engine = await AnswerEngine.open(dir, { snapshot });
    await engine.reload();
    const index = engine.index;
    const before = engine.lastLoad;
    const report = await engine.reload();
    assert.equal(engine.index, index);
    assert.deepEqual(report.changes, { added: [], removed: [], changed: [], passagesAdded: 0, passagesRemoved: 0 });
    assert.equal(report.documents, before.documents);
    assert.equal(report.passages, before.passages);
    assert.ok(report.loadedAt >= before.loadedAt);
  });
});
