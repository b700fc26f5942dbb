/**
 * English lexical data distilled from WordNet 3.1 and GloVe (lexicon/, made by scripts/build-lexicon.ts):
 * which words are English, the lemmas of an inflected form, and each lemma's related words. Read only
 * when an index is built or a question has a word the knowledge lacks; a snapshot carries the part of
 * it that its knowledge needs (see expansion.ts).
 *
 * WordNet and the vectors each stay one gunzipped buffer with a map from key to line, so that loading it costs one
 * decompression and one pass: most of its 150,000 lines are never decoded.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";

/** Where the distilled files live: the repository's lexicon/ folder, from src/search or dist/search alike. */
export const LEXICON_DIR = path.resolve(import.meta.dirname, "../../lexicon");

/**
 * How a lemma relates to another (see scripts/build-lexicon.ts): s synonym, d derived form, p pertainym,
 * m similar adjective, h hypernym, o hyponym, b sibling (hyponym of the same narrow hypernym), a antonym,
 * x the lemma of an inflected form, v word-vector neighbour.
 */
export type Relation = "s" | "d" | "p" | "m" | "h" | "o" | "b" | "a" | "x" | "v";

export interface Related {
  word: string;
  relation: Relation;
  /** The sense (1 = most frequent) of the looked-up lemma that relates it; for vectors, 1. */
  rank: number;
  /** Cosine similarity for word-vector neighbours; 1 otherwise. */
  similarity: number;
}

/**
 * A text file of `key \t …` lines kept as one buffer; a map from key to line is made once, so a look-up
 * decodes only its own line.
 */
class KeyedLines {
  private readonly text: Buffer;
  private readonly lines = new Map<string, number>();

  constructor(text: Buffer) {
    this.text = text;
    let at = 0;
    while (at < text.length) {
      const nl = text.indexOf(10, at);
      const end = nl < 0 ? text.length : nl;
      const tab = text.indexOf(9, at);
      this.lines.set(text.toString("latin1", at, tab < 0 || tab > end ? end : tab), at);
      at = end + 1;
    }
  }

  /** The fields after the key on the key's line, or undefined. */
  get(key: string): string[] | undefined {
    const start = this.lines.get(key);
    if (start === undefined) return undefined;
    const end = this.text.indexOf(10, start);
    return this.text
      .toString("utf8", start, end < 0 ? this.text.length : end)
      .split("\t")
      .slice(1);
  }

  has(key: string): boolean {
    return this.lines.has(key);
  }
}

/** WordNet's regular inflections (its "morphy" rules), for words too rare to be in the lexicon: suffix → replacement. */
export const DETACHMENT: readonly (readonly [string, string])[] = [
  ["s", ""],
  ["ses", "s"],
  ["xes", "x"],
  ["zes", "z"],
  ["ches", "ch"],
  ["shes", "sh"],
  ["men", "man"],
  ["ies", "y"],
  ["es", "e"],
  ["es", ""],
  ["ed", "e"],
  ["ed", ""],
  ["ing", "e"],
  ["ing", ""],
  ["er", ""],
  ["est", ""],
  ["er", "e"],
  ["est", "e"],
];

export class Lexicon {
  private readonly wordnet: KeyedLines;
  private readonly vectors: KeyedLines | undefined;
  /** Word → its rank in general English (1 = most frequent). */
  private readonly ranks = new Map<string, number>();

  constructor(wordnet: Buffer, vectors?: Buffer, frequency?: Buffer) {
    this.wordnet = new KeyedLines(wordnet);
    this.vectors = vectors ? new KeyedLines(vectors) : undefined;
    if (frequency)
      frequency
        .toString("latin1")
        .split("\n")
        .forEach((w, i) => w && !this.ranks.has(w) && this.ranks.set(w, i + 1));
  }

  /** How common a folded word is in general English: its rank among the 50,000 most frequent, or undefined. */
  rank(word: string): number | undefined {
    return this.ranks.get(word);
  }

  /** Reads lexicon/ (WordNet always; vectors when the file is there). Throws naming a missing file. */
  static load(dir: string = LEXICON_DIR): Lexicon {
    const file = path.join(dir, "wordnet.tsv.gz");
    if (!existsSync(file)) throw new Error(`lexicon: Expected the WordNet lexicon at ${file}, got no file (make it with scripts/build-lexicon.ts)`);
    const optional = (name: string) => {
      const f = path.join(dir, name);
      return existsSync(f) ? gunzipSync(readFileSync(f)) : undefined;
    };
    return new Lexicon(gunzipSync(readFileSync(file)), optional("vectors.tsv.gz"), optional("frequency.txt.gz"));
  }

  /** Whether the lemma is in WordNet. */
  hasLemma(lemma: string): boolean {
    return this.wordnet.has(lemma);
  }

  /**
   * The lemmas a folded word can be a form of: itself when it is a lemma, the bases of an irregular form
   * ("took" → take), and what the regular inflection rules give ("ambassadors" → ambassador).
   */
  lemmas(word: string): string[] {
    const out = new Set<string>();
    const own = this.wordnet.get(word);
    if (own) {
      // Frequent words carry their lemmas (build-lexicon.ts applied the rules and exception lists).
      if (Number(own[0]) > 0) out.add(word);
      for (const r of this.parse(own)) if (r.relation === "x") out.add(r.word);
      return [...out];
    }
    for (const [suffix, replacement] of DETACHMENT) {
      if (word.length <= suffix.length + 1 || !word.endsWith(suffix)) continue;
      const base = word.slice(0, -suffix.length) + replacement;
      if (this.hasLemma(base)) out.add(base);
    }
    return [...out];
  }

  /** Whether a folded word is English: a lemma, or an inflected form of one. */
  isWord(word: string): boolean {
    return this.lemmas(word).length > 0;
  }

  /** How many senses a lemma has (0 when it is not in WordNet). */
  senses(lemma: string): number {
    return Number(this.wordnet.get(lemma)?.[0] ?? 0);
  }

  /** The lemma's related words (WordNet), then its word-vector neighbours. */
  related(lemma: string): Related[] {
    const out = this.parse(this.wordnet.get(lemma)).filter((r) => r.relation !== "x");
    for (const entry of this.vectors?.get(lemma)?.[0]?.split(",") ?? []) {
      const colon = entry.lastIndexOf(":");
      if (colon > 0) out.push({ word: entry.slice(0, colon), relation: "v", rank: 1, similarity: Number(entry.slice(colon + 1)) });
    }
    return out;
  }

  private parse(fields: string[] | undefined): Related[] {
    const list = fields?.[1];
    if (!list) return [];
    const out: Related[] = [];
    for (const entry of list.split(",")) {
      const [word, relation, rank] = entry.split(":");
      if (word && relation) out.push({ word, relation: relation as Relation, rank: Number(rank) || 1, similarity: 1 });
    }
    return out;
  }
}

/** The size of each lexicon file: enough for a snapshot's key to notice regenerated data, and the same on every checkout. */
export function lexiconFingerprint(dir: string = LEXICON_DIR): string {
  return ["wordnet.tsv.gz", "vectors.tsv.gz", "frequency.txt.gz"]
    .map((name) => {
      try {
        const info = statSync(path.join(dir, name));
        return `${name}:${info.size}`;
      } catch {
        return `${name}:none`;
      }
    })
    .join(",");
}

let shared: Lexicon | undefined;

/** The lexicon of lexicon/, read on first use and kept for the process. */
export function lexicon(): Lexicon {
  shared ??= Lexicon.load();
  return shared;
}
