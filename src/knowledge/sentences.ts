/**
 * Sentence boundaries that survive technical and news text. Intl.Segmenter alone splits inside inline
 * code (`panic!` ends a "sentence") and after abbreviations ("e.g. this"); those seams are rejoined.
 */

const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });
const ABBREVIATION = /(?:\b(?:e\.g|i\.e|etc|vs|cf|approx|no|nos|fig|vol|mr|mrs|ms|dr|prof|st|jr|sr|inc|ltd|co|corp|u\.s|u\.k)\.)$/i;

export interface Range {
  start: number;
  end: number;
}

/** Ranges of inline code spans (`…`), which no sentence boundary may cut. */
function codeSpans(text: string): Range[] {
  const spans: Range[] = [];
  for (const m of text.matchAll(/(`+)[^`]+?\1/g)) spans.push({ start: m.index, end: m.index + m[0].length });
  return spans;
}

/** Sentence ranges of a text, trimmed, in order, covering every non-space character. */
export function sentenceRanges(text: string): Range[] {
  const spans = text.includes("`") ? codeSpans(text) : [];
  const out: Range[] = [];
  let joinNext = false;
  for (const { segment, index } of segmenter.segment(text)) {
    const lead = segment.length - segment.trimStart().length;
    const trimmed = segment.trim();
    if (!trimmed) continue;
    const range = { start: index + lead, end: index + lead + trimmed.length };
    const last = out[out.length - 1];
    const first = trimmed[0] ?? "";
    const inCode = spans.some((s) => s.start < range.start && range.start < s.end);
    if (last && (joinNext || inCode || (ABBREVIATION.test(text.slice(last.start, last.end)) && /[a-z0-9]/.test(first)))) last.end = range.end;
    else out.push(range);
    joinNext = false;
  }
  return out;
}
