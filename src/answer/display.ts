/**
 * What the two renderers of answers (Discord embeds, the terminal) share: a passage's Markdown-ish text
 * read into units (sentences, list items, table rows, code blocks) with the answer marked, inline code
 * told apart from prose, the excerpt window around the answer, and the words of a citation. Each renderer
 * turns these into its own markup; none of them parses the passage text again.
 */
import { findFences } from "../knowledge/fence.ts";
import type { Range } from "../knowledge/range.ts";
import { sentenceRanges } from "../knowledge/sentences.ts";
import type { PassageSource } from "../knowledge/types.ts";
import type { AnswerResult } from "./types.ts";

interface UnitBase extends Range {
  /** Part of the answer the engine highlighted. */
  answer: boolean;
  /** The whitespace before this unit, reduced to what layout needs: "" (first unit), " ", "\n" or "\n\n". */
  gap: string;
}

/** One piece of a passage, in the order of the text; `start`/`end` are offsets into the passage. */
export type Unit =
  | (UnitBase & { kind: "sentence" })
  /** A list item with its continuation lines; `marker` is "-" for bullets or the number ("2.") of an ordered item. */
  | (UnitBase & { kind: "item"; depth: number; marker: string; content: string })
  /** A table row; the delimiter row under a header is not a unit, it only marks the row above as the header. */
  | (UnitBase & { kind: "row"; cells: string[]; header: boolean })
  | (UnitBase & { kind: "code"; lang: string; body: string });

export type UnitKind = Unit["kind"];

/** A unit as read, before its gap and answer mark are known. */
type UnitFields = Unit extends infer U ? (U extends Unit ? Omit<U, "gap" | "answer"> : never) : never;

const ITEM = /^([ \t]*)([-*+]|\d{1,9}[.)])[ \t]+(?=\S)/;
const ROW = /^[ \t]*\|/;
const DELIMITER_ROW = /^[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*(?::?-+:?[ \t]*)?$/;

function gapOf(between: string, first: boolean): string {
  if (first) return "";
  if (between.includes("\n\n")) return "\n\n";
  if (between.includes("\n")) return "\n";
  return between.length ? " " : "";
}

/** Splits a table row into its cells: on pipes that are not escaped (a cell's own pipe is written `\|`). */
export function rowCells(line: string): string[] {
  const inner = line
    .trim()
    .replace(/^\|/, "")
    .replace(/(?<!\\)\|$/, "");
  return inner.split(/(?<!\\)\|/).map((cell) => cell.replace(/\\\|/g, "|").trim());
}

/** The blocks of a passage as units, in order, without answer marks (see `unitsOf`). */
function readUnits(text: string): Unit[] {
  const units: Unit[] = [];
  const lines = text.split("\n");
  let offset = 0;
  let prose: Range | undefined;
  // Code blocks are read by the one grammar of passage text (knowledge/fence.ts), the same as indexing reads them.
  const fences = findFences(text);
  let fenceAt = 0;
  let inCode: number | undefined;
  let continues = false;
  const push = (unit: UnitFields) => {
    const previous = units[units.length - 1];
    units.push({ ...unit, answer: false, gap: gapOf(text.slice(previous?.end ?? 0, unit.start), !previous) });
  };
  const flushProse = () => {
    if (!prose) return;
    const paragraph = text.slice(prose.start, prose.end);
    const spans = codeSpansIn(paragraph, 0, paragraph.length);
    const sentences: Range[] = [];
    for (const s of sentenceRanges(paragraph)) {
      const previous = sentences[sentences.length - 1];
      // A boundary inside inline code is no boundary (the segmenter sees `panic!` or `a. b` as ends).
      if (previous && spans.some((span) => span.start < previous.end && span.end > s.start)) previous.end = s.end;
      else sentences.push({ ...s });
    }
    for (const s of sentences) push({ kind: "sentence", start: prose.start + s.start, end: prose.start + s.end });
    prose = undefined;
  };
  for (const line of lines) {
    const start = offset;
    const end = offset + line.length;
    offset = end + 1;
    if (inCode !== undefined) {
      if (end >= inCode) inCode = undefined;
      continue;
    }
    const fence = fences[fenceAt];
    if (fence?.start === start) {
      flushProse();
      continues = false;
      push({ kind: "code", start: fence.start, end: fence.end, lang: fence.language, body: fence.code });
      fenceAt++;
      if (end < fence.end) inCode = fence.end;
      continue;
    }
    if (!line.trim()) {
      flushProse();
      continues = false;
      continue;
    }
    const last = units[units.length - 1];
    if (ROW.test(line)) {
      flushProse();
      continues = false;
      if (DELIMITER_ROW.test(line) && last?.kind === "row" && last.end === start - 1) last.header = true;
      else push({ kind: "row", start, end, cells: rowCells(line), header: false });
      continue;
    }
    const item = ITEM.exec(line);
    if (item) {
      flushProse();
      const indent = (item[1] ?? "").replace(/\t/g, "  ").length;
      const marker = /\d/.test(item[2] ?? "") ? (item[2] ?? "").replace(")", ".") : "-";
      push({ kind: "item", start, end, depth: Math.floor(indent / 2), marker, content: line.slice(item[0].length).trim() });
      continues = true;
      continue;
    }
    if (continues && last?.kind === "item" && /^[ \t]/.test(line)) {
      // An indented line right under an item belongs to it (a second paragraph or code inside the item).
      last.end = end;
      last.content += " " + line.trim();
      continue;
    }
    continues = false;
    prose = prose ? { start: prose.start, end } : { start, end };
  }
  flushProse();
  return units;
}

/** Where the answer really is in the passage: `answerStart` is trusted only when it points at `answer`. */
export function answerRange(result: Pick<AnswerResult, "text" | "answer" | "answerStart">): Range | undefined {
  const { text, answer } = result;
  if (!answer.trim()) return undefined;
  let start = result.answerStart;
  if (text.slice(start, start + answer.length) !== answer) start = text.indexOf(answer);
  if (start < 0) return undefined;
  const lead = answer.length - answer.trimStart().length;
  return { start: start + lead, end: start + answer.trimEnd().length };
}

/** Inline code spans of a prose range, by CommonMark's rule: a run of backticks closed by a run of the same length. */
function codeSpansIn(text: string, from: number, to: number): Range[] {
  const spans: Range[] = [];
  const runs = [...text.slice(from, to).matchAll(/`+/g)].map((m) => ({ at: from + m.index, length: m[0].length }));
  for (let i = 0; i < runs.length; i++) {
    const open = runs[i] as { at: number; length: number };
    let close = i + 1;
    while (close < runs.length && runs[close]?.length !== open.length) close++;
    const end = runs[close];
    if (!end) continue;
    spans.push({ start: open.at, end: end.at + end.length });
    i = close;
  }
  return spans;
}

/**
 * Cuts the sentence at `at` into two units, moved clear of inline code and out of a word (towards the
 * answer's inside: back for its start, on for its end). Returns the units to put in its place.
 */
function splitSentence(text: string, unit: Unit, at: number, edge: "start" | "end"): Unit[] {
  let cut = at;
  while (cut > unit.start && cut < unit.end && /\S/.test(text[cut - 1] ?? "") && /\S/.test(text[cut] ?? "")) cut += edge === "start" ? -1 : 1;
  const span = codeSpansIn(text, unit.start, unit.end).find((s) => s.start < cut && cut < s.end);
  if (span) cut = edge === "start" ? span.start : span.end;
  const left = text.slice(unit.start, cut).trimEnd();
  const rightStart = cut + (text.slice(cut, unit.end).length - text.slice(cut, unit.end).trimStart().length);
  if (!left || rightStart >= unit.end) return [unit];
  return [
    { ...unit, end: unit.start + left.length },
    { ...unit, start: rightStart, gap: rightStart > unit.start + left.length ? " " : "" },
  ];
}

/**
 * The passage as units, with those that hold the answer marked. A sentence that the answer starts or ends
 * inside is cut there (the engine's answer is the authority), never inside inline code; a list item, row
 * or code block that the answer touches is marked whole.
 */
export function unitsOf(result: Pick<AnswerResult, "text" | "answer" | "answerStart">): Unit[] {
  const { text } = result;
  const range = answerRange(result);
  let units = readUnits(text);
  if (!range) return units;
  for (const edge of ["start", "end"] as const) {
    const at = range[edge];
    units = units.flatMap((unit) => (unit.kind === "sentence" && unit.start < at && at < unit.end ? splitSentence(text, unit, at, edge) : [unit]));
  }
  for (const unit of units) unit.answer = unit.start < range.end && unit.end > range.start;
  // The answer's sentences on one line are one span of text: one bold run, not "**a.** **b.**".
  const merged: Unit[] = [];
  for (const unit of units) {
    const previous = merged[merged.length - 1];
    if (previous?.kind === "sentence" && unit.kind === "sentence" && previous.answer && unit.answer && !unit.gap.includes("\n")) previous.end = unit.end;
    else merged.push(unit);
  }
  return merged;
}

export type Inline = { code: boolean; text: string };

/**
 * Prose split into text and inline code. A code span's text is its content (CommonMark: one space is
 * stripped from each end when both ends have one); a backtick run that nothing closes is text.
 */
export function inlinePieces(prose: string): Inline[] {
  const pieces: Inline[] = [];
  let at = 0;
  for (const span of codeSpansIn(prose, 0, prose.length)) {
    if (span.start > at) pieces.push({ code: false, text: prose.slice(at, span.start) });
    const raw = prose.slice(span.start, span.end);
    const run = /^`+/.exec(raw)?.[0].length ?? 1;
    let content = raw.slice(run, raw.length - run).replace(/\n/g, " ");
    if (/^ [\s\S]* $/.test(content) && content.trim()) content = content.slice(1, -1);
    pieces.push({ code: true, text: content });
    at = span.end;
  }
  if (at < prose.length) pieces.push({ code: false, text: prose.slice(at) });
  return pieces;
}

export interface Window {
  /** Index of the first and one past the last unit shown. */
  from: number;
  to: number;
  /** A table's header row shown above rows that start below it, so a row keeps its column names. */
  header?: number;
}

/**
 * Which units to show around the answer: the answer's units, then whole units before it while `cost`
 * (of unit i) fits in `budget.before`, then whole units after it within `budget.after`. Whole units only, so an
 * excerpt starts where a sentence (or item, row, block) starts.
 */
export function excerptWindow(units: readonly Unit[], cost: (index: number) => number, budget: { before: number; after: number }): Window {
  const first = units.findIndex((u) => u.answer);
  if (first < 0) return { from: 0, to: units.length };
  let last = first;
  while (last + 1 < units.length && units[last + 1]?.answer) last++;
  let from = first;
  for (let spent = 0; from > 0; from--) {
    spent += cost(from - 1) + (units[from]?.gap.length ?? 0);
    if (spent > budget.before) break;
  }
  let to = last + 1;
  for (let spent = 0; to < units.length; to++) {
    spent += cost(to) + (units[to]?.gap.length ?? 0);
    if (spent > budget.after) break;
  }
  const window: Window = { from, to };
  const top = units[from];
  if (top?.kind === "row" && !top.header) {
    // The header is the nearest header row above, in the same table (rows one line apart).
    for (let i = from - 1; i >= 0; i--) {
      const unit = units[i] as Unit;
      const below = units[i + 1] as Unit;
      if (unit.kind !== "row" || below.gap !== "\n") break;
      if (unit.header) {
        window.header = i;
        break;
      }
    }
  }
  return window;
}

/** "Title › Section › Subsection"; a first section that only repeats the title (a Markdown `#` heading) is said once. */
export function sectionTrail(source: Pick<PassageSource, "title" | "section">): string {
  const trail = [source.title];
  for (const part of source.section) if (part !== trail[trail.length - 1]) trail.push(part);
  return trail.join(" › ");
}

/** Where the passage is in the knowledge folder: "guide/cli.md:52". */
export function fileLine(source: Pick<PassageSource, "path" | "line">): string {
  return `${source.path}:${source.line}`;
}

/** "1 document", "2 documents". */
export function plural(count: number, word: string, words = `${word}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? word : words}`;
}

/**
 * A few things the knowledge covers, to name when a question misses: the titles of the documents with
 * the most passages (the main subjects, not a page of release notes), each once; with fewer documents
 * than that, their top-level sections as well.
 */
export function someTopics(sources: readonly { title: string; sections: readonly string[]; passages: number }[], count = 5): string[] {
  const byWeight = [...sources].sort((a, b) => b.passages - a.passages || (a.title < b.title ? -1 : 1));
  const topics: string[] = [];
  const add = (topic: string) => {
    if (topics.length < count && topic && !topics.includes(topic)) topics.push(topic);
  };
  for (const source of byWeight) add(source.title);
  for (const source of byWeight) for (const section of source.sections) if (!section.includes(" › ") && section !== source.title) add(section);
  return topics;
}
