/**
 * Cuts a block's text into units: sentences, cut further at marks where two texts were spliced
 * ("——,", a capitalised clause opener glued to a lowercase word, ". ,"), and quotations attributed
 * by the sentence after them.
 */
import { sentencePieces } from "../sentences.ts";
import { ABBREVIATIONS, CLAUSE_OPENERS, DIALOGUE_VERBS, GESTURE_VERBS, NAME_LEAD_INS, REPORTING_VERBS } from "./lexicon.ts";
import { trimRange, type RangeSet } from "./ranges.ts";
import type { Edge, Range } from "./types.ts";

const SENTENCES = new Intl.Segmenter("en", { granularity: "sentence" });

interface Cut {
  at: number;
  resume: number;
  edge: Edge;
}

/** Offsets where Intl.Segmenter starts a new sentence; long text is fed in pieces to keep it linear. */
function sentenceStarts(text: string, from: number, to: number, chunk: number, out: Cut[]): void {
  for (const piece of sentencePieces(text, from, to, chunk)) {
    // A piece ends where a sentence surely ends.
    if (piece.end < to) out.push({ at: piece.end, resume: piece.end, edge: "sentence" });
    for (const seg of SENTENCES.segment(text.slice(piece.start, piece.end))) {
      if (seg.index > 0) out.push({ at: piece.start + seg.index, resume: piece.start + seg.index, edge: "sentence" });
    }
  }
}

/** Sentence ranges, cut further at marks where two texts were spliced. */
/** `chunk`: the longest text Intl.Segmenter is given at once (see sentencePieces). */
export function splitUnits(text: string, guarded: RangeSet, quotes: Range[], quoted: RangeSet, chunk: number): Array<Range & { leftEdge: Edge; rightEdge: Edge }> {
  const cuts: Cut[] = [];
  // Lines of a list (and hard line breaks) are separate units.
  let lineStart = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && text[i] !== "\n") continue;
    sentenceStarts(text, lineStart, i, chunk, cuts);
    if (i < text.length) cuts.push({ at: i, resume: i + 1, edge: "sentence" });
    lineStart = i + 1;
  }
  // "time——, The": a doubled dash, or two hyphens with an orphan comma. Two or three hyphens alone
  // are how plain text writes a dash ("React--in fact", "one element---the top").
  for (const m of text.matchAll(/[ \t]*(?:——[ \t]*[,，;]?|--[ \t]*[,，;])[ \t]*/g)) {
    if (!guarded.has(m.index)) cuts.push({ at: m.index, resume: m.index + m[0].length, edge: "splice" });
  }
  // "family,, The operator": a doubled comma, or a capitalised clause opener right after a comma.
  if (text.includes(",")) {
    for (const m of text.matchAll(/\p{Ll}((?:[ \t]*,[ \t]*,|,(?=[ \t]+\p{Lu}))[ \t]*)/gu)) {
      const at = m.index + m[0].length - (m[1]?.length ?? 0);
      const next = /^\p{Lu}\p{Ll}*/u.exec(text.slice(at + (m[1]?.length ?? 0), at + 40))?.[0] ?? "";
      const doubled = (m[1]?.match(/,/g) ?? []).length > 1;
      if (guarded.has(at) || quoted.has(at) || (!doubled && !CLAUSE_OPENERS.has(next.toLowerCase()))) continue;
      cuts.push({ at, resume: at + (m[1]?.length ?? 0), edge: "splice" });
    }
  }
  // "anyway. , I just": a sentence end followed by an orphan comma.
  for (const m of text.matchAll(/(?<=[.!?]["”’]?)[ \t]+[,;][ \t]*/g)) cuts.push({ at: m.index, resume: m.index + m[0].length, edge: "splice" });
  // "waited for the gates to break. by the end of next year": a full stop, then the interrupted sentence
  // goes on in lowercase. Not after abbreviations ("etc. and") or inside file names ("index.html and").
  if (text.includes(". ")) {
    for (const m of text.matchAll(/(?:^|[\s(])(\p{Ll}{3,})\.["”’]?([ \t]+)(?=\p{Ll}{2,}\b)/gu)) {
      const at = m.index + m[0].length - (m[2]?.length ?? 0);
      if (ABBREVIATIONS.has(m[1] ?? "") || guarded.has(at) || quoted.has(at)) continue;
      cuts.push({ at, resume: m.index + m[0].length, edge: "splice" });
    }
  }
  // "repair him Since its": a clause opener capitalised right after a lowercase word.
  for (const lead of text.matchAll(/\p{Ll}[ \t]+(\p{Lu}\p{Ll}*)(?=[\s,])/gu)) {
    // Shifted past the lowercase letter, so the match starts at the spacing as the cut does.
    const m = { index: lead.index + 1, 0: lead[0].slice(1), 1: lead[1] };
    const word = m[1] ?? "";
    if (!CLAUSE_OPENERS.has(word.toLowerCase()) || guarded.has(m.index) || quoted.has(m.index)) continue;
    // After a word that expects a noun phrase the capital starts a name ("in The Hague"); after a
    // capitalised word it is Title Case ("As Far As I Can Tell").
    const prev = /([\p{L}']+)$/u.exec(text.slice(Math.max(0, m.index - 30), m.index))?.[1] ?? "";
    if (NAME_LEAD_INS.has(prev.toLowerCase()) || /^\p{Lu}/u.test(prev)) continue;
    // The first word of a line is a label ("::: warning If you…", "caution We recommend"): a callout's type.
    const lineStart = text.lastIndexOf("\n", m.index) + 1;
    if (!/\p{L}/u.test(text.slice(lineStart, m.index - prev.length))) continue;
    cuts.push({ at: m.index, resume: m.index + m[0].length - word.length, edge: "splice" });
  }
  // "worldBring": a lowercase word run into a capitalised one.
  if (/[a-z][A-Z]|\p{Ll}\p{Lu}/u.test(text)) {
    for (const m of text.matchAll(/(?:^|[^\p{L}])\p{Ll}{3,}(\p{Lu}\p{Ll}{2,})(?![\p{L}])/gu)) {
      const at = m.index + m[0].length - (m[1]?.length ?? 0);
      if (!guarded.has(at)) cuts.push({ at, resume: at, edge: "splice" });
    }
  }
  // `and “enough is enough.” Lan Xue nodded`: a quotation closing a sentence, attributed by the next
  // one, is a unit of its own so that the dialogue is judged apart from the narration before it.
  for (const q of quotes) {
    if (!/[\p{L}\d][ \t]$/u.test(text.slice(Math.max(0, q.start - 2), q.start))) continue;
    if (!/[.!?,]["”]$/.test(text.slice(q.start, q.end)) || !attributionAt(text, q.end)) continue;
    cuts.push({ at: q.start - 1, resume: q.start, edge: "splice" });
  }
  cuts.sort((a, b) => a.at - b.at || b.resume - a.resume);

  const raw: Array<Range & { leftEdge: Edge; rightEdge: Edge }> = [];
  let start = 0;
  let leftEdge: Edge = "block";
  for (const cut of cuts) {
    if (cut.at < start) {
      // Overlapping marks: the splice wins, the later resume wins.
      start = Math.max(start, cut.resume);
      if (cut.edge === "splice") leftEdge = "splice";
      continue;
    }
    raw.push({ start, end: cut.at, leftEdge, rightEdge: cut.edge });
    start = cut.resume;
    leftEdge = cut.edge;
  }
  raw.push({ start, end: text.length, leftEdge, rightEdge: "block" });

  const units: Array<Range & { leftEdge: Edge; rightEdge: Edge }> = [];
  for (const unit of raw) {
    const trimmed = trimRange(text, unit.start, unit.end);
    if (!trimmed) {
      // An empty piece between two marks: its edges pass on to the neighbours.
      const last = units[units.length - 1];
      if (last && unit.rightEdge === "splice") last.rightEdge = "splice";
      continue;
    }
    const last = units[units.length - 1];
    if (last && (last.rightEdge === "splice" || unit.leftEdge === "splice")) last.rightEdge = unit.leftEdge = "splice";
    units.push({ ...unit, ...trimmed });
  }
  return units;
}


/** Subject and speech or gesture verb right after `at` (a closing quote): `” Lan Xue nodded`, `” she asked`. */
export function attributionAt(text: string, at: number): { subject: string; verb: string } | undefined {
  const window = text.slice(at, at + 60);
  const m = /^[ \t,]*(\p{Lu}\p{Ll}+(?:[ \t]\p{Lu}\p{Ll}+)?|he|she|I)[ \t]+(?:\p{Ll}+ly[ \t]+)?(\p{Ll}+)\b/u.exec(window);
  const verb = m?.[2] ?? "";
  if (m && (GESTURE_VERBS.has(verb) || DIALOGUE_VERBS.has(verb) || REPORTING_VERBS.has(verb))) return { subject: m[1] ?? "", verb };
  // Inverted, as news writes it: `,” said the mayor`, `,” says Maria Olsen`.
  const inverted = /^[ \t,]*(\p{Ll}+)[ \t]+(the[ \t]+\p{Ll}+|\p{Lu}\p{Ll}+(?:[ \t]\p{Lu}\p{Ll}+)?|he|she)\b/u.exec(window);
  const before = inverted?.[1] ?? "";
  if (inverted && (REPORTING_VERBS.has(before) || DIALOGUE_VERBS.has(before))) return { subject: inverted[2] ?? "", verb: before };
  return undefined;
}

