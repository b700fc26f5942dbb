/**
 * Plain-text ingestion (.txt) on the hand-made folder test/fixtures/engine/text, plus parseText's
 * rules for titles, headings and lists. Loads without the hygiene cleaner: exact parser output.
 */
import assert from "node:assert/strict";
import { knowledgeFixture } from "./support/knowledge-fixture.ts";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { loadFile } from "../src/knowledge/load.ts";
import { parseText } from "../src/knowledge/text.ts";

const { set: fixtureSet, doc } = knowledgeFixture("text");

/** What parseText makes of a source: title, sections, and [kind, text, line, section] per block. */
function parsed(source: string, file = "notes.txt") {
  const d = parseText(source, file);
  return { title: d.title, sections: d.sections, blocks: d.blocks.map((b) => [b.kind, b.text, b.line, b.section]) };
}

describe("text documents", () => {
  test("both text files load with nothing skipped or broken", () => {
    assert.deepEqual(
      fixtureSet().documents.map((d) => d.path),
      ["harbour-news.txt", "tides.txt"],
    );
    assert.deepEqual(fixtureSet().errors, []);
    assert.deepEqual(fixtureSet().skipped, []);
  });

  test("the first line of a .txt file is its title", () => {
    assert.equal(doc("harbour-news.txt").title, "Harbour Council Approves New Pier");
    assert.equal(doc("tides.txt").title, "Tide Table Notes");
  });

  test("short lines without closing punctuation between blank lines are section headings", () => {
    assert.deepEqual(doc("harbour-news.txt").sections, ["Funding and costs", "Local reactions"]);
  });

  test("a news article becomes exactly these passages, with numbers, lines and sections", () => {
    const source = { path: "harbour-news.txt", title: "Harbour Council Approves New Pier" };
    assert.deepEqual(doc("harbour-news.txt").passages, [
      {
        id: "harbour-news.txt#1",
        text: "The harbour council voted on Tuesday to build a new pier at the east end of the harbour. Work will start in spring and should take two years.",
        kind: "prose",
        source: { ...source, section: [], passage: 1, line: 3 },
      },
      {
        id: "harbour-news.txt#2",
        text: "The pier will cost 4.2 million euros, shared between the council and the regional fund.\n\n- twelve berths for fishing boats\n- a fuel station\n  open all year\n- a ferry landing",
        kind: "prose",
        source: { ...source, section: ["Funding and costs"], passage: 2, line: 9 },
      },
      {
        id: "harbour-news.txt#3",
        text: 'Local fishermen welcomed the decision. "We have waited ten years for this," said one. Others worried about traffic on the harbour road.',
        kind: "prose",
        source: { ...source, section: ["Local reactions"], passage: 3, line: 19 },
      },
    ]);
  });

  test("a hard-wrapped paragraph becomes one passage line", () => {
    assert.equal(
      doc("harbour-news.txt").passages[0]?.text,
      "The harbour council voted on Tuesday to build a new pier at the east end of the harbour. Work will start in spring and should take two years.",
    );
  });

  test("list items stay one per line, with a continuation line's indentation kept", () => {
    assert.ok(
      doc("harbour-news.txt").passages[1]?.text.endsWith("\n\n- twelve berths for fishing boats\n- a fuel station\n  open all year\n- a ferry landing"),
    );
  });

  test("a text document has no links and no keywords", () => {
    for (const p of fixtureSet().documents.flatMap((d) => d.passages)) {
      assert.equal("url" in p.source, false);
      assert.equal("keywords" in p, false);
    }
  });

  test("a title followed by a blank line leaves the body starting on line 3", () => {
    assert.deepEqual(doc("tides.txt").passages, [
      {
        id: "tides.txt#1",
        text: "High tide comes about fifty minutes later each day.",
        kind: "prose",
        source: { path: "tides.txt", title: "Tide Table Notes", section: [], passage: 1, line: 3 },
      },
    ]);
  });
});

describe("parseText rules", () => {
  test("a title line directly followed by text leaves that text as the first block, from line 2", () => {
    assert.deepEqual(parsed("Title line\nfirst para line\nsecond\n"), {
      title: "Title line",
      sections: [],
      blocks: [["prose", "first para line second", 2, []]],
    });
  });

  test("leading blank lines and spaces around the title are ignored", () => {
    assert.deepEqual(parsed("\n\n  Indented   title  \n\nBody.\n"), {
      title: "Indented title",
      sections: [],
      blocks: [["prose", "Body.", 5, []]],
    });
  });

  test("a first line longer than 200 characters is text, and the file name is the title", () => {
    const long = "A".repeat(201);
    assert.deepEqual(parsed(`${long}\n\nBody text.\n`, "folder/my-notes_file.txt"), {
      title: "my notes file",
      sections: [],
      blocks: [
        ["prose", long, 1, []],
        ["prose", "Body text.", 3, []],
      ],
    });
  });

  test("punctuated lines, list items, URLs, numbers, questions and single letters are not headings", () => {
    const source = "Title\n\nA heading here\n\nEnds with a period.\n\nhttps://example.org/a\n\n- item\n\n1) numbered\n\n42 99\n\nWhat is this?\n\nx\n";
    assert.deepEqual(parsed(source), {
      title: "Title",
      sections: [["A heading here"]],
      blocks: [
        ["prose", "Ends with a period.", 5, ["A heading here"]],
        ["prose", "https://example.org/a", 7, ["A heading here"]],
        ["list", "- item", 9, ["A heading here"]],
        ["list", "1) numbered", 11, ["A heading here"]],
        ["prose", "42 99", 13, ["A heading here"]],
        ["prose", "What is this?", 15, ["A heading here"]],
        ["prose", "x", 17, ["A heading here"]],
      ],
    });
  });

  test("a heading replaces the previous one: text sections are one level deep", () => {
    assert.deepEqual(parsed("Title\n\nFirst part here\n\nOne.\n\nSecond part here\n\nTwo.\n"), {
      title: "Title",
      sections: [["First part here"], ["Second part here"]],
      blocks: [
        ["prose", "One.", 5, ["First part here"]],
        ["prose", "Two.", 9, ["Second part here"]],
      ],
    });
  });

  test("a line introducing a list keeps the list items on their own lines, as a list block after it", () => {
    assert.deepEqual(parsed("Title\n\nWhat the pier will hold:\n- twelve berths\n- a fuel station\n  open all year\n"), {
      title: "Title",
      sections: [],
      blocks: [
        ["prose", "What the pier will hold:", 3, []],
        ["list", "- twelve berths\n- a fuel station\n  open all year", 4, []],
      ],
    });
  });
});

describe("text encodings", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "kb-text-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("Windows line endings and a byte-order mark give the same passages as Unix text", async () => {
    await writeFile(path.join(dir, "unix.txt"), "Ferry Times\n\nThe first ferry leaves\nat seven.\n");
    await writeFile(path.join(dir, "windows.txt"), "\uFEFFFerry Times\r\n\r\nThe first ferry leaves\r\nat seven.\r\n");
    const unix = await loadFile(dir, "unix.txt");
    const windows = await loadFile(dir, "windows.txt");
    assert.ok("document" in unix && "document" in windows);
    assert.equal(windows.document.title, "Ferry Times");
    assert.deepEqual(
      windows.document.passages.map((p) => [p.text, p.source.line]),
      [["The first ferry leaves at seven.", 3]],
    );
    assert.deepEqual(
      windows.document.passages.map((p) => p.text),
      unix.document.passages.map((p) => p.text),
    );
  });

  test("zero-width characters are removed from the text", async () => {
    await writeFile(path.join(dir, "zw.txt"), "Notes\n\nThe pi\u200Ber is\u2060 open.\n");
    const result = await loadFile(dir, "zw.txt");
    assert.ok("document" in result);
    assert.equal(result.document.passages[0]?.text, "The pier is open.");
  });

  test("a text file with only a title has no text to answer from", async () => {
    await writeFile(path.join(dir, "title-only.txt"), "Just A Title\n");
    assert.deepEqual(await loadFile(dir, "title-only.txt"), {
      error: { path: "title-only.txt", reason: "no text to answer from (only headings, markup or code directives)" },
    });
  });
});
