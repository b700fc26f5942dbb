/**
 * ThreadedEngine (answer/threaded.ts): the bot's engine, answering in a worker thread. It must answer
 * exactly as AnswerEngine does in this thread, fail to open with the same errors, reload, and carry on
 * after its worker dies. Waits are on promises; timeouts only guard against hanging.
 */
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, test, type TestContext } from "node:test";
import type { Worker } from "node:worker_threads";
import { AnswerEngine, KnowledgeError } from "../src/answer/engine.ts";
import { snapshotPathFor } from "../src/answer/builder.ts";
import { ThreadedEngine } from "../src/answer/threaded.ts";
import { createLogger } from "../src/log.ts";

const QA = path.join(import.meta.dirname, "fixtures", "engine", "qa");
const QUESTIONS = [
  "When was the Riverside Declaration signed?",
  "How many towns signed it?",
  "what is the observatory telescope",
  "how do I bake sourdough bread",
];

async function tempKnowledge(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "kb-threaded-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(QA, dir, { recursive: true });
  return dir;
}

/** The worker that answers now (private to the engine; the tests stop it as a crash would). */
function serving(engine: ThreadedEngine): Worker {
  const thread = (engine as unknown as { serving?: { worker: Worker } }).serving;
  assert.ok(thread, "a worker is serving");
  return thread.worker;
}

async function open(t: TestContext, dir: string, lines: string[] = [], snapshot?: string): Promise<ThreadedEngine> {
  const engine = await ThreadedEngine.open(dir, {
    logger: createLogger("debug", (line) => lines.push(line.replace(/^\S+ /, ""))),
    ...(snapshot ? { snapshot } : {}),
  });
  t.after(() => engine.close());
  return engine;
}

describe("ThreadedEngine", () => {
  test("answers, suggests, lists sources and shows passages exactly as the in-thread engine", async (t) => {
    const local = await AnswerEngine.open(QA);
    const threaded = await open(t, QA);
    for (const question of QUESTIONS) assert.deepEqual(await threaded.ask(question, { top: 4 }), local.ask(question, { top: 4 }), question);
    assert.deepEqual(await threaded.suggest("riverside", 5), local.suggest("riverside", 5));
    assert.deepEqual(await threaded.sources(), local.sources());
    const key = local.ask(QUESTIONS[0] ?? "").results[0]?.key ?? "";
    assert.deepEqual(await threaded.passage(key, QUESTIONS[0]), local.passage(key, QUESTIONS[0]));
    assert.equal(await threaded.passage("no-such-key"), undefined);
    assert.deepEqual({ ...threaded.lastLoad, loadedAt: 0, durationMs: 0 }, { ...local.lastLoad, loadedAt: 0, durationMs: 0 });
  });

  test("answers questions sent all at once, each with its own answer", async (t) => {
    const threaded = await open(t, QA);
    const asked = Array.from({ length: 40 }, (_, i) => QUESTIONS[i % QUESTIONS.length] ?? "");
    const answers = await Promise.all(asked.map((q) => threaded.ask(q)));
    assert.deepEqual(
      answers.map((a) => a.question),
      asked,
    );
  });

  test("a missing folder fails to open with the same KnowledgeError as the in-thread engine", async () => {
    const missing = path.join(os.tmpdir(), "kb-threaded-does-not-exist");
    const local = await AnswerEngine.open(missing).catch((error: Error) => error);
    const threaded = await ThreadedEngine.open(missing).catch((error: Error) => error);
    assert.ok(threaded instanceof KnowledgeError);
    assert.equal(threaded.message, (local as Error).message);
  });

  test("reload picks up a new file and the new report is its lastLoad", async (t) => {
    const dir = await tempKnowledge(t);
    const threaded = await open(t, dir);
    await writeFile(
      path.join(dir, "ferry.md"),
      "# Island Ferry\n\nThe island ferry leaves the quay at seven every morning and comes back at six in the evening.\n",
    );
    const report = await threaded.reload();
    assert.deepEqual(report.changes.added, ["ferry.md"]);
    assert.equal(threaded.lastLoad.documents, 3);
    const answer = await threaded.ask("When does the island ferry leave the quay?");
    assert.equal(answer.results[0]?.source.path, "ferry.md");
  });

  test("after its worker dies it logs why, starts a new one and answers again", async (t) => {
    const lines: string[] = [];
    const threaded = await open(t, QA, lines);
    const worker = serving(threaded);
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    await worker.terminate();
    await exited;
    const answer = await threaded.ask(QUESTIONS[0] ?? "");
    assert.equal(answer.answered, true);
    assert.ok(
      lines.some((line) => line.includes("engine: the answer worker stopped (exit code 1); starting a new one")),
      lines.join("\n"),
    );
  });

  test("when a new worker cannot start, the call says why and the next call tries again", async (t) => {
    const dir = await tempKnowledge(t);
    const lines: string[] = [];
    const threaded = await open(t, dir, lines);
    const moved = `${dir}-moved`;
    await rename(dir, moved);
    t.after(() => rm(moved, { recursive: true, force: true }));
    const worker = serving(threaded);
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    await worker.terminate();
    await exited;
    await assert.rejects(threaded.ask(QUESTIONS[0] ?? ""), { name: "KnowledgeError", message: `knowledge: folder not found: ${dir}` });
    assert.ok(
      lines.some((line) => line.includes(`engine: could not start a new answer worker: knowledge: folder not found: ${dir}`)),
      lines.join("\n"),
    );
    await rename(moved, dir);
    assert.equal((await threaded.ask(QUESTIONS[0] ?? "")).answered, true);
  });

  test("a closed engine refuses calls, naming the problem", async () => {
    const threaded = await ThreadedEngine.open(QA);
    await threaded.close();
    await assert.rejects(threaded.ask("anything"), { message: "engine: Expected an open engine, got one that was closed" });
  });
});

const DECLARATION = "The Riverside Declaration was signed on May 4, 2019 by the mayors of the five river towns.";
const BINARY = Buffer.from([0x23, 0x20, 0x00, 0xff]);

describe("ThreadedEngine reloads in a new worker (blue/green)", () => {
  test("questions asked all through a reload are answered, by the old worker and then by the new one, which alone serves afterwards", async (t) => {
    const dir = await tempKnowledge(t);
    const threaded = await open(t, dir);
    const before = serving(threaded);
    const oldExited = new Promise<number>((resolve) => before.once("exit", resolve));
    const riverside = path.join(dir, "riverside.md");
    await writeFile(riverside, (await readFile(riverside, "utf8")).replace("May 4, 2019", "June 1, 2021"));

    let settled = false;
    const reloading = threaded.reload().finally(() => (settled = true));
    const ask = async () => (await threaded.ask(QUESTIONS[0] ?? "")).results[0]?.answer ?? "(no result)";
    const seen: string[] = [];
    // Two questions in flight at a time, so that some are on their way when the workers swap.
    while (!settled) seen.push(...(await Promise.all([ask(), ask()])));
    await reloading;
    seen.push(await ask());

    const changed = DECLARATION.replace("May 4, 2019", "June 1, 2021");
    assert.equal(seen[0], DECLARATION, "during the build the old worker answers");
    assert.equal(seen.at(-1), changed, "after the swap the new one does");
    const firstNew = seen.indexOf(changed);
    assert.deepEqual([...new Set(seen.slice(firstNew))], [changed], "once swapped, the old index never answers again");
    assert.deepEqual([...new Set(seen.slice(0, firstNew))], [DECLARATION]);
    assert.notEqual(serving(threaded), before);
    // The old worker drains and exits on its own.
    assert.equal(await oldExited, 1);
  });

  test("a reload reports what changed against the served index, in the worker's log and its lastLoad", async (t) => {
    const dir = await tempKnowledge(t);
    const lines: string[] = [];
    const threaded = await open(t, dir, lines);
    await rm(path.join(dir, "observatory.txt"));
    const report = await threaded.reload();
    assert.deepEqual(report.changes.removed, ["observatory.txt"]);
    assert.equal(threaded.lastLoad, report);
    assert.ok(
      lines.some((line) => line.startsWith("INFO  knowledge: reloaded: 1 documents, ")),
      lines.join("\n"),
    );
  });

  for (const withSnapshot of [true, false]) {
    test(`a file that breaks keeps its last good version in the new worker, over two reloads (${withSnapshot ? "with" : "without"} a snapshot)`, async (t) => {
      const dir = await tempKnowledge(t);
      const snapshot = withSnapshot ? snapshotPathFor(`${dir}-cache`, dir) : undefined;
      t.after(() => rm(`${dir}-cache`, { recursive: true, force: true }));
      const threaded = await open(t, dir, [], snapshot);
      await writeFile(path.join(dir, "riverside.md"), BINARY);
      const expected = [{ path: "riverside.md", reason: "binary file (contains NUL bytes) — still answering from its last good version" }];
      const first = await threaded.reload();
      assert.deepEqual(first.errors, expected);
      assert.deepEqual(first.changes, { added: [], removed: [], changed: [], passagesAdded: 0, passagesRemoved: 0 });
      // Another change: the worker now serving has the broken file's version only from the one before it.
      await writeFile(path.join(dir, "ferry.md"), "# Island Ferry\n\nThe island ferry leaves the quay at seven every morning.\n");
      const second = await threaded.reload();
      assert.deepEqual(second.errors, expected);
      assert.deepEqual(second.changes.added, ["ferry.md"]);
      assert.equal((await threaded.ask(QUESTIONS[0] ?? "")).results[0]?.answer, DECLARATION);
    });
  }

  test("a reload that fails leaves the serving worker answering, and the next reload works", async (t) => {
    const dir = await tempKnowledge(t);
    const lines: string[] = [];
    const threaded = await open(t, dir, lines);
    const before = serving(threaded);
    const moved = `${dir}-moved`;
    await rename(dir, moved);
    t.after(() => rm(moved, { recursive: true, force: true }));
    await assert.rejects(threaded.reload(), { name: "KnowledgeError", message: `knowledge: folder not found: ${dir}` });
    assert.equal(serving(threaded), before);
    assert.equal((await threaded.ask(QUESTIONS[0] ?? "")).results[0]?.answer, DECLARATION);
    assert.ok(
      lines.some((line) => line.startsWith("WARN  knowledge: reload failed, still answering from the knowledge loaded at ")),
      lines.join("\n"),
    );
    await rename(moved, dir);
    await writeFile(path.join(dir, "ferry.md"), "# Island Ferry\n\nThe island ferry leaves the quay at seven every morning.\n");
    assert.deepEqual((await threaded.reload()).changes.added, ["ferry.md"]);
  });

  test("a reload with nothing changed keeps the serving worker and reports no changes", async (t) => {
    const dir = await tempKnowledge(t);
    const threaded = await open(t, dir);
    const before = serving(threaded);
    const report = await threaded.reload();
    assert.deepEqual(report.changes, { added: [], removed: [], changed: [], passagesAdded: 0, passagesRemoved: 0 });
    assert.equal(report.documents, 2);
    assert.equal(serving(threaded), before);
  });

  test("reloads asked for during a reload share it and cause one more", async (t) => {
    const dir = await tempKnowledge(t);
    const lines: string[] = [];
    const threaded = await open(t, dir, lines);
    const first = threaded.reload();
    await writeFile(path.join(dir, "ferry.md"), "# Island Ferry\n\nThe island ferry leaves the quay at seven every morning.\n");
    assert.equal(threaded.reload(), first);
    const report = await first;
    assert.equal(lines.filter((line) => line.includes("knowledge: reloaded: ")).length, 2);
    assert.equal(report.documents, 3);
  });
});
