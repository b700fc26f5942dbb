/** Words of a unit as the check reads them: folded, stemmed, classed as content or not, with their positions. */
import { stem } from "../../lexicon/stem.ts";
import { CONTRACTED_IS, FIRST_SINGULAR, SECOND_PERSON, STOP, THIRD_GENDERED } from "./lexicon.ts";
import { NO_RANGES, type RangeSet } from "./ranges.ts";
import type { Range, Word } from "./types.ts";

const WORDS = new Intl.Segmenter("en", { granularity: "word" });
const PRONOUNS = new Set([...THIRD_GENDERED, ...FIRST_SINGULAR, ...SECOND_PERSON]);

function stemOf(word: string): string {
  return /^[a-z]+$/.test(word) ? stem(word) : word;
}

/** Same length as the input, so offsets stay valid. */
export function foldQuotes(text: string): string {
  return text.replace(/[’‘`]/g, "'").replace(/[“”]/g, '"');
}

export function normaliseWord(raw: string): string {
  const lower = foldQuotes(raw).toLowerCase();
  return lower.endsWith("'s") && lower.length > 3 && !CONTRACTED_IS.test(lower) ? lower.slice(0, -2) : lower;
}

export function isContraction(norm: string): boolean {
  return /n't$|'(re|ve|ll|d|m)$/.test(norm) || CONTRACTED_IS.test(norm);
}

function isNumber(norm: string): boolean {
  return /^\p{N}/u.test(norm);
}


interface WordForm {
  norm: string;
  stem: string;
  content: boolean;
  capitalised: boolean;
  numeric: boolean;
}

/** Per surface form: the same few thousand words recur across every document of a load. */
const formCache = new Map<string, WordForm>();

function formOf(raw: string): WordForm {
  let form = formCache.get(raw);
  if (!form) {
    const norm = normaliseWord(raw);
    const content = norm.length >= 2 && !STOP.has(norm) && !isContraction(norm) && /\p{L}/u.test(norm);
    form = { norm, stem: content ? stemOf(norm.replace(/'/g, "")) : norm, content, capitalised: /^\p{Lu}\p{Ll}/u.test(raw), numeric: isNumber(norm) };
    if (formCache.size > 200_000) formCache.clear();
    formCache.set(raw, form);
  }
  return form;
}

export function makeWord(text: string, raw: string, start: number, quotes: RangeSet): Word | undefined {
  const end = start + raw.length;
  const form = formOf(raw);
  // "I/O" is an abbreviation, "(he/him)" a note on someone's pronouns, "my-shortcodes" a name: no narration.
  // A lowercase "i" is no pronoun either ("i.e."): English capitalises that one.
  if (PRONOUNS.has(form.norm) && (/[/_-]/.test(text[end] ?? "") || /[/_-]/.test(text[start - 1] ?? "") || raw === "i")) return undefined;
  return { start, end, norm: form.norm, stem: form.stem, content: form.content, capitalised: form.capitalised, numeric: form.numeric, inQuote: quotes.has(start) };
}

/** Scripts written without spaces between words: only a dictionary-based segmenter finds their words. */
const UNSPACED_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const SPACED_WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*/gu;

/**
 * Words of one unit. Intl.Segmenter where the script needs it; for space-separated scripts a regex
 * finds the same words several times faster, and this runs over every sentence of every load.
 */
export function unitWords(text: string, range: Range, guarded: RangeSet, quotes: RangeSet): Word[] {
  const words: Word[] = [];
  const slice = text.slice(range.start, range.end);
  const push = (raw: string, start: number) => {
    if (guarded.has(start)) return;
    // "Wizlaw I, Prince of Rügen": a regnal numeral after a name inside the sentence, not the pronoun.
    const prev = words[words.length - 1];
    if (raw === "I" && words.length >= 2 && prev!.capitalised && !STOP.has(prev!.norm) && text.slice(prev!.end, start) === " ") {
      if (/^(?:[,.;:)]|$|[ \t]\p{Lu}|[ \t]of\b)/u.test(text.slice(start + 1, start + 4))) return;
    }
    const word = makeWord(text, raw, start, quotes);
    if (word) words.push(word);
  };
  if (UNSPACED_SCRIPT.test(slice)) {
    for (const seg of WORDS.segment(slice)) if (seg.isWordLike) push(seg.segment, range.start + seg.index);
  } else {
    for (const m of slice.matchAll(SPACED_WORD)) push(m[0], range.start + m.index);
  }
  return words;
}

/** Vocabulary of text that is never judged (code, tables, headings): it still vouches for prose. */
export function plainWords(text: string): Word[] {
  return unitWords(text, { start: 0, end: text.length }, NO_RANGES, NO_RANGES);
}


/** Whether words[i] opens a sentence (first of its unit, or after a full stop or colon). */
export function opensSentence(words: Word[], i: number, text: string): boolean {
  return i === 0 || /[.!?:]["”]?\s*$/.test(text.slice(words[i - 1]!.end, words[i]!.start));
}
