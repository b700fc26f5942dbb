/**
 * The gaps report as text (a terminal's, with sparklines), as chat-sized chunks with the asked text
 * escaped, and the outcomes per day as a PNG chart.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { describe, test } from "node:test";
import { CHART_HEIGHT, CHART_WIDTH, outcomesChart } from "../src/feedback/chart.ts";
import { reportForChat } from "../src/feedback/chat.ts";
import { chunkLines, reportChunks, reportText, shellQuote, sparkline } from "../src/feedback/render.ts";
import { gapsReport, type GapsReport } from "../src/feedback/report.ts";
import { KNOWLEDGE, QUESTIONS } from "./support/feedback.ts";

const NOW = Date.parse("2026-05-20T12:00:00Z");

function sampleReport(): GapsReport {
  const report = gapsReport(QUESTIONS, KNOWLEDGE, { days: 3, now: NOW });
  const [first, second] = report.gaps;
  assert.ok(first && second);
  const suggestion = {
    now: "weak" as const,
    passage: {
      key: "L1",
      path: "riverside.md",
      title: "Riverside Town Guide",
      section: ["Orchard Library"],
      answer: "The Orchard Library lends books, maps and garden tools.",
    },
    missing: ["rent", "kayak"],
    offered: ["orchard", "lends", "books"],
    alias: { path: "riverside.md", section: ["Orchard Library"], phrase: "rent kayak" },
  };
  return { ...report, gaps: [{ ...first, suggestion }, second] };
}

describe("the report as text", () => {
  test("a sparkline has one bar per value on a common scale, and a space for zero", () => {
    assert.equal(sparkline([0, 1, 2, 4, 8]), " ▁▂▄█");
    assert.equal(sparkline([1, 1], 8), "▁▁");
    assert.equal(sparkline([0, 0]), "  ");
  });

  test("the terminal report: totals, sparklines per outcome, gaps with their fixes, answers voted down, usage", () => {
    assert.equal(
      reportText(sampleReport(), { teachHint: (question, key) => `teach ${shellQuote(question)} ${key}` }),
      `7 questions from 2026-05-18 to 2026-05-20 (UTC): 3 answered, 2 unsure, 2 no-match.

Per day, 2026-05-18 to 2026-05-20:
  answered   ▄█  3
  unsure      █  2
  no-match  ▄▄   2

Asked and not answered, most often first:
1. "rent kayak": asked 3×, 2 no-match and 1 unsure (also asked as "how do i rent kayaks", "How do I rent a kayak?")
   Closest passage, sharing only some of its words: Riverside Town Guide › Orchard Library (riverside.md, key L1)
     "The Orchard Library lends books, maps and garden tools."
     It lacks: rent, kayak
   Fix, if that passage answers it: an alias in riverside.md, section "Orchard Library": aliases: ["rent kayak"]
     or synonyms lines "rent, …", "kayak, …" with the passage's words for them (its answer has: orchard, lends, books)
     or teach it: teach 'rent kayak' L1
   If it does not, write a passage that answers it.
2. "Kayak rental prices?": asked 1×, unsure
   Nothing in the knowledge shares its words: write a passage that answers it.

Answers voted 👎, most often first:
1. 👎 3  👍 1  riverside.md › Orchard Library (key L1)
   for: "Who runs the library?", "Who runs the library on Sundays?"
   feedback: "It does not say who exactly"
   feedback: "Sundays?"

Documents most shown: riverside.md (4, 4 first); observatory.txt (1); old.md (1, no longer in the knowledge)
Documents least shown: notices.md (0)
Sections most shown: riverside.md › Orchard Library (2, 2 first); riverside.md › Harbor Museum (2, 2 first); old.md › Gone (1, no longer in the knowledge)
Sections least shown: riverside.md › Riverside Declaration (0); notices.md › Notices (0)
`,
    );
  });

  test("a single-word gap with a synonym shows the synonyms line itself", () => {
    const report = sampleReport();
    const [first] = report.gaps;
    assert.ok(first?.suggestion);
    const text = reportText({
      ...report,
      gaps: [{ ...first, suggestion: { ...first.suggestion, now: "unsure", missing: ["kayak"], offered: ["boats"], synonym: "kayak, boats" } }],
    });
    assert.ok(text.includes("   Closest passage (the engine is unsure of it): Riverside Town Guide › Orchard Library (riverside.md, key L1)\n"), text);
    assert.ok(text.includes("\n     or a synonyms line: kayak, boats\n   If it does not, write a passage that answers it.\n"), text);
  });

  test("shell quoting keeps a question one argument", () => {
    assert.equal(shellQuote("it's $HOME `x`"), `'it'\\''s $HOME \`x\`'`);
  });
});

describe("the report for a chat", () => {
  test("chunks fit the limit, leave out the sparklines, and escape what people typed", () => {
    const report = sampleReport();
    const [first, second] = report.gaps;
    assert.ok(first && second);
    const withMention = { ...report, gaps: [{ ...first, question: "@everyone rent kayak" }, second] };
    const escape = (text: string) => text.replace(/@/g, "@\u200b").replace(/\*/g, "\\*");
    const chunks = reportChunks(withMention, { maxLength: 700, escape });
    assert.ok(chunks.length >= 2, `${chunks.length} chunks`);
    for (const chunk of chunks) {
      assert.ok(chunk.length <= 700, `${chunk.length} characters: ${chunk}`);
      assert.equal(chunk, chunk.trim());
    }
    const all = chunks.join("\n");
    assert.equal(all.includes("Per day"), false);
    assert.ok(all.includes('1. "@\u200beveryone rent kayak": asked 3×'), all);
    assert.equal(/@everyone/.test(all), false);
  });

  test("chunkLines keeps every character, splits between lines, and cuts only a line longer than the limit", () => {
    assert.deepEqual(chunkLines(["aaaa", "bbbb", "", "cc"], 9), ["aaaa\nbbbb", "cc"]);
    // An entry with its indented lines stays whole when it fits in a chunk of its own.
    assert.deepEqual(chunkLines(["1. one", "   a", "2. two", "   b", "   c"], 16), ["1. one\n   a", "2. two\n   b\n   c"]);
    assert.deepEqual(chunkLines(["1. one", "   aaaa", "   bbbb"], 10), ["1. one", "   aaaa", "   bbbb"]);
    assert.deepEqual(chunkLines(["x".repeat(10)], 4), ["xxxx", "xxxx", "xx"]);
    assert.deepEqual(chunkLines(["ab😀"], 3), ["ab", "😀"]);
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 40 }), { maxLength: 30 }), fc.integer({ min: 2, max: 60 }), (lines, max) => {
        const chunks = chunkLines(lines, max);
        for (const chunk of chunks)
          assert.ok(chunk.length <= max && chunk.trim() !== "" && !chunk.startsWith("\n") && !chunk.endsWith("\n"), JSON.stringify(chunk));
        assert.equal(chunks.join("").replace(/\s/g, ""), lines.join("").replace(/\s/g, ""));
      }),
    );
  });
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe("the chart", () => {
  test("outcomes per day are drawn as a PNG of the chart's size", async () => {
    const report = sampleReport();
    const png = await outcomesChart(report.perDay);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.subarray(12, 16).toString("latin1"), "IHDR");
    assert.deepEqual(pngSize(png), { width: CHART_WIDTH, height: CHART_HEIGHT });
    assert.ok(png.length > 5_000 && png.length < 1_000_000, `${png.length} bytes`);
    // The bars are drawn from the data: other counts give another picture.
    const other = await outcomesChart(report.perDay.map((d) => ({ ...d, answered: d.answered + 5 })));
    assert.notDeepEqual(other, png);
  });

  test("a window of 90 days with no questions still draws", async () => {
    const png = await outcomesChart(gapsReport([], KNOWLEDGE, { days: 90, now: NOW }).perDay);
    assert.deepEqual(pngSize(png), { width: CHART_WIDTH, height: CHART_HEIGHT });
  });
});

describe("the report for a chat command", () => {
  test("gives the chunks and the chart together", async () => {
    const report = sampleReport();
    const { chunks, chart } = await reportForChat(report, { maxLength: 2000, escape: (text) => text });
    assert.deepEqual(chunks, reportChunks(report, { maxLength: 2000 }));
    assert.ok(chunks.every((c) => c.length <= 2000));
    assert.deepEqual(pngSize(chart), { width: CHART_WIDTH, height: CHART_HEIGHT });
  });
});
