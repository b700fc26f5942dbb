/**
 * Sentence boundaries that survive technical and news text. Intl.Segmenter alone splits inside inline
 * code (`panic!` ends a "sentence") and after abbreviations ("e.g. this"); those seams are rejoined.
 */

import type { Range } from "./range.ts";

const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });
/** Abbreviations that never end a sentence: whatever follows belongs to the same one. */
const ALWAYS_ABBREVIATION = /\b(?:e\.g|i\.e|cf|vs|approx|mr|mrs|ms|dr|prof|st)\.$/i;
/** Abbreviations that stand before a number ("No. 5", "Fig. 3"): joined only when a digit follows. */
const NUMBER_ABBREVIATION = /\b(?:no|nos|fig|vol|pp?)\.$/i;
/** Abbreviations that may end a sentence: joined only when a lowercase word or a number follows. */
const MAYBE_ABBREVIATION = /\b(?:etc|jr|sr|inc|ltd|co|corp|u\.s|u\.k)\.$/i;


/** Ranges of inline code spans (`…`), which no sentence boundary may cut. */
function codeSpans(text: string): Range[] {
  const spans: Range[] = [];
  for (const m of text.matchAll(/(`+)[^`]+?\1/g)) spans.push({ start: m.index, end: m.index + m[0].length });
  return spans;
}

/**
 * text[from, to) in pieces of at most about `chunk` characters, each ending where a sentence surely ends
 * (a full stop and a capital), for Intl.Segmenter: it slows down far more than linearly on long strings
 * (a 200,000-character paragraph took over half a second), and a knowledge file may be one paragraph.
 */
export function sentencePieces(text: string, from: number, to: number, chunk: number): Range[] {
  const pieces: Range[] = [];
  let at = from;
  while (at < to) {
    let end = to;
    if (end - at > chunk) {
      const window = text.slice(at + chunk / 2, at + chunk);
      const m = /[.!?]["”’)]?\s+(?=\p{Lu})(?![\s\S]*[.!?]["”’)]?\s+\p{Lu})/u.exec(window);
      end = m ? at + chunk / 2 + m.index + m[0].length : at + chunk;
    }
    pieces.push({ start: at, end });
    at = end;
  }
  return pieces;
}

/** Text longer than this is segmented in pieces (see sentencePieces); real paragraphs are far shorter. */
const LONG_TEXT = 20_000;

/** Intl.Segmenter's sentence segments of a text, with offsets into the whole text; long text in pieces. */
function* segments(text: string): Generator<{ segment: string; index: number }> {
  for (const piece of sentencePieces(text, 0, text.length, LONG_TEXT)) {
    for (const s of segmenter.segment(text.slice(piece.start, piece.end))) yield { segment: s.segment, index: piece.start + s.index };
  }
}

/** Sentence ranges of a text, trimmed, in order, covering every non-space character. */
export function sentenceRanges(text: string): Range[] {
  const spans = text.includes("`") ? codeSpans(text) : [];
  const out: Range[] = [];
  for (const { segment, index } of segments(text)) {
    const lead = segment.length - segment.trimStart().length;
    const trimmed = segment.trim();
    if (!trimmed) continue;
    const range = { start: index + lead, end: index + lead + trimmed.length };
    const last = out[out.length - 1];
    const first = trimmed[0] ?? "";
    const inCode = spans.some((s) => s.start < range.start && range.start < s.end);
    const previous = last ? text.slice(last.start, last.end) : "";
    const abbreviated =
      ALWAYS_ABBREVIATION.test(previous) || (MAYBE_ABBREVIATION.test(previous) && /[a-z0-9]/.test(first)) || (NUMBER_ABBREVIATION.test(previous) && /\d/.test(first));
    if (last && (inCode || abbreviated)) last.end = range.end;
    else out.push(range);
  }
  return out;
}
