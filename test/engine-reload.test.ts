/**
 * Reloading knowledge while answering: AnswerEngine.reload() on a temporary copy of
 * test/fixtures/engine/qa, and watchKnowledge() on a temporary folder. Waits are on promises that
 * the code under test resolves; timeouts are only guards against hanging, never assertions of speed.
 */
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, test, type TestContext } from "node:test";
import { AnswerEngine, describeLoad, KnowledgeError, type LoadReport } from "../src/answer/engine.ts";
import { watchKnowledge } from "../src/knowledge/watch.ts";
import { createLogger, silentLogger } from "../src/log.ts";

const QA = path.join(import.meta.dirname, "fixtures", "engine", "qa");
const GUARD_MS = 20_000;

const DECLARATION_QUESTION = "When was the Riverside Declaration signed?";
const OLD_DECLARATION = "The Riverside Declaration was signed on May 4, 2019 by the mayors of the five river towns.";
const FERRY = "# Island Ferry\n\nThe island ferry leaves the quay at seven every morning and comes back at six in the evening, except on public holidays.\n";

/** A fresh copy of the qa fixture in the system temp folder, removed after the test. */
async function tempKnowledge(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "kb-reload-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(QA, dir, { recursive: true });
  return dir;
}

const noChanges = { added: [], removed: [], changed: [], passagesAdded: 0, passagesRemoved: 0 };

/** Resolves with `promise`, or rejects after GUARD_MS so that a broken watcher fails instead of hanging. */
function guard<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up waiting for ${what}`)), GUARD_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("AnswerEngine.reload", () => {
  test("the first load reports every document as added", async (t) => {
    const dir = await tempKnowledge(t);
    const engine = await AnswerEngine.open(dir);
    const report = engine.lastLoad;
    assert.deepEqual(report.changes, {
      added: ["observatory.txt", "riverside.md"],
      removed: [],
      changed: [],
      passagesAdded: report.passages,
      passagesRemoved: 0,
    });
    assert.equal(report.documents, 2);
    assert.equal(
      report.passages,
      engine.sources().reduce((n, s) => n + s.passages, 0),
    );
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.skipped, []);
    assert.ok(report.loadedAt instanceof Date);
  });

  test("adding a file makes its answer available and the report lists it as added, with its passages", async (t) => {
    const dir = await tempKnowledge(t);
    const engine = await AnswerEngine.open(dir);
    const passagesBefore = engine.lastLoad.passages;
    assert.equal(engine.ask("When does the island ferry leave?").answered, false);

    await writeFile(path.join(dir, "ferry.md"), FERRY);
    const report = await engine.reload();

    assert.deepEqual(report.changes, { added: ["ferry.md"], removed: [], changed: [], passagesAdded: 1, passagesRemoved: 0 });
    assert.equal(report.documents, 3);
    assert.equal(report.passages, passagesBefore + 1);
    assert.equal(engine.lastLoad, report);
    const answer = engine.ask("When does the island ferry leave?");
    assert.equal(answer.answered, true);
    assert.equal(answer.results[0]?.source.path, "ferry.md");
    assert.equal(answer.results[0]?.source.title, "Island Ferry");
    assert.match(describeLoad(report), new RegExp(`^3 documents, ${passagesBefore + 1} passages in \\d+ ms; documents 1 added; passages \\+1 −0$`));
  });

  test("changing and removing files are reported with the passages that came and went", async (t) => {
    const dir = await tempKnowledge(t);
    const engine = await AnswerEngine.open(dir);
    const observatoryPassages = engine.sources().find((s) => s.path === "observatory.txt")?.passages ?? NaN;
    await writeFile(path.join(dir, "riverside.md"), (await readFile(path.join(QA, "riverside.md"), "utf8")).replace("May 4, 2019", "June 1, 2021"));
    await unlink(path.join(dir, "observatory.txt"));
    const report = await engine.reload();
    // One passage of riverside.md changed (the Declaration's); all of observatory.txt's went.
    assert.deepEqual(report.changes, {
      added: [],
      removed: ["observatory.txt"],
      changed: ["riverside.md"],
      passagesAdded: 1,
      passagesRemoved: 1 + observatoryPassages,
    });
    assert.equal(engine.ask(DECLARATION_QUESTION).results[0]?.answer, OLD_DECLARATION.replace("May 4, 2019", "June 1, 2021"));
    assert.equal(engine.ask("When does the Hilltop Observatory open?").answered, false);
    assert.deepEqual(
      engine.sources().map((s) => s.path),
      ["riverside.md"],
    );
  });

  test("a reload with nothing changed reports no changes", async (t) => {
    const dir = await tempKnowledge(t);
    const engine = await AnswerEngine.open(dir);
    const report = await engine.reload();
    assert.deepEqual(report.changes, noChanges);
    assert.match(describeLoad(report), new RegExp(`^2 documents, ${report.passages} passages in \\d+ ms; no changes$`));
  });

  test("questions asked while a reload runs are all answered, from the old index and then the new one", async (t) => {
    const dir = await tempKnowledge(t);
    const engine = await AnswerEngine.open(dir);
    const NEW_DECLARATION = OLD_DECLARATION.replace("May 4, 2019", "June 1, 2021");
    await writeFile(path.join(dir, "riverside.md"), (await readFile(path.join(QA, "riverside.md"), "utf8")).replace("May 4, 2019", "June 1, 2021"));
    await writeFile(path.join(dir, "ferry.md"), FERRY);

    const seen: string[] = [];
    let settled = false;
    const reloading = engine.reload().finally(() => (settled = true));
    while (!settled) {
      for (let i = 0; i < 20; i++) {
        const answer = engine.ask(DECLARATION_QUESTION);
        assert.equal(answer.answered, true);
        seen.push(answer.results[0]?.answer ?? "(no result)");
        engine.ask("When does the island ferry leave?");
      }
      await nextTurn();
    }
    await reloading;
    seen.push(engine.ask(DECLARATION_QUESTION).results[0]?.answer ?? "(no result)");

    assert.ok(seen.length > 20, `asked ${seen.length} times`);
    assert.deepEqual(
      [...new Set(seen)].filter((s) => s !== OLD_DECLARATION && s !== NEW_DECLARATION),
      [],
      "every answer comes from the old or the new index",
    );
    const firstNew = seen.indexOf(NEW_DECLARATION);
    assert.equal(seen[0], OLD_DECLARATION, "during the rebuild the old index answers");
    assert.ok(firstNew > 0);
    assert.equal(seen.slice(firstNew).includes(OLD_DECLARATION), false, "once swapped, the old index never answers again");
    assert.equal(engine.ask("When does the island ferry leave?").answered, true);
  });

  test("a file that breaks keeps its last good version serving, and the report names it", async (t) => {
    const dir = await tempKnowledge(t);
    const engine = await AnswerEngine.open(dir);
    await writeFile(path.join(dir, "riverside.md"), "---\ntitle: [oops\n---\n\nThe declaration was torn up.\n");
    const report = await engine.reload();
    assert.deepEqual(report.errors, [
      {
        path: "riverside.md",
        reason:
          "cannot parse: markdown: invalid front matter in riverside.md: Flow sequence in block collection must be sufficiently indented and end with a ] at line 1, column 13 — still answering from its last good version",
      },
    ]);
    assert.deepEqual(report.changes, noChanges);
    assert.equal(report.documents, 2);
    assert.equal(engine.ask(DECLARATION_QUESTION).results[0]?.answer, OLD_DECLARATION);
    assert.match(describeLoad(report), /; 1 file\(s\) with problems: riverside\.md \(cannot parse: .* — still answering from its last good version\)$/);

    await writeFile(path.join(dir, "riverside.md"), Buffer.from([0x23, 0x20, 0x00, 0x00, 0xff, 0x0a]));
    const binary = await engine.reload();
    assert.deepEqual(binary.errors, [{ path: "riverside.md", reason: "binary file (contains NUL bytes) — still answering from its last good version" }]);
    assert.equal(engine.ask(DECLARATION_QUESTION).results[0]?.answer, OLD_DECLARATION);
  });

  test("a file that was never good is reported and not served", async (t) => {
    const dir = await tempKnowledge(t);
    const engine = await AnswerEngine.open(dir);
    await writeFile(path.join(dir, "empty.md"), "");
    const report = await engine.reload();
    assert.deepEqual(report.errors, [{ path: "empty.md", reason: "empty file" }]);
    assert.deepEqual(report.changes, noChanges);
    assert.equal(report.documents, 2);
  });

  test("deleting the whole folder makes reload reject with a KnowledgeError naming it, and the old index keeps answering", async (t) => {
    const dir = await tempKnowledge(t);
    const engine = await AnswerEngine.open(dir);
    const before: LoadReport = engine.lastLoad;
    await rm(dir, { recursive: true, force: true });

    await assert.rejects(engine.reload(), (error: unknown) => {
      assert.ok(error instanceof KnowledgeError);
      assert.equal(error.message, `knowledge: folder not found: ${dir}`);
      return true;
    });
    assert.equal(engine.lastLoad, before);
    assert.equal(engine.ask(DECLARATION_QUESTION).results[0]?.answer, OLD_DECLARATION);

    // When it comes back, reloading works again.
    await cp(QA, dir, { recursive: true });
    await writeFile(path.join(dir, "ferry.md"), FERRY);
    const report = await engine.reload();
    assert.deepEqual(report.changes.added, ["ferry.md"]);
  });

  test("an emptied folder makes reload reject and keeps the old index", async (t) => {
    const dir = await tempKnowledge(t);
    const engine = await AnswerEngine.open(dir);
    await unlink(path.join(dir, "riverside.md"));
    await unlink(path.join(dir, "observatory.txt"));
    await assert.rejects(engine.reload(), {
      name: "KnowledgeError",
      message: `knowledge: no usable knowledge files in ${dir} (add .md, .markdown, .mdx, .txt or .html files)`,
    });
    assert.equal(engine.ask(DECLARATION_QUESTION).answered, true);
  });

  test("opening a folder whose only file is broken fails and names the file and the problem", async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "kb-reload-"));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(path.join(dir, "blank.txt"), "\n\n");
    await assert.rejects(AnswerEngine.open(dir), {
      name: "KnowledgeError",
      message: `knowledge: no usable knowledge files in ${dir} (add .md, .markdown, .mdx, .txt or .html files); problems: blank.txt: empty file (only whitespace)`,
    });
  });

  test("reload() calls made during a reload share it and cause exactly one more rebuild", async (t) => {
    const dir = await tempKnowledge(t);
    const lines: string[] = [];
    const engine = await AnswerEngine.open(dir, { logger: createLogger("info", (line) => lines.push(line)) });
    /** Each finished rebuild logs one "reloaded" line. */
    const rebuilds = () => lines.filter((l) => l.includes("knowledge: reloaded: ")).length;
    assert.equal(rebuilds(), 0);

    const first = engine.reload();
    await writeFile(path.join(dir, "ferry.md"), FERRY);
    const second = engine.reload();
    const third = engine.reload();
    assert.equal(second, first);
    assert.equal(third, first);
    const report = await first;
    assert.equal(rebuilds(), 2, "the first build and one more for the calls made during it");
    assert.equal(report.documents, 3);
    assert.equal(engine.lastLoad, report);
    assert.equal(engine.ask("When does the island ferry leave?").answered, true, "the change made during the first build is picked up");

    const later = engine.reload();
    assert.notEqual(later, first);
    await later;
    assert.equal(rebuilds(), 3, "a reload after the last one settled is a new, single build");
  });
});

describe("watchKnowledge", () => {
  const DEBOUNCE_MS = 100;
  /** Long enough after the debounce for a stray extra call to have happened. */
  const QUIET_MS = DEBOUNCE_MS * 5;

  async function watched(t: TestContext) {
    const dir = await mkdtemp(path.join(os.tmpdir(), "kb-watch-"));
    t.after(() => rm(dir, { recursive: true, force: true }));
    let calls = 0;
    let wake: (() => void) | undefined;
    const watcher = watchKnowledge(
      dir,
      () => {
        calls++;
        wake?.();
      },
      { debounceMs: DEBOUNCE_MS, logger: silentLogger },
    );
    t.after(() => watcher.close());
    await watcher.ready;
    return {
      dir,
      watcher,
      calls: () => calls,
      /** Resolves at the next call of the callback. */
      nextCall: () => guard(new Promise<void>((resolve) => (wake = resolve)), "the watch callback"),
    };
  }

  test("a burst of writes triggers the callback once, after it settles", async (t) => {
    const w = await watched(t);
    const called = w.nextCall();
    for (let i = 0; i < 5; i++) await writeFile(path.join(w.dir, `note-${i}.md`), `# Note ${i}\n\nText ${i}.\n`);
    await writeFile(path.join(w.dir, "note-0.md"), "# Note 0\n\nChanged.\n");
    await called;
    await pause(QUIET_MS);
    assert.equal(w.calls(), 1);
  });

  test("a file written in a subfolder triggers the callback", async (t) => {
    const w = await watched(t);
    await mkdir(path.join(w.dir, "guides"));
    const called = w.nextCall();
    await writeFile(path.join(w.dir, "guides", "deep.md"), "# Deep\n\nText.\n");
    await called;
    assert.ok(w.calls() >= 1);
  });

  test("hidden files such as the index snapshot do not trigger it, and nothing does after close()", async (t) => {
    const w = await watched(t);
    await writeFile(path.join(w.dir, ".index-snapshot.json"), "{}");
    await pause(QUIET_MS);
    assert.equal(w.calls(), 0, "hidden file ignored");

    w.watcher.close();
    await writeFile(path.join(w.dir, "after-close.md"), "# After\n\nText.\n");
    await pause(QUIET_MS);
    assert.equal(w.calls(), 0, "closed watcher stays quiet");
  });

  test("a watched folder and a reloading engine serve a new file once the burst settles", async (t) => {
    const dir = await tempKnowledge(t);
    const engine = await AnswerEngine.open(dir);
    let reloaded: (report: LoadReport) => void = () => undefined;
    const done = guard(new Promise<LoadReport>((resolve) => (reloaded = resolve)), "the reload after a change");
    const watcher = watchKnowledge(dir, () => void engine.reload().then(reloaded), { debounceMs: DEBOUNCE_MS, logger: silentLogger });
    t.after(() => watcher.close());
    await watcher.ready;

    await writeFile(path.join(dir, "ferry.md"), FERRY);
    const report = await done;
    assert.deepEqual(report.changes.added, ["ferry.md"]);
    assert.equal(engine.ask("When does the island ferry leave?").results[0]?.source.path, "ferry.md");
  });
});
