import { lineAt, type Block } from "./blocks.ts";
import { sentenceRanges } from "./sentences.ts";
import type { PassageKind } from "./types.ts";

/** Passage sizing, in characters. Sized for an answer in a Discord embed and for BM25 length normalisation. */
export interface SplitOptions {
  /** Prose longer than this is cut at sentence boundaries. */
  maxLength?: number;
  /** Pieces of a cut paragraph aim at this length. */
  targetLength?: number;
  /** Blocks shorter than this are merged with a neighbour in the same section. */
  minLength?: number;
  /** Merged passages stay under this length. */
  maxMergedLength?: number;
}

/** A passage before it gets its document-level source fields. */
export interface Piece {
  kind: PassageKind;
  text: string;
  line: number;
  section: string[];
  anchor?: string;
  keywords?: string[];
  /** A later piece of a cut table, which starts with a copy of the table's header row and delimiter. */
  repeatsHeader?: boolean;
}

const DEFAULTS: Required<SplitOptions> = { maxLength: 1100, targetLength: 700, minLength: 450, maxMergedLength: 1600 };


function cutProse(block: Block, o: Required<SplitOptions>): Piece[] {
  if (block.text.length <= o.maxLength) return [toPiece(block)];
  const sentences = sentenceRanges(block.text);
  const pieces: Piece[] = [];
  let start = -1;
  let end = -1;
  const flush = () => {
    if (start < 0) return;
    const text = block.text.slice(start, end);
    const { keywords, ...rest } = toPiece(block);
    const own = keywords?.filter((k) => text.includes(k));
    pieces.push({ ...rest, text, line: lineAt(block, start), ...(own?.length ? { keywords: own } : {}) });
    start = -1;
  };
  for (const s of sentences) {
    const grown = s.end - start;
    // Cut once the piece is long enough, and always before it would pass maxLength.
    if (start >= 0 && ((grown > o.targetLength && end - start >= o.minLength) || grown > o.maxLength)) flush();
    if (start < 0) start = s.start;
    end = s.end;
  }
  flush();
  // A short tail reads better with the sentences before it.
  const last = pieces[pieces.length - 1];
  const before = pieces[pieces.length - 2];
  if (last && before && last.text.length < o.minLength && before.text.length + last.text.length < o.maxLength) {
    before.text += " " + last.text;
    pieces.pop();
  }
  return pieces;
}

/** A list item at the top level: where a long list may be cut. Nested items stay with their parent. */
const TOP_ITEM = /^(?:[-*+]|\d+[.)])\s/;
/** A table's delimiter row: | --- | :---: |. */
const DELIMITER_ROW = /^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$/;

/**
 * A long list or table in passages of answer size: a list between top-level items, a table between rows,
 * each piece of a table under its own copy of the header row. An answer is one item or one row, and a
 * glossary of fifty definitions as one passage would match every question a little and none well.
 */
function cutRows(block: Block, o: Required<SplitOptions>): Piece[] {
  if (block.text.length <= o.maxLength) return [toPiece(block)];
  const lines = block.text.split("\n");
  let header: string[] = [];
  let body = lines;
  if (block.kind === "table" && lines.length > 2 && DELIMITER_ROW.test(lines[1] ?? "")) {
    header = lines.slice(0, 2);
    body = lines.slice(2);
  }
  // Groups that may not be separated: a top-level item with its nested items and continuation lines.
  const groups: string[][] = [];
  for (const line of body) {
    const last = groups[groups.length - 1];
    if (last && block.kind === "list" && !TOP_ITEM.test(line)) last.push(line);
    else groups.push([line]);
  }
  const headerLength = header.join("\n").length;
  const pieces: Piece[] = [];
  let current: string[] = [];
  let length = headerLength;
  const flush = () => {
    if (!current.length) return;
    const text = [...header, ...current].join("\n");
    const { keywords, ...rest } = toPiece(block);
    const own = keywords?.filter((k) => text.includes(k));
    pieces.push({ ...rest, text, ...(own?.length ? { keywords: own } : {}), ...(header.length && pieces.length ? { repeatsHeader: true } : {}) });
    current = [];
    length = headerLength;
  };
  for (const group of groups) {
    const size = group.join("\n").length + 1;
    if (current.length && length + size > o.targetLength) flush();
    current.push(...group);
    length += size;
  }
  flush();
  return pieces;
}

function toPiece(block: Block): Piece {
  return {
    kind: block.kind,
    text: block.text,
    line: block.line,
    section: block.section,
    ...(block.anchor ? { anchor: block.anchor } : {}),
    ...(block.emphasis?.length ? { keywords: block.emphasis } : {}),
  };
}

const sameSection = (a: Piece, b: Piece) => a.section.length === b.section.length && a.section.every((s, i) => s === b.section[i]);

/** Between the blocks of a merged passage: a blank line, as between paragraphs. */
const SEPARATOR = "\n\n";

function merge(a: Piece, b: Piece): Piece {
  const kind = b.text.length > a.text.length ? b.kind : a.kind;
  const keywords = [...(a.keywords ?? []), ...(b.keywords ?? [])];
  return { ...a, kind, text: a.text + SEPARATOR + b.text, ...(keywords.length ? { keywords } : {}) };
}

/**
 * Cuts a document's blocks into passages: long prose at sentence boundaries, long lists between items and
 * long tables between rows (under their header row), tiny blocks merged with a neighbour in the same
 * section, and an introducing sentence ("…as follows:") kept with its list or code. Code is never cut.
 * No text is lost: every line of a block is in exactly one passage (a table's header row in each of its pieces).
 */
export function splitBlocks(blocks: readonly Block[], options: SplitOptions = {}): Piece[] {
  const o = { ...DEFAULTS, ...options };
  const pieces = blocks.flatMap((b) => (b.kind === "prose" || b.kind === "quote" ? cutProse(b, o) : b.kind === "list" || b.kind === "table" ? cutRows(b, o) : [toPiece(b)]));

  const out: Piece[] = [];
  for (const piece of pieces) {
    const prev = out[out.length - 1];
    // A later piece of a cut table stands alone: merged, its header row would show twice in one passage.
    if (prev && !piece.repeatsHeader && sameSection(prev, piece) && prev.text.length + SEPARATOR.length + piece.text.length <= o.maxMergedLength) {
      const introduces = /:\s*$/.test(prev.text) && (piece.kind === "list" || piece.kind === "code" || piece.kind === "table");
      if (introduces || prev.text.length < o.minLength || piece.text.length < o.minLength) {
        out[out.length - 1] = merge(prev, piece);
        continue;
      }
    }
    out.push({ ...piece });
  }
  return out;
}
