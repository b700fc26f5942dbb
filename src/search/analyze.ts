import { stem } from "../lexicon/stem.ts";
import { STOP_WORDS } from "../lexicon/stopwords.ts";
import { IRREGULAR_FORMS } from "../lexicon/verbs.ts";
import { LruCache } from "../lru.ts";

/**
 * Text analysis shared by indexing and querying, so that both sides agree on what a term is:
 * fold case, diacritics and typographic apostrophes; drop stop words; stem with Porter;
 * split identifiers (`should_panic`, `RefCell`) into their parts while keeping the whole.
 */

/** A word as written, with its position. */
export interface Word {
  /** Folded (lowercase, no diacritics, straight apostrophes) but not stemmed. */
  folded: string;
  start: number;
  end: number;
}

/** A searchable term at a position in the text. */
export interface Term {
  term: string;
  start: number;
  end: number;
}

const WORD = /[\p{L}\p{N}_]+(?:['’][\p{L}]+)*/gu;
const MARKS = /\p{M}+/gu;

/** Lowercase, no diacritics, straight apostrophes, possessive `'s` gone. */
export function fold(word: string): string {
  let out = word.toLowerCase();
  // Skip the NFD round trip for plain ASCII: it is most words and this runs on every token.
  if (/[^\u0020-\u007e]/.test(out)) out = out.normalize("NFD").replace(MARKS, "").replace(/’/g, "'").normalize("NFC");
  return out.endsWith("'s") ? out.slice(0, -2) : out;
}

export function words(text: string): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(WORD)) {
    out.push({ folded: fold(m[0]), start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** The index term for one folded word, or undefined for stop words and noise. */
export function termOf(folded: string): string | undefined {
  if (STOP_WORDS.has(folded)) return undefined;
  if (/^\d+$/.test(folded)) return folded;
  if (folded.length < 2 || /^_+$/.test(folded)) return undefined;
  const base = IRREGULAR_FORMS.get(folded);
  if (base && STOP_WORDS.has(base)) return undefined;
  // Numbers and identifiers (`should_panic`) are matched as written; their parts are stemmed separately.
  return /[\d_]/.test(folded) ? folded : stem(base ?? folded.replace(/'/g, "")) || undefined;
}

/** Parts of an identifier: `should_panic` → should, panic; `RefCell` → ref, cell. */
function identifierParts(raw: string): string[] {
  // Most words are not identifiers; one test spares them the replace and split.
  if (!/_|[a-z0-9][A-Z]/.test(raw)) return [];
  const parts = raw
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[_\s]+/)
    .filter(Boolean);
  return parts.length > 1 ? parts.map(fold) : [];
}

/** Terms of each word as written. Words repeat across passages, and this is the costly part of analysis. */
const wordTerms = new LruCache<string, readonly string[]>(200_000);

function termsOfWord(raw: string): readonly string[] {
  const known = wordTerms.get(raw);
  if (known) return known;
  // V8 keeps a substring of 13 or more characters as a view of the whole text it was cut from; a cache
  // entry made from it (and the terms derived from it) would keep that whole passage alive.
  const word = raw.length >= 13 ? Buffer.from(raw, "utf8").toString("utf8") : raw;
  const whole = termOf(fold(word));
  const out: string[] = whole ? [whole] : [];
  for (const part of identifierParts(word)) {
    const t = termOf(part);
    if (t && t !== whole) out.push(t);
  }
  wordTerms.set(word, out);
  return out;
}

/** Every term of a text, with positions; identifier parts share their identifier's position. */
export function terms(text: string): Term[] {
  const out: Term[] = [];
  for (const m of text.matchAll(WORD)) {
    const start = m.index;
    const end = start + m[0].length;
    for (const term of termsOfWord(m[0])) out.push({ term, start, end });
  }
  return out;
}

/** Just the term strings, for MiniSearch's `tokenize`. */
export function termList(text: string): string[] {
  return terms(text).map((t) => t.term);
}
