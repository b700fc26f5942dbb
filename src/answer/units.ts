/**
 * A passage cut into answer units — sentences, table rows, list items, code blocks — each with the text
 * around it that it needs to be understood: a table row its header row, a list item its lead-in sentence
 * (and its parent item), a code block the sentence that introduces it. A question is matched against a
 * unit together with that context ("embed title limit" against the row "| title | 256 characters |" under
 * "| Field | Limit |"), and the unit alone is what gets highlighted.
 */
import { FENCED_CODE } from "../knowledge/fence.ts";
import { sentenceRanges } from "../knowledge/sentences.ts";
import type { AnswerKind } from "./types.ts";

export interface AnswerUnit {
  start: number;
  end: number;
  kind: AnswerKind;
  /** Text ranges whose words count for this unit too, at less than its own (see CONTEXT_CREDIT in ask.ts). */
  context: readonly (readonly [number, number])[];
}

/** A code block (knowledge/fence.ts), or a run of lines up to a blank line or a fence. */
const FENCE_BLOCK = new RegExp(`${FENCED_CODE}|[^\\n]+(?:\\n(?!\\n|\`{3})[^\\n]+)*`, "g");
const LIST_ITEM = /^(\s*)(?:[-*+]|\d+[.)])\s/;
/** A table's delimiter row: | --- | :---: |. */
const DELIMITER_ROW = /^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$/;

/** The last sentence of the prose before `at`, when it leads into what follows (ends with ":" or is right before it). */
function leadIn(units: readonly AnswerUnit[], at: number, text: string): [number, number] | undefined {
  for (let i = units.length - 1; i >= 0; i--) {
    const u = units[i];
    if (!u || u.kind !== "sentence") {
      if (u?.kind === "code") return undefined;
      continue;
    }
    // Only the prose just before: a blank line and at most one more line between.
    const between = text.slice(u.end, at);
    if ((between.match(/\n/g)?.length ?? 0) > 3) return undefined;
    return [u.start, u.end];
  }
  return undefined;
}

/** The units of a passage's text, in order, non-overlapping. */
export function unitsOf(text: string): AnswerUnit[] {
  const units: AnswerUnit[] = [];
  for (const block of text.matchAll(FENCE_BLOCK)) {
    const start = block.index;
    const body = block[0];
    if (block[1]) {
      const intro = leadIn(units, start, text);
      units.push({ start, end: start + body.length, kind: "code", context: intro ? [intro] : [] });
      continue;
    }
    const lines = [...body.matchAll(/[^\n]+/g)].map((m) => ({ start: start + m.index, end: start + m.index + m[0].length, text: m[0] }));
    if (body.startsWith("|")) {
      // The first row names the columns; every other row is read under it.
      const header = lines[0];
      for (const line of lines) {
        if (DELIMITER_ROW.test(line.text)) continue;
        const context: [number, number][] = [];
        if (header && line !== header) context.push([header.start, header.end]);
        const intro = leadIn(units, start, text);
        if (intro) context.push(intro);
        units.push({ start: line.start, end: line.end, kind: "row", context });
      }
      continue;
    }
    if (LIST_ITEM.test(body)) {
      const intro = leadIn(units, start, text);
      // Each item's parents (less indented items above it) are its context, as the list's lead-in is.
      const parents: { indent: number; start: number; end: number }[] = [];
      for (const line of lines) {
        const indent = LIST_ITEM.exec(line.text)?.[1]?.length ?? (line.text.match(/^\s*/)?.[0].length ?? 0) - 1;
        while (parents.length && (parents[parents.length - 1]?.indent ?? 0) >= indent) parents.pop();
        const context: [number, number][] = parents.map((p) => [p.start, p.end]);
        if (intro) context.push(intro);
        units.push({ start: line.start, end: line.end, kind: "item", context });
        parents.push({ indent, start: line.start, end: line.end });
      }
      continue;
    }
    for (const s of sentenceRanges(body)) units.push({ start: start + s.start, end: start + s.end, kind: "sentence", context: [] });
  }
  return units;
}
