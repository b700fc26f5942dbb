/**
 * Passage splitting (split.ts) and sentence boundaries (sentences.ts): properties checked with
 * fast-check over generated documents, and examples for each splitting rule.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import type { Block } from "../src/knowledge/blocks.ts";
import { sentenceRanges } from "../src/knowledge/sentences.ts";
import { splitBlocks, type Piece, type SplitOptions } from "../src/knowledge/split.ts";
import type { PassageKind } from "../src/knowledge/types.ts";

const RUNS = 300;

const nonSpace = (text: string) => text.replace(/\s+/g, "");
const sectionKey = (section: readonly string[]) => JSON.stringify(section);

function block(kind: PassageKind, text: string, section: string[] = [], line = 1, lineOffsets: number[] = [0]): Block {
  return { kind, text, line, lineOffsets, section };
}

// ---------------------------------------------------------------------------------------------
// Generators: documents made of sentences of plain words, with some inline code and abbreviations.

const word = fc.oneof(
  { weight: 12, arbitrary: fc.stringMatching(/^[a-z]{1,9}$/) },
  { weight: 1, arbitrary: fc.constantFrom("`panic!`", "`Vec<T>`", "e.g.", "i.e.", "2024", "3.5", "U.S.", "—", "(see below)") },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{20,60}$/) },
);

const sentence = fc.tuple(fc.array(word, { minLength: 1, maxLength: 45 }), fc.constantFrom(".", ".", ".", "?", "!", ":")).map(([words, end]) => {
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1) + end;
});

const prose = fc.array(sentence, { minLength: 1, maxLength: 14 }).map((s) => s.join(" "));

const listText = fc
  .array(fc.array(word, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 })
  .map((items) => items.map((i) => `- ${i.join(" ")}`).join("\n"));
const codeText = fc.array(fc.stringMatching(/^[a-z(); =]{0,40}$/), { minLength: 1, maxLength: 8 }).map((lines) => "```\n" + lines.join("\n") + "x\n```");
const tableText = fc
  .array(fc.tuple(word, word), { minLength: 1, maxLength: 4 })
  .map((rows) => ["| A | B |", "| --- | --- |", ...rows.map(([a, b]) => `| ${a} | ${b} |`)].join("\n"));

const SECTIONS: string[][] = [[], ["Intro"], ["Intro", "Details"], ["Usage"]];

const anyBlock = fc
  .tuple(
    fc.oneof(
      { weight: 6, arbitrary: prose.map((text) => ["prose", text] as const) },
      { weight: 1, arbitrary: prose.map((text) => ["quote", text] as const) },
      { weight: 2, arbitrary: listText.map((text) => ["list", text] as const) },
      { weight: 1, arbitrary: codeText.map((text) => ["code", text] as const) },
      { weight: 1, arbitrary: tableText.map((text) => ["table", text] as const) },
    ),
    fc.constantFrom(...SECTIONS),
  )
  .map(([[kind, text], section]) => ({ kind, text, section }));

/** Blocks in document order; sections come in runs, as they do in a real document. */
const document = fc
  .array(anyBlock, { minLength: 1, maxLength: 12 })
  .map((items) => items.map((item, i): Block => block(item.kind, item.text, item.section, 1 + i * 3)));

const options: fc.Arbitrary<SplitOptions> = fc.oneof(
  fc.constant({}),
  fc
    .record({ maxLength: fc.integer({ min: 80, max: 600 }), minLength: fc.integer({ min: 0, max: 150 }), extra: fc.integer({ min: 0, max: 800 }) })
    .map(({ maxLength, minLength, extra }) => ({ maxLength, targetLength: Math.round(maxLength * 0.6), minLength, maxMergedLength: maxLength + extra })),
);

/** A passage's text without the copy of a table's header row that a later piece of a cut table starts with. */
const ownText = (p: Piece) => (p.repeatsHeader ? p.text.split("\n").slice(2).join("\n") : p.text);

// ---------------------------------------------------------------------------------------------

describe("splitBlocks properties", () => {
  test("no text is lost or reordered: the non-space characters of the blocks are those of the passages", () => {
    fc.assert(
      fc.property(document, options, (blocks, o) => {
        const pieces = splitBlocks(blocks, o);
        assert.equal(nonSpace(pieces.map(ownText).join("")), nonSpace(blocks.map((b) => b.text).join("")));
      }),
      { numRuns: RUNS },
    );
  });

  test("no passage is empty or only whitespace", () => {
    fc.assert(
      fc.property(document, options, (blocks, o) => {
        for (const piece of splitBlocks(blocks, o)) assert.notEqual(piece.text.trim(), "");
      }),
      { numRuns: RUNS },
    );
  });

  test("a passage only holds text of its own section: merging never crosses a heading", () => {
    fc.assert(
      fc.property(document, options, (blocks, o) => {
        // The section of every non-space character, in document order.
        const owners = blocks.flatMap((b) => Array.from(nonSpace(b.text), () => sectionKey(b.section)));
        let at = 0;
        for (const piece of splitBlocks(blocks, o)) {
          const length = [...nonSpace(ownText(piece))].length;
          const mine = owners.slice(at, at + length);
          assert.deepEqual(new Set(mine), new Set([sectionKey(piece.section)]), `passage ${JSON.stringify(piece.text.slice(0, 40))}`);
          at += length;
        }
      }),
      { numRuns: RUNS },
    );
  });

  test("passage lines never go backwards and each is a line of the blocks it came from", () => {
    fc.assert(
      fc.property(document, options, (blocks, o) => {
        const lines = new Set(blocks.map((b) => b.line));
        let last = 0;
        for (const piece of splitBlocks(blocks, o)) {
          assert.ok(piece.line >= last, `line ${piece.line} after ${last}`);
          assert.ok(lines.has(piece.line), `line ${piece.line} is the first line of some block (blocks here have one line each)`);
          last = piece.line;
        }
      }),
      { numRuns: RUNS },
    );
  });

  test("code is never cut, and lists and tables under maxLength are not either: each such block is inside one passage whole", () => {
    fc.assert(
      fc.property(document, options, (blocks, o) => {
        const pieces = splitBlocks(blocks, o);
        for (const b of blocks.filter((b) => b.kind === "code" || ((b.kind === "list" || b.kind === "table") && b.text.length <= (o.maxLength ?? 1100)))) {
          assert.ok(
            pieces.some((p) => p.text.includes(b.text)),
            `${b.kind} block ${JSON.stringify(b.text.slice(0, 40))} is whole in some passage`,
          );
        }
      }),
      { numRuns: RUNS },
    );
  });

  test("prose passages respect maxLength unless they are a single sentence", () => {
    fc.assert(
      fc.property(fc.array(prose, { minLength: 1, maxLength: 4 }), fc.integer({ min: 120, max: 500 }), (paragraphs, maxLength) => {
        const o = { maxLength, targetLength: Math.round(maxLength * 0.6), minLength: 40, maxMergedLength: maxLength - 2 };
        const pieces = splitBlocks(
          paragraphs.map((text, i) => block("prose", text, [], i + 1)),
          o,
        );
        for (const piece of pieces) {
          if (piece.text.length <= maxLength) continue;
          assert.equal(
            sentenceRanges(piece.text).length,
            1,
            `a ${piece.text.length}-character passage (maxLength ${maxLength}) holds more than one sentence: ${JSON.stringify(piece.text)}`,
          );
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("splitBlocks examples", () => {
  /** Fixed sizes, so that the examples test the rules and not the current tuning of the defaults. */
  const SIZES = { maxLength: 900, targetLength: 550, minLength: 120, maxMergedLength: 1400 } as const;
  test("a long list is cut only between top-level items and a long table only between rows, each piece under the header row", () => {
    const items = Array.from(
      { length: 30 },
      (_, i) => `- Item ${i + 1} says what the lamp room needs on day ${i + 1}\n  - a nested detail of item ${i + 1}`,
    ).join("\n");
    const rows = [
      "| Day | Task |",
      "| --- | --- |",
      ...Array.from({ length: 30 }, (_, i) => `| ${i + 1} | Polish lens number ${i + 1} and trim the wick |`),
    ].join("\n");
    const pieces = splitBlocks([block("list", items, ["Lamp"], 3), block("table", rows, ["Rota"], 40)], SIZES);
    const lists = pieces.filter((p) => p.section[0] === "Lamp");
    const tables = pieces.filter((p) => p.section[0] === "Rota");
    assert.ok(lists.length > 1 && tables.length > 1);
    assert.equal(lists.map((p) => p.text).join("\n"), items);
    for (const p of lists) assert.match(p.text, /^- Item \d+ [^\n]+\n {2}- a nested detail/);
    for (const p of tables) assert.match(p.text, /^\| Day \| Task \|\n\| --- \| --- \|\n\| \d+ \|/);
    assert.equal(tables.map((p) => p.text.split("\n").slice(2).join("\n")).join("\n"), rows.split("\n").slice(2).join("\n"));
    for (const p of [...lists, ...tables]) assert.ok(p.text.length <= SIZES.maxLength, `${p.text.length} characters`);
  });
  /** A paragraph of 20 sentences, each on its own source line starting at line 10. */
  const sentences = Array.from({ length: 20 }, (_, i) => `Sentence ${i + 1} of the long paragraph explains one more detail of the lamp room routine.`);
  const paragraph = sentences.join(" ");
  const offsets = sentences.map((_, i) => sentences.slice(0, i).join(" ").length + (i > 0 ? 1 : 0));

  test("a long paragraph is cut at sentence boundaries into pieces under maxLength", () => {
    const pieces = splitBlocks([block("prose", paragraph, ["Routine"], 10, offsets)], SIZES);
    assert.ok(paragraph.length > 900);
    assert.ok(pieces.length >= 2);
    for (const p of pieces) {
      assert.ok(p.text.length <= 900, `piece of ${p.text.length} characters`);
      assert.match(p.text, /^Sentence \d+ of .*routine\.$/);
      assert.equal(p.kind, "prose");
      assert.deepEqual(p.section, ["Routine"]);
    }
    assert.equal(pieces.map((p) => p.text).join(" "), paragraph);
  });

  test("each piece of a cut paragraph starts at the file line of its first sentence", () => {
    const pieces = splitBlocks([block("prose", paragraph, [], 10, offsets)], SIZES);
    for (const p of pieces) {
      const first = Number(/^Sentence (\d+)/.exec(p.text)?.[1]);
      assert.equal(p.line, 10 + first - 1);
    }
  });

  test("a 1,700-character paragraph becomes pieces of about targetLength (550) characters", () => {
    const pieces = splitBlocks([block("prose", paragraph, [], 10, offsets)], SIZES);
    assert.deepEqual(
      pieces.map((p) => [p.line, p.text.length]),
      [
        [10, 503],
        [16, 506],
        [22, 509],
        [28, 169],
      ],
    );
  });

  test("a short last sentence of a cut paragraph joins the piece before it", () => {
    const text = paragraph + " Done.";
    const pieces = splitBlocks([block("prose", text)], SIZES);
    assert.ok(pieces.at(-1)?.text.endsWith("lamp room routine. Done."));
    assert.equal(pieces.map((p) => p.text).join(" "), text);
  });

  test("emphasised keywords follow the piece of a cut paragraph that holds them", () => {
    const text = paragraph.replace("Sentence 2 of", "Sentence 2 about the wick of").replace("Sentence 19 of", "Sentence 19 about the lens of");
    const pieces = splitBlocks([{ ...block("prose", text), emphasis: ["wick", "lens"] }], SIZES);
    assert.deepEqual(
      pieces.map((p) => p.keywords),
      [["wick"], undefined, undefined, ["lens"]],
    );
  });

  test("tiny blocks of the same section are merged into one passage", () => {
    const pieces = splitBlocks([block("prose", "Trim the wick daily.", ["Lamp"], 3), block("list", "- scissors\n- cloth", ["Lamp"], 5)], SIZES);
    assert.deepEqual(pieces, [{ kind: "prose", text: "Trim the wick daily.\n\n- scissors\n- cloth", line: 3, section: ["Lamp"] }]);
  });

  test("tiny blocks are never merged across sections", () => {
    const pieces = splitBlocks([block("prose", "Trim the wick daily.", ["Lamp"], 3), block("prose", "Polish the brass weekly.", ["Brass"], 7)], SIZES);
    assert.deepEqual(
      pieces.map((p) => [p.text, p.section, p.line]),
      [
        ["Trim the wick daily.", ["Lamp"], 3],
        ["Polish the brass weekly.", ["Brass"], 7],
      ],
    );
  });

  test("a subsection is a different section: its tiny block is not merged with its parent's", () => {
    const pieces = splitBlocks([block("prose", "Parent text.", ["Lamp"]), block("prose", "Child text.", ["Lamp", "Wick"])], SIZES);
    assert.equal(pieces.length, 2);
  });

  test("two blocks that are both long enough stay apart", () => {
    const a = "The keeper climbs the tower at dusk. ".repeat(5).trim();
    const b = "The lamp is then lit and the shutters opened. ".repeat(4).trim();
    const pieces = splitBlocks([block("prose", a, ["Lamp"]), block("prose", b, ["Lamp"])], SIZES);
    assert.deepEqual(
      pieces.map((p) => p.text),
      [a, b],
    );
  });

  const intro = "Before each night shift the keeper checks the lamp room carefully, going through the same steps in the same order every time, as follows:";
  const steps = "- clean the lens with the soft cloth kept in the drawer\n- fill the oil reservoir up to the brass mark\n- trim the wick flat";
  const code = "```sh\nlamp --check --verbose\nlamp --fill oil\nlamp --trim wick\n```";

  test('a sentence ending "as follows:" is kept with the list after it even when both are long', () => {
    assert.ok(intro.length >= 120 && steps.length >= 120);
    const pieces = splitBlocks([block("prose", intro, ["Lamp"], 3), block("list", steps, ["Lamp"], 5)], SIZES);
    assert.deepEqual(pieces, [{ kind: "prose", text: `${intro}\n\n${steps}`, line: 3, section: ["Lamp"] }]);
  });

  test("an introducing sentence is kept with the code block after it", () => {
    const pieces = splitBlocks([block("prose", intro, [], 3), block("code", code, [], 5)], SIZES);
    assert.deepEqual(
      pieces.map((p) => p.text),
      [`${intro}\n\n${code}`],
    );
  });

  test("without the colon the long sentence and the long list stay separate passages", () => {
    const pieces = splitBlocks([block("prose", intro.replace(/, as follows:$/, "."), [], 3), block("list", steps, [], 5)], SIZES);
    assert.equal(pieces.length, 2);
  });

  test("an introducing sentence is not kept with a list in another section", () => {
    const pieces = splitBlocks([block("prose", intro, ["Lamp"], 3), block("list", steps, ["Oil"], 5)], SIZES);
    assert.equal(pieces.length, 2);
  });

  test("a short sentence followed by one long sentence is still cut below maxLength", () => {
    const first = "Short opening sentence of about one hundred characters that sets up the long one coming next here.";
    const second = "This second sentence " + "goes on and on ".repeat(55) + "until it ends.";
    const pieces = splitBlocks([block("prose", `${first} ${second}`)], { ...SIZES, maxMergedLength: SIZES.maxLength });
    assert.deepEqual(
      pieces.map((p) => p.text),
      [first, second],
    );
  });

  test("merged passages stay within maxMergedLength", () => {
    const listing = "```\n" + "x".repeat(1292) + "\n```";
    const pieces = splitBlocks([block("code", listing), block("prose", "A".repeat(99) + ".")], SIZES);
    for (const p of pieces) assert.ok(p.text.length <= 1400, `passage of ${p.text.length} characters`);
  });
});

describe("sentenceRanges", () => {
  const sentencesOf = (text: string) => sentenceRanges(text).map((r) => text.slice(r.start, r.end));

  test("a paragraph of over 200,000 characters, segmented in pieces, is cut into exactly its sentences", () => {
    const sentences = Array.from({ length: 4000 }, (_, i) => `Keeper ${i + 1} checks the lamp, e.g. its wick, every night at nine.`);
    assert.deepEqual(sentencesOf(sentences.join(" ")), sentences);
  });

  test("an exclamation mark inside inline code does not end a sentence", () => {
    assert.deepEqual(sentencesOf("The `panic!` macro stops the program. It unwinds the stack."), [
      "The `panic!` macro stops the program.",
      "It unwinds the stack.",
    ]);
    assert.deepEqual(sentencesOf("Call `println!` or `panic!` when needed. Then stop."), ["Call `println!` or `panic!` when needed.", "Then stop."]);
  });

  test('"e.g." followed by a lowercase word does not end a sentence', () => {
    assert.deepEqual(sentencesOf("Some tools, e.g. rustfmt, format code. Others lint it."), ["Some tools, e.g. rustfmt, format code.", "Others lint it."]);
    assert.deepEqual(sentencesOf("Run a tool, e.g. `cargo fmt`, first. Next."), ["Run a tool, e.g. `cargo fmt`, first.", "Next."]);
  });

  test('"e.g.", "i.e." and "Mr." before a capitalised word do not end a sentence', () => {
    assert.deepEqual(sentencesOf("Use tools, e.g. Cargo, to build. Done."), ["Use tools, e.g. Cargo, to build.", "Done."]);
    assert.deepEqual(sentencesOf("Tools, i.e. Cargo and rustc, help. Next."), ["Tools, i.e. Cargo and rustc, help.", "Next."]);
    assert.deepEqual(sentencesOf("Ask Mr. Smith about it. Next."), ["Ask Mr. Smith about it.", "Next."]);
  });

  test('"No." before a number does not end a sentence', () => {
    assert.deepEqual(sentencesOf("See item No. 5 in the list. Then go."), ["See item No. 5 in the list.", "Then go."]);
  });

  test('the word "no" at the end of a sentence ends it', () => {
    assert.deepEqual(sentencesOf("Is the bridge open? The answer is no. Boats must wait."), ["Is the bridge open?", "The answer is no.", "Boats must wait."]);
  });

  test("ordinary sentence ends split, and surrounding spaces are not part of a sentence", () => {
    assert.deepEqual(sentenceRanges("  One. Two?  Three!  "), [
      { start: 2, end: 6 },
      { start: 7, end: 11 },
      { start: 13, end: 19 },
    ]);
  });

  test("ranges are in order, trimmed, apart, and cover every non-space character", () => {
    fc.assert(
      fc.property(fc.oneof(prose, fc.string({ maxLength: 200 })), (text) => {
        const ranges = sentenceRanges(text);
        let last = 0;
        let covered = "";
        for (const r of ranges) {
          assert.ok(r.start >= last && r.end > r.start, `range ${JSON.stringify(r)} after ${last}`);
          const piece = text.slice(r.start, r.end);
          assert.equal(piece, piece.trim());
          assert.equal(nonSpace(text.slice(last, r.start)), "", "nothing but space between ranges");
          covered += piece;
          last = r.end;
        }
        assert.equal(nonSpace(text.slice(last)), "");
        assert.equal(nonSpace(covered), nonSpace(text));
      }),
      { numRuns: RUNS },
    );
  });
});
