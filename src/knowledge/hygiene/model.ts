/** The document model: a document's blocks cut into units, with their words and the document's vocabulary. */
import { DETECTORS, findDebris, unitDebris } from "./debris/index.ts";
import { overlaps, protectedRanges, quoteRanges, RangeSet, trimRange } from "./ranges.ts";
import type { Tuning } from "./tuning.ts";
import type { Debris, DocumentModel, HygieneBlock, Range, SourceFormat, Word } from "./types.ts";
import { splitUnits } from "./units.ts";
import { Vocabulary } from "./vocabulary.ts";
import { foldQuotes, opensSentence, plainWords, unitWords } from "./words.ts";

/** A paragraph opened by "Name:", "Q:" — with the same label opening another paragraph, it is a transcript's speaker. */
const SPEAKER_LABEL = /^(\p{Lu}[\p{L}'’.-]*(?:[ \t]\p{Lu}[\p{L}'’.-]*){0,2}):[ \t]/u;

function carve(unit: Range, debris: Debris[]): Array<Range & { debris?: string }> {
  const pieces: Array<Range & { debris?: string }> = [];
  let at = unit.start;
  for (const d of debris) {
    if (d.end <= at || d.start >= unit.end) continue;
    const start = Math.max(d.start, at);
    const end = Math.min(d.end, unit.end);
    if (start > at) pieces.push({ start: at, end: start });
    pieces.push({ start, end, debris: d.signal });
    at = end;
  }
  if (at < unit.end) pieces.push({ start: at, end: unit.end });
  return pieces;
}

export function judged(block: HygieneBlock): boolean {
  return block.kind === "prose" || block.kind === "list" || block.kind === "quote";
}

/** Prose blocks opened by a speaker label that opens at least one other block too. */
function speakerBlocks(blocks: HygieneBlock[]): Set<number> {
  const labels = blocks.map((block) => (block.kind === "prose" ? SPEAKER_LABEL.exec(block.text)?.[1] : undefined));
  const counts = new Map<string, number>();
  for (const label of labels) if (label) counts.set(label, (counts.get(label) ?? 0) + 1);
  const spoken = new Set<number>();
  labels.forEach((label, b) => {
    if (label && (counts.get(label) ?? 0) >= 2) spoken.add(b);
  });
  return spoken;
}

/** Units, words and vocabulary of a document: everything the passes read. */
/** Whether offset `at` starts its line, after indentation and a list marker if any; looks back only over those. */
function opensLine(text: string, at: number): boolean {
  let i = at;
  while (i > 0 && (text[i - 1] === " " || text[i - 1] === "\t")) i--;
  if (i > 0 && "-*+".includes(text[i - 1]!)) i--;
  else if (i > 0 && ".)".includes(text[i - 1]!) && /\d/.test(text[i - 2] ?? "")) for (i--; i > 0 && /\d/.test(text[i - 1]!); ) i--;
  while (i > 0 && (text[i - 1] === " " || text[i - 1] === "\t")) i--;
  return i === 0 || text[i - 1] === "\n";
}

export function buildModel(blocks: HygieneBlock[], tuning: Tuning, format: SourceFormat = "text"): DocumentModel {
  const model: DocumentModel = { blocks, units: [], all: new Vocabulary(), lowerForms: new Set(), capitalForms: new Vocabulary(), midNames: new Vocabulary(), tuning, format };
  const speakers = speakerBlocks(blocks);
  const count = (words: Word[], text: string) => {
    words.forEach((w, i) => {
      if (w.content) model.all.add(w.stem);
      if (w.capitalised) model.capitalForms.add(w.norm);
      else model.lowerForms.add(w.norm);
      if (w.capitalised && w.content && !opensSentence(words, i, text)) model.midNames.add(w.norm);
    });
  };
  blocks.forEach((block, b) => {
    if (!judged(block)) {
      count(plainWords(block.text), block.text);
      return;
    }
    const text = block.text;
    const guardedRanges = protectedRanges(text);
    const guarded = new RangeSet(guardedRanges);
    const quoteList = quoteRanges(text, guarded);
    const quotes = new RangeSet(quoteList);
    const debris = findDebris(text, guardedRanges, DETECTORS, format);
    for (const range of splitUnits(text, guarded, quoteList, quotes, tuning.segmentChunk)) {
      const pieces = carve(range, debris);
      const carved = pieces.length > 1;
      for (const piece of pieces) {
        const trimmed = trimRange(text, piece.start, piece.end);
        if (!trimmed) continue;
        const body = text.slice(trimmed.start, trimmed.end);
        const signal = piece.debris ?? unitDebris(body, { kind: block.kind, carved, opensLine: opensLine(text, trimmed.start) }, DETECTORS);
        const words = signal ? [] : unitWords(text, trimmed, guarded, quotes);
        count(words, text);
        model.units.push({
          block: b,
          ...trimmed,
          words,
          leftEdge: trimmed.start === range.start ? range.leftEdge : "splice",
          rightEdge: trimmed.end === range.end ? range.rightEdge : "splice",
          debris: signal !== undefined,
          keep: false,
          inList: block.kind === "list",
          inQuoteBlock: block.kind === "quote",
          spoken: speakers.has(b),
          ...(signal ? { flagged: { kind: "debris" as const, signals: [signal] } } : {}),
        });
      }
    }
  });
  for (const heading of new Set(blocks.flatMap((block) => block.section))) count(plainWords(heading), heading);
  return model;
}

export function applyKeep(model: DocumentModel, keep: string[]): void {
  const needles = keep.map((k) => foldQuotes(k.replace(/\s+/g, " ").trim()).toLowerCase()).filter((k) => k.length > 0);
  if (needles.length === 0) return;
  const perBlock = model.blocks.map((block) => {
    // Length-preserving case fold, so offsets found in the folded text are offsets in the block.
    const hay = Array.from(foldQuotes(block.text).replace(/\s/g, " "), (c) => (c.toLowerCase().length === c.length ? c.toLowerCase() : c)).join("");
    const ranges: Range[] = [];
    for (const needle of needles) {
      for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) ranges.push({ start: at, end: at + needle.length });
    }
    return ranges;
  });
  for (const unit of model.units) {
    if (!overlaps(perBlock[unit.block] ?? [], unit.start, unit.end)) continue;
    unit.keep = true;
    delete unit.flagged;
  }
}
