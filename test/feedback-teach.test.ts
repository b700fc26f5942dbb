/**
 * Teach records: stored and removed one by one, grouped into the aliases index building needs, exported
 * as a YAML file by document and section, and resolved against the current knowledge (the passage, or its
 * section when the passage has changed).
 */
import assert from "node:assert/strict";
import path from "node:path";
import { before, describe, test } from "node:test";
import { parse } from "yaml";
import { AnswerEngine } from "../src/answer/engine.ts";
import { aliasesYaml } from "../src/feedback/export.ts";
import { FeedbackStore } from "../src/feedback/store.ts";
import { groupAliases, resolveAlias, TAUGHT_PHRASE_MAX_LENGTH, TeachRecords } from "../src/feedback/teach.ts";
import { capturingLogger, tempDir } from "./support/feedback.ts";

const QA = path.join(import.meta.dirname, "fixtures", "engine", "qa");
const NOW = Date.parse("2026-05-20T12:00:00Z");

async function records(t: import("node:test").TestContext): Promise<TeachRecords> {
  const store = FeedbackStore.open({ dir: await tempDir(t), retentionDays: 30, logger: capturingLogger(), now: () => NOW });
  t.after(() => store.close());
  return new TeachRecords(store, () => NOW);
}

describe("teach records", () => {
  test("are stored with their passage, listed oldest first, and removed one at a time", async (t) => {
    const teach = await records(t);
    assert.deepEqual(teach.teach("  Can I   borrow a kayak? ", { path: "riverside.md", section: ["Orchard Library"], passageKey: "cNTCNfJUCEJT" }), {
      ok: true,
      id: 1,
    });
    assert.deepEqual(teach.teach("museum tickets", { path: "riverside.md", section: ["Harbor Museum"] }), { ok: true, id: 2 });
    assert.deepEqual(teach.list(), [
      { id: 1, question: "Can I borrow a kayak?", path: "riverside.md", section: ["Orchard Library"], passageKey: "cNTCNfJUCEJT", taughtAt: NOW },
      { id: 2, question: "museum tickets", path: "riverside.md", section: ["Harbor Museum"], taughtAt: NOW },
    ]);
    assert.equal(teach.remove(1), true);
    assert.equal(teach.remove(1), false);
    assert.deepEqual(
      teach.list()?.map((r) => r.id),
      [2],
    );
  });

  test("an empty or over-long phrase is refused", async (t) => {
    const teach = await records(t);
    const target = { path: "riverside.md", section: [] };
    assert.deepEqual(teach.teach(" \n ", target), { ok: false, reason: "empty" });
    assert.deepEqual(teach.teach("x".repeat(TAUGHT_PHRASE_MAX_LENGTH + 1), target), { ok: false, reason: "too-long" });
    assert.deepEqual(teach.teach("x".repeat(TAUGHT_PHRASE_MAX_LENGTH), target), { ok: true, id: 1 });
  });

  test("taught aliases group the phrases by passage, without repeats, sorted by document and section", async (t) => {
    const teach = await records(t);
    teach.teach("museum tickets", { path: "riverside.md", section: ["Harbor Museum"] });
    teach.teach("Can I borrow a kayak?", { path: "riverside.md", section: ["Orchard Library"], passageKey: "cNTCNfJUCEJT" });
    teach.teach("star gazing", { path: "observatory.txt", section: [] });
    teach.teach("can i borrow a KAYAK?", { path: "riverside.md", section: ["Orchard Library"], passageKey: "cNTCNfJUCEJT" });
    teach.teach("lending library", { path: "riverside.md", section: ["Orchard Library"], passageKey: "cNTCNfJUCEJT" });
    assert.deepEqual(teach.taughtAliases(), [
      { path: "observatory.txt", section: [], phrases: ["star gazing"] },
      { path: "riverside.md", section: ["Harbor Museum"], phrases: ["museum tickets"] },
      { path: "riverside.md", section: ["Orchard Library"], passageKey: "cNTCNfJUCEJT", phrases: ["Can I borrow a kayak?", "lending library"] },
    ]);
  });

  test("the export is YAML by document path, then section heading path, then phrases", async (t) => {
    const teach = await records(t);
    teach.teach("museum tickets", { path: "riverside.md", section: ["Harbor Museum"] });
    teach.teach("Can I borrow a kayak?", { path: "riverside.md", section: ["Orchard Library"], passageKey: "cNTCNfJUCEJT" });
    teach.teach("Where are the lenders?", { path: "riverside.md", section: ["Orchard Library"], passageKey: "another-key" });
    teach.teach("star gazing: when?", { path: "observatory.txt", section: [] });
    teach.teach("night sky", { path: "guide/sky.md", section: ["Seeing", "At night"] });
    const yaml = aliasesYaml(groupAliases(teach.list() ?? []));
    assert.equal(
      yaml,
      `# Phrases operators taught the bot: each should find its document's section.
# document path → section heading path ("" for the text before the first heading) → phrases.
# Made by \`npm run gaps -- --export-aliases\` from the teach records; move it into the knowledge folder and commit it.
guide/sky.md:
  Seeing › At night:
    - night sky
observatory.txt:
  "":
    - "star gazing: when?"
riverside.md:
  Harbor Museum:
    - museum tickets
  Orchard Library:
    - Can I borrow a kayak?
    - Where are the lenders?
`,
    );
    assert.deepEqual(parse(yaml), {
      "guide/sky.md": { "Seeing › At night": ["night sky"] },
      "observatory.txt": { "": ["star gazing: when?"] },
      "riverside.md": { "Harbor Museum": ["museum tickets"], "Orchard Library": ["Can I borrow a kayak?", "Where are the lenders?"] },
    });
    assert.equal(aliasesYaml([]).endsWith("\n{}\n"), true);
  });
});

describe("resolving a taught alias against the knowledge", () => {
  let engine: AnswerEngine;
  before(async () => {
    engine = await AnswerEngine.open(QA);
  });

  test("finds its passage by key, its section when the key is gone, else only its document, else nothing", async () => {
    const alias = { path: "riverside.md", section: ["Orchard Library"], passageKey: "cNTCNfJUCEJT", phrases: ["Can I borrow a kayak?"] };
    assert.equal(engine.passage("cNTCNfJUCEJT")?.source.path, "riverside.md");
    assert.equal(await resolveAlias(alias, engine), "passage");
    assert.equal(await resolveAlias({ ...alias, passageKey: "edited-away" }, engine), "section");
    assert.equal(await resolveAlias({ ...alias, passageKey: "edited-away", section: ["Reading Room"] }, engine), "document");
    assert.equal(await resolveAlias({ ...alias, path: "library.md" }, engine), "gone");
  });
});
