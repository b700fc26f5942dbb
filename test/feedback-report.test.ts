/**
 * The gaps report: unanswered questions grouped by their content words, answers voted down with their
 * feedback, documents and sections most and least shown (never-shown ones included), outcomes per day;
 * and the suggested fix for a gap, from the engine's closest passage.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import { AnswerEngine } from "../src/answer/engine.ts";
import { gapsReport, suggestFix, windowStart, type GapsReport } from "../src/feedback/report.ts";
import { KNOWLEDGE, QUESTIONS, tempDir } from "./support/feedback.ts";

const QA = path.join(import.meta.dirname, "fixtures", "engine", "qa");
const NOW = Date.parse("2026-05-20T12:00:00Z");
const at = (iso: string) => Date.parse(iso);
const LIBRARY = { key: "L1", path: "riverside.md", section: ["Orchard Library"] };

describe("gapsReport", () => {
  const report = gapsReport(QUESTIONS, KNOWLEDGE, { days: 3, now: NOW });

  test("the window is whole UTC days ending today, and counts each day's outcomes", () => {
    assert.equal(windowStart(3, NOW), at("2026-05-18T00:00:00Z"));
    assert.deepEqual(
      { from: report.from, to: report.to, days: report.days, totals: report.totals },
      {
        from: "2026-05-18",
        to: "2026-05-20",
        days: 3,
        totals: { questions: 7, answered: 3, unsure: 2, "no-match": 2 },
      },
    );
    assert.deepEqual(report.perDay, [
      { day: "2026-05-18", answered: 0, unsure: 0, "no-match": 1 },
      { day: "2026-05-19", answered: 1, unsure: 0, "no-match": 1 },
      { day: "2026-05-20", answered: 2, unsure: 2, "no-match": 0 },
    ]);
  });

  test("unanswered questions are grouped when they share their content words, most often first", () => {
    assert.deepEqual(report.gaps, [
      {
        question: "rent kayak",
        count: 3,
        outcome: "no-match",
        outcomes: { unsure: 1, "no-match": 2 },
        wordings: ["rent kayak", "how do i rent kayaks", "How do I rent a kayak?"],
        terms: ["kayak", "rent"],
        lastAsked: "2026-05-20T09:00:00.000Z",
      },
      {
        question: "Kayak rental prices?",
        count: 1,
        outcome: "unsure",
        outcomes: { unsure: 1, "no-match": 0 },
        wordings: ["Kayak rental prices?"],
        terms: ["kayak", "price", "rental"],
        lastAsked: "2026-05-20T08:00:00.000Z",
      },
    ]);
  });

  test("answers voted down are grouped by the passage that answered, with their questions and feedback", () => {
    assert.deepEqual(report.disliked, [
      {
        passage: LIBRARY,
        down: 3,
        up: 1,
        questions: ["Who runs the library?", "Who runs the library on Sundays?"],
        feedback: ["It does not say who exactly", "Sundays?"],
      },
    ]);
  });

  test("documents and sections most shown, and least shown from the knowledge's own list (never-shown ones too)", () => {
    assert.deepEqual(report.documents, {
      most: [
        { path: "riverside.md", title: "Riverside Town Guide", shown: 4, first: 4 },
        { path: "observatory.txt", title: "Hilltop Observatory", shown: 1, first: 0 },
        { path: "old.md", title: "old.md", shown: 1, first: 0, gone: true },
      ],
      least: [{ path: "notices.md", title: "Notices", shown: 0, first: 0 }],
    });
    assert.deepEqual(report.sections, {
      most: [
        { path: "riverside.md", title: "Riverside Town Guide", section: ["Orchard Library"], shown: 2, first: 2 },
        { path: "riverside.md", title: "Riverside Town Guide", section: ["Harbor Museum"], shown: 2, first: 2 },
        { path: "old.md", title: "old.md", section: ["Gone"], shown: 1, first: 0, gone: true },
      ],
      least: [
        { path: "riverside.md", title: "Riverside Town Guide", section: ["Riverside Declaration"], shown: 0, first: 0 },
        { path: "notices.md", title: "Notices", section: ["Notices"], shown: 0, first: 0 },
      ],
    });
  });

  test("limit caps every list", () => {
    const small: GapsReport = gapsReport(QUESTIONS, KNOWLEDGE, { days: 3, now: NOW, limit: 1 });
    assert.deepEqual(
      [small.gaps, small.disliked, small.documents.most, small.documents.least, small.sections.most, small.sections.least].map((list) => list.length),
      [1, 1, 1, 1, 1, 1],
    );
  });

  test("an empty log gives zero counts for every day, and the whole knowledge as least shown", () => {
    const empty = gapsReport([], KNOWLEDGE, { days: 2, now: NOW });
    assert.deepEqual(empty.perDay, [
      { day: "2026-05-19", answered: 0, unsure: 0, "no-match": 0 },
      { day: "2026-05-20", answered: 0, unsure: 0, "no-match": 0 },
    ]);
    assert.deepEqual([empty.gaps, empty.disliked, empty.documents.most], [[], [], []]);
    assert.deepEqual(
      empty.documents.least.map((u) => u.path),
      ["riverside.md", "observatory.txt", "notices.md"],
    );
  });
});

describe("suggestFix", () => {
  let engine: AnswerEngine;
  before(async () => {
    engine = await AnswerEngine.open(QA);
  });

  test("an unanswered question gets its closest passage, the words that passage lacks and an alias for its section", async () => {
    const fix = await suggestFix("library kayak", engine);
    assert.deepEqual(fix, {
      now: "weak",
      passage: {
        key: "cNTCNfJUCEJT",
        path: "riverside.md",
        title: "Riverside Town Guide",
        section: ["Orchard Library"],
        answer: "The Orchard Library lends books, maps and garden tools to every resident of Riverside.",
      },
      missing: ["kayak"],
      offered: ["orchard", "lends", "books", "maps", "garden", "tools", "resident", "riverside"],
      alias: { path: "riverside.md", section: ["Orchard Library"], phrase: "library kayak" },
    });
  });

  test("a question with no match gets the nearest passage that shares a word with it, marked weak", async () => {
    const fix = await suggestFix("Can I borrow a kayak at the library?", engine);
    assert.equal(fix?.now, "weak");
    assert.equal(fix?.passage.key, "cNTCNfJUCEJT");
    assert.deepEqual(fix?.missing, ["borrow", "kayak"]);
    assert.ok(fix?.offered.includes("lends"), String(fix?.offered));
  });

  test("a question that shares no word with the knowledge gets no suggestion", async () => {
    assert.equal(await suggestFix("How do I rent a kayak?", engine), undefined);
  });

  test("a question the engine answers now says so", async () => {
    const fix = await suggestFix("Who runs the library?", engine);
    assert.equal(fix?.now, "answered");
    assert.equal(fix?.passage.section[0], "Orchard Library");
  });
});

test("a gap of one word against one word gets a synonyms line", async (t) => {
  const dir = await tempDir(t, "kb-synonym-");
  await writeFile(path.join(dir, "account.md"), "# Account\n\n## Security\n\nChange your password.\n");
  await writeFile(path.join(dir, "billing.md"), "# Billing\n\nInvoices arrive by email at the start of each month.\n");
  const fix = await suggestFix("change passcode", await AnswerEngine.open(dir));
  assert.deepEqual(fix, {
    now: "weak",
    passage: { key: fix?.passage.key, path: "account.md", title: "Account", section: ["Security"], answer: "Change your password." },
    missing: ["passcode"],
    offered: ["password"],
    alias: { path: "account.md", section: ["Security"], phrase: "change passcode" },
    synonym: "passcode, password",
  });
});
