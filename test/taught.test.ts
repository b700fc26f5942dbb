/**
 * Taught phrases at index time (answer/taught.ts through the builder): a teach record becomes an alias of
 * its passage (or of its section's passages once the passage was edited), the question and a close
 * rewording then find that passage first, a reload picks up a teach or its undo, and a snapshot made with
 * other phrases is not reused.
 */
import assert from "node:assert/strict";
import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, test, type TestContext } from "node:test";
import { passageKey } from "../src/answer/ask.ts";
import { snapshotPathFor } from "../src/answer/builder.ts";
import { AnswerEngine } from "../src/answer/engine.ts";
import { applyTaught, type TaughtAlias } from "../src/answer/taught.ts";
import { ThreadedEngine } from "../src/answer/threaded.ts";
import type { KnowledgeDocument, Passage } from "../src/knowledge/types.ts";
import { createLogger } from "../src/log.ts";

const KNOWLEDGE = path.join(import.meta.dirname, "fixtures", "discord-knowledge");
const VISITING_KEY = "pNV5dzpTCogz";
const DOG: TaughtAlias = { path: "harbor-lighthouse.md", section: ["Visiting"], passageKey: VISITING_KEY, phrases: ["can I bring my dog"] };

function passage(n: number, section: string[], text: string, aliases?: string[]): Passage {
  return { id: `a.md#${n}`, text, kind: "prose", source: { path: "a.md", title: "A", section, passage: n, line: n }, ...(aliases ? { aliases } : {}) };
}

const DOCUMENT: KnowledgeDocument = {
  path: "a.md",
  title: "A",
  sections: ["One", "Two"],
  passages: [passage(1, ["One"], "First passage.", ["front matter"]), passage(2, ["Two"], "Second passage."), passage(3, ["Two"], "Third passage.")],
  flagged: [],
};

async function copy(t: TestContext): Promise<{ dir: string; snapshot: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), "kb-taught-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  const dir = path.join(root, "knowledge");
  await cp(KNOWLEDGE, dir, { recursive: true });
  return { dir, snapshot: snapshotPathFor(path.join(root, "cache"), dir) };
}

function firstOf(engine: { ask: AnswerEngine["ask"] }, question: string): string | undefined {
  const answer = engine.ask(question);
  return answer.answered ? answer.results[0]?.key : undefined;
}

describe("taught phrases", () => {
  test("join the aliases of the passage their key names, and of no other", () => {
    const [doc] = applyTaught(
      [DOCUMENT],
      [
        { path: "a.md", section: ["One"], passageKey: "unused", phrases: [] },
        { path: "a.md", section: ["Two"], passageKey: keyOf(DOCUMENT.passages[2]), phrases: ["third one"] },
      ],
    );
    assert.deepEqual(
      doc?.passages.map((p) => p.aliases),
      [["front matter"], undefined, ["third one"]],
    );
    assert.equal(DOCUMENT.passages[2]?.aliases, undefined, "the documents given are left as they were");
  });

  test("whose passage was edited join every passage of its section; with the section gone, nowhere", () => {
    const [doc] = applyTaught(
      [DOCUMENT],
      [
        { path: "a.md", section: ["Two"], passageKey: "editedSince", phrases: ["second or third"] },
        { path: "a.md", section: ["Gone"], phrases: ["lost"] },
        { path: "other.md", section: ["Two"], phrases: ["elsewhere"] },
      ],
    );
    assert.deepEqual(
      doc?.passages.map((p) => p.aliases),
      [["front matter"], ["second or third"], ["second or third"]],
    );
  });

  test("are not repeated on a passage that already holds them", () => {
    const [doc] = applyTaught([DOCUMENT], [{ path: "a.md", section: ["One"], phrases: ["front matter", "FRONT matter?"] }]);
    assert.deepEqual(doc?.passages[0]?.aliases, ["front matter", "FRONT matter?"]);
  });

  test("make the question and a close rewording find the passage first, and a reload undoes them", async (t) => {
    const { dir } = await copy(t);
    let taught: TaughtAlias[] = [];
    const engine = await AnswerEngine.open(dir, { taught: () => taught });
    assert.equal(firstOf(engine, "can I bring my dog"), undefined);
    taught = [DOG];
    await engine.reload();
    assert.equal(firstOf(engine, "can I bring my dog"), VISITING_KEY);
    assert.equal(firstOf(engine, "could I bring my dogs?"), VISITING_KEY);
    taught = [];
    await engine.reload();
    assert.equal(firstOf(engine, "can I bring my dog"), undefined);
  });

  test("reach an engine in a worker thread, asked for again on each reload", async (t) => {
    const { dir } = await copy(t);
    let taught: TaughtAlias[] = [];
    let reads = 0;
    const engine = await ThreadedEngine.open(dir, { taught: () => (reads++, taught) });
    t.after(() => engine.close());
    assert.equal((await engine.ask("can I bring my dog")).answered, false);
    taught = [DOG];
    await engine.reload();
    const answer = await engine.ask("can I bring my dog");
    assert.equal(answer.answered && answer.results[0]?.key, VISITING_KEY);
    assert.equal(reads, 2);
  });

  test("are part of the snapshot's content: other phrases rebuild, the same phrases reuse it", async (t) => {
    const { dir, snapshot } = await copy(t);
    const plain = await AnswerEngine.open(dir, { snapshot });
    assert.equal(plain.lastLoad.source, "files");
    const taught = await AnswerEngine.open(dir, { snapshot, taught: () => [DOG] });
    assert.equal(taught.lastLoad.source, "files");
    assert.equal(firstOf(taught, "can I bring my dog"), VISITING_KEY);
    const again = await AnswerEngine.open(dir, { snapshot, taught: () => [DOG] });
    assert.equal(again.lastLoad.source, "snapshot");
    assert.equal(firstOf(again, "can I bring my dog"), VISITING_KEY);
    const untaught = await AnswerEngine.open(dir, { snapshot });
    assert.equal(untaught.lastLoad.source, "files");
    assert.equal(firstOf(untaught, "can I bring my dog"), undefined);
  });

  test("a source that fails builds without them, with a log line naming the failure", async (t) => {
    const { dir } = await copy(t);
    const lines: string[] = [];
    const engine = await AnswerEngine.open(dir, {
      logger: createLogger("debug", (line) => lines.push(line)),
      taught: () => {
        throw new Error("database locked");
      },
    });
    assert.equal(engine.lastLoad.documents, 4);
    assert.ok(lines.some((line) => line.includes("could not read the taught phrases, building without them: database locked")));
  });
});

function keyOf(p: Passage | undefined): string {
  if (!p) throw new Error("Expected a passage, got none");
  return passageKey(p);
}
