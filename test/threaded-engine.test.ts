/**
 * ThreadedEngine (answer/threaded.ts): the bot's engine, answering in a worker thread. It must answer
 * exactly as AnswerEngine does in this thread, fail to open with the same errors, reload, and carry on
 * after its worker dies. Waits are on promises; timeouts only guard against hanging.
 */
import assert from "node:assert/strict";
import { cp, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, test, type TestContext } from "node:test";
import type { Worker } from "node:worker_threads";
import { AnswerEngine, KnowledgeError } from "../src/answer/engine.ts";
import { ThreadedEngine } from "../src/answer/threaded.ts";
import { createLogger } from "../src/log.ts";

const QA = path.join(import.meta.dirname, "fixtures", "engine", "qa");
const QUESTIONS = ["When was the Riverside Declaration signed?", "How many towns signed it?", "what is the observatory telescope", "how do I bake sourdough bread"];

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

async function open(t: TestContext, dir: string, lines: string[] = []): Promise<ThreadedEngine> {
  const engine = await ThreadedEngine.open(dir, { logger: createLogger("debug", (line) => lines.push(line.replace(/^\S+ /, ""))) });
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
    await writeFile(path.join(dir, "ferry.md"), "# Island Ferry\n\nThe island ferry leaves the quay at seven every morning and comes back at six in the evening.\n");
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
    assert.ok(lines.some((line) => line.includes("engine: the answer worker stopped (exit code 1); starting a new one")), lines.join("\n"));
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
    assert.ok(lines.some((line) => line.includes(`engine: could not start a new answer worker: knowledge: folder not found: ${dir}`)), lines.join("\n"));
    await rename(moved, dir);
    assert.equal((await threaded.ask(QUESTIONS[0] ?? "")).answered, true);
  });

  test("a closed engine refuses calls, naming the problem", async () => {
    const threaded = await ThreadedEngine.open(QA);
    await threaded.close();
    await assert.rejects(threaded.ask("anything"), { message: "engine: Expected an open engine, got one that was closed" });
  });
});
