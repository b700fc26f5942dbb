import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { unitsOf } from "../src/answer/units.ts";

/** Each unit as [kind, its text, the texts of its context]. */
function read(text: string): [string, string, string[]][] {
  return unitsOf(text).map((u) => [u.kind, text.slice(u.start, u.end), u.context.map(([s, e]) => text.slice(s, e))]);
}

describe("answer units", () => {
  test("a table row is read under its header row and the sentence that introduces the table", () => {
    const text = "Embeds are limited as follows:\n\n| Field | Limit |\n| --- | --- |\n| title | 256 characters |\n| description | 4096 characters |";
    assert.deepEqual(read(text), [
      ["sentence", "Embeds are limited as follows:", []],
      ["row", "| Field | Limit |", ["Embeds are limited as follows:"]],
      ["row", "| title | 256 characters |", ["| Field | Limit |", "Embeds are limited as follows:"]],
      ["row", "| description | 4096 characters |", ["| Field | Limit |", "Embeds are limited as follows:"]],
    ]);
  });

  test("a list item is read with its lead-in sentence and the items it is nested under", () => {
    const text = "To install it:\n\n- Download the package\n  - pick the build for your system\n- Run the installer";
    assert.deepEqual(read(text), [
      ["sentence", "To install it:", []],
      ["item", "- Download the package", ["To install it:"]],
      ["item", "  - pick the build for your system", ["- Download the package", "To install it:"]],
      ["item", "- Run the installer", ["To install it:"]],
    ]);
  });

  test("a code block is read with the sentence that introduces it", () => {
    const text = "Start the server. Then build for production with:\n\n```sh\nnpm run build\n```";
    assert.deepEqual(read(text), [
      ["sentence", "Start the server.", []],
      ["sentence", "Then build for production with:", []],
      ["code", "```sh\nnpm run build\n```", ["Then build for production with:"]],
    ]);
  });

  test("a list far below the prose gets no lead-in from it", () => {
    const text = "An unrelated opening sentence.\n\n\n\n\n- an item";
    assert.deepEqual(read(text)[1], ["item", "- an item", []]);
  });

  test("units are in order, never overlap, and every unit's context lies before or around it in the text", () => {
    const piece = fc.oneof(
      fc.constantFrom(
        "One sentence. Another one.",
        "Lead in:",
        "- item a\n- item b\n  - nested",
        "| A | B |\n| --- | --- |\n| 1 | 2 |",
        "```js\ncode()\n```",
        "1. first\n2. second",
      ),
      fc.string({ maxLength: 40 }).map((s) => s.replace(/`/g, "")),
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 8 }), (pieces) => {
        const text = pieces.join("\n\n");
        let end = 0;
        for (const u of unitsOf(text)) {
          assert.ok(u.start >= end && u.end > u.start && u.end <= text.length, JSON.stringify(u));
          for (const [s, e] of u.context) assert.ok(s >= 0 && e <= text.length && s < e);
          end = u.end;
        }
      }),
    );
  });
});
