/**
 * The vocabulary bridge: which of the knowledge's terms a question word can stand for when the question
 * is phrased in other words ("envoy" for "ambassador", "start" for "established", "Canadian" for "Canada").
 *
 * Built once per index from the lexicon (WordNet relations, word-vector neighbours) and restricted to
 * the knowledge's own vocabulary: the table maps the stem of every word related to a knowledge word to
 * that knowledge word's term, with a weight below 1. It is kept in the snapshot, so a question pays a
 * look-up, and an index opened from a snapshot never reads the lexicon for it.
 */
import { stemmer } from "stemmer";
import type { SynonymRule } from "../knowledge/synonyms.ts";
import { termOf } from "./analyze.ts";
import type { Lexicon, Related, Relation } from "./lexicon.ts";

/** Every expansion weight and limit in one place, with the reason for each. */
export interface ExpansionWeights {
  /** Weight by relation, against 1 for the question's own word. Synonyms and derived forms say the most. */
  relation: Record<Exclude<Relation, "a" | "x">, number>;
  /** Each less frequent sense of the related word counts this much less (WordNet orders senses by frequency). */
  rankDecay: number;
  /** Word-vector neighbours below this cosine similarity are left out: below it they are topical, not the same meaning. */
  minSimilarity: number;
  /** Expansions below this weight are not kept. */
  minWeight: number;
  /** At most this many knowledge terms per question word, the strongest: words of many senses would otherwise fan out. */
  perWord: number;
  /** A question word with more senses than this is damped: weight × (this / senses)^½. */
  polysemy: number;
  /** Weight of the operator's own synonyms (.synonyms.txt): above the lexicon's, below the word itself. */
  operator: number;
}

export const DEFAULT_EXPANSION: Readonly<ExpansionWeights> = Object.freeze({
  relation: Object.freeze({ s: 0.8, d: 0.75, p: 0.75, m: 0.6, h: 0.5, o: 0.45, b: 0.4, v: 0.7 }),
  rankDecay: 0.85,
  minSimilarity: 0.6,
  minWeight: 0.3,
  perWord: 6,
  polysemy: 6,
  operator: 0.95,
});

/** An expansion: a knowledge term a question word can stand for, and how much it counts. */
export interface Expansion {
  term: string;
  weight: number;
  /** From the operator's synonyms file: it says what the words mean in this knowledge, so it counts as the word itself does. */
  operator?: true;
}

/** The serialised table: question-word stem → "term:weight,term:weight", with ":o" after an operator's synonym. */
export type ExpansionJSON = Record<string, string>;

/**
 * The table key of a word as the analyser would make it; a phrase ("set_up", or the words of an operator's
 * phrase) joins the Porter stems of its words, stop words included, as query analysis does (phraseKey).
 */
function keyOf(word: string): string | undefined {
  if (word.includes("_")) {
    const parts = word.split("_").filter(Boolean);
    return parts.length > 1 ? phraseKey(parts) : undefined;
  }
  return termOf(word);
}

/** The term of a lexicon phrase's first content word ("get_together" → togeth), as query analysis takes it. */
function headOf(lemma: string): string | undefined {
  for (const part of lemma.split("_")) {
    const term = termOf(part);
    if (term) return term;
  }
  return undefined;
}

/** The key of a phrase of several folded words. */
export function phraseKey(words: readonly string[]): string {
  return words.map((w) => stemmer(w)).join("_");
}

function weightOf(r: Related, w: ExpansionWeights): number {
  if (r.relation === "a" || r.relation === "x") return 0;
  const base = w.relation[r.relation] ?? 0;
  if (r.relation === "v") return r.similarity >= w.minSimilarity ? base * r.similarity : 0;
  return base * w.rankDecay ** (r.rank - 1);
}

export class ExpansionTable {
  static readonly EMPTY = new ExpansionTable(new Map());
  private readonly table: Map<string, Expansion[]>;

  private constructor(table: Map<string, Expansion[]>) {
    this.table = table;
  }

  /**
   * The table for a knowledge vocabulary: `words` are folded words as written in the knowledge, each
   * with its term. A related word's stem maps to the knowledge term, never to a word the knowledge lacks.
   */
  static build(
    words: Iterable<string>,
    lexicon: Lexicon | undefined,
    weights: ExpansionWeights = DEFAULT_EXPANSION,
    rules: readonly SynonymRule[] = [],
  ): ExpansionTable {
    const best = new Map<string, Map<string, number>>();
    const fromOperator = new Set<string>();
    const senses = new Map<string, number>();
    // A question word the knowledge itself uses is meant as the knowledge means it: its synonyms, measured
    // on the tune halves, added more noise than answers. Only the operator's rules and a word's own forms
    // ("children" for "child") apply to it.
    const vocabulary = [...words];
    const own = new Set(vocabulary.map((w) => termOf(w)));
    const add = (key: string | undefined, term: string, weight: number, lemma: string, operator = false) => {
      if (!key || key === term || weight < weights.minWeight * 0.5) return;
      // A phrase ("get_together") is the knowledge's own when its first content word is.
      if (!operator && own.has(key.includes("_") ? headOf(lemma) : key)) return;
      if (operator) fromOperator.add(`${key}\u0000${term}`);
      let terms = best.get(key);
      if (!terms) best.set(key, (terms = new Map<string, number>()));
      if ((terms.get(term) ?? 0) < weight) terms.set(term, weight);
      // The question word's polysemy, from the lexicon: known for lemmas, else treated as one sense.
      if (!senses.has(key)) senses.set(key, lexicon?.senses(lemma) || 1);
    };
    // The operator's rules first, and never damped: they say what the words mean in this knowledge.
    for (const rule of rules) {
      for (const from of rule.from) {
        const key = from.length > 1 ? phraseKey(from) : termOf(from[0] ?? "");
        for (const to of rule.to) {
          if (to === from) continue;
          for (const word of to) {
            const term = termOf(word);
            if (key && term) add(key, term, weights.operator, "", true);
          }
        }
        if (key) senses.set(key, 1);
      }
    }
    for (const word of lexicon ? vocabulary : []) {
      const term = termOf(word);
      if (!term || /\d/.test(term) || !lexicon) continue;
      const lemmas = lexicon.lemmas(word);
      // An antonym is never an expansion, whatever else relates it: "low" and "high" are both altitudes
      // to WordNet, and word vectors put "lowest" next to "highest". Vectors know surface forms, WordNet's
      // antonyms are between lemmas, so a neighbour is compared by its lemmas.
      const opposites = new Set(
        lemmas.flatMap((l) =>
          lexicon
            .related(l)
            .filter((r) => r.relation === "a")
            .map((r) => r.word),
        ),
      );
      const opposite = (r: Related) => opposites.has(r.word) || (r.relation === "v" && lexicon.lemmas(r.word).some((l) => opposites.has(l)));
      for (const lemma of lemmas) {
        // An irregular form and its lemma are the same word: "children" in the knowledge answers "child".
        add(keyOf(lemma), term, 1, lemma);
        for (const r of lexicon.related(lemma)) if (!opposite(r)) add(keyOf(r.word), term, weightOf(r, weights), r.word);
      }
      if (!lemmas.includes(word))
        for (const r of lexicon.related(word)) if (r.relation === "v" && !opposite(r)) add(keyOf(r.word), term, weightOf(r, weights), r.word);
    }
    const table = new Map<string, Expansion[]>();
    for (const [key, terms] of best) {
      // A question word of many senses means any one of them less surely.
      const n = senses.get(key) ?? 1;
      const damp = n > weights.polysemy ? Math.sqrt(weights.polysemy / n) : 1;
      const list = [...terms]
        .map(([term, weight]): Expansion => {
          const operator = fromOperator.has(`${key}\u0000${term}`);
          // The operator's words are never damped: they say what the word means here.
          const value = Math.round((weight === 1 || operator ? weight : weight * damp) * 100) / 100;
          return operator ? { term, weight: value, operator: true } : { term, weight: value };
        })
        .filter((e) => e.weight >= weights.minWeight)
        .sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1));
      if (list.length) table.set(key, list.slice(0, weights.perWord));
    }
    return new ExpansionTable(table);
  }

  static fromJSON(json: ExpansionJSON): ExpansionTable {
    const table = new Map<string, Expansion[]>();
    for (const [key, value] of Object.entries(json)) {
      const list: Expansion[] = [];
      for (const entry of value.split(",")) {
        const [term, weight, flag] = entry.split(":");
        if (term && weight) list.push({ term, weight: Number(weight), ...(flag === "o" ? { operator: true as const } : {}) });
      }
      table.set(key, list);
    }
    return new ExpansionTable(table);
  }

  toJSON(): ExpansionJSON {
    const out: ExpansionJSON = {};
    for (const [key, list] of this.table) out[key] = list.map((e) => `${e.term}:${e.weight}${e.operator ? ":o" : ""}`).join(",");
    return out;
  }

  /** The knowledge terms a question word's stem (or a phrase's key, "show_up") can stand for, strongest first. */
  lookup(key: string): readonly Expansion[] {
    return this.table.get(key) ?? [];
  }

  get size(): number {
    return this.table.size;
  }
}
