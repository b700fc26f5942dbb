/**
 * Sentence boundaries that survive technical and news text. Intl.Segmenter alone splits inside inline
 * code (`panic!` ends a "sentence") and after abbreviations ("e.g. this"); those seams are rejoined.
 */

const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });
/** Abbreviations that never end a sentence: whatever follows belongs to the same one. */
const ALWAYS_ABBREVIATION = /\b(?:e\.g|i\.e|cf|vs|approx|mr|mrs|ms|dr|prof|st)\.$/i;
/** Abbreviations that stand before a number ("No. 5", "Fig. 3"): joined only when a digit follows. */
const NUMBER_ABBREVIATION = /\b(?:no|nos|fig|vol|pp?)\.$/i;
/** Abbreviations that may end a sentence: joined only when a lowercase word or a number follows. */
const MAYBE_ABBREVIATION = /\b(?:etc|jr|sr|inc|ltd|co|corp|u\.s|u\.k)\.$/i;

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
  for (const { segment, index } of segmenter.segment(text)) {
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
