import MiniSearch, { type Options, type SearchOptions } from "minisearch";
import SearchableMap from "minisearch/SearchableMap";
import { splitCode } from "../knowledge/fence.ts";
import type { KnowledgeDocument, Passage } from "../knowledge/types.ts";
import { termList, termOf, words } from "./analyze.ts";
import { DEFAULT_EXPANSION, ExpansionTable, type ExpansionJSON, type ExpansionWeights } from "./expansion.ts";
import { lexicon } from "./lexicon.ts";
import type { SynonymRule } from "../knowledge/synonyms.ts";
import { LruCache } from "../lru.ts";
import { plainPassages, storePassages, storePassagesAsync } from "./passages.ts";

/** The fields MiniSearch indexes for each passage. */
interface IndexedPassage {
  id: number;
  /** The passage's prose (paragraphs, lists, quotes, tables). */
  text: string;
  /** The passage's code blocks, apart: console output and listings repeat words without explaining them. */
  code: string;
  section: string;
  title: string;
  /** Terms the author emphasised in the passage. */
  keywords: string;
  /** Other phrasings that should find the passage (front-matter aliases, taught questions). */
  aliases: string;
}

/** Splits a passage's text into prose and code for indexing. */
function indexed(id: number, p: Passage): IndexedPassage {
  const { prose: text, code } = splitCode(p.text);
  return {
    id,
    text,
    code: code.join("\n"),
    section: p.source.section.join(" › "),
    title: p.source.title,
    keywords: (p.keywords ?? []).join(" ; "),
    aliases: (p.aliases ?? []).join(" ; "),
  };
}

/**
 * Field boosts: a query word in the section heading or document title says more about a passage
 * than the same word in its body. Measured on the shared question sets (npm run eval).
 */
export const FIELD_BOOSTS = { text: 1, code: 0.4, section: 1.6, title: 1.2, keywords: 1.5, aliases: 1.6 } as const;

/** BM25 parameters: shorter passages than web pages, so less length normalisation than the default b = 0.7. */
export const BM25 = { k: 1.2, b: 0.6, d: 0.5 } as const;

/**
 * From this many passages on, the search leaves very common words to re-ranking (see KnowledgeIndex.search).
 * On the Rust book (1,057 passages) that cut engine time by a third with Hit@1/Hit@3 level overall
 * (npm run eval, three question sets); a single article has too few passages for "common" to mean much.
 */
const SELECTIVE_FROM = 500;

/**
 * A word in more than this share of the passages is common (and, in a selective index, not expanded by
 * prefix). The bar is lower for a large index: the same share is more postings to walk, and on the Rust
 * book copied 50× (52,850 passages) 10% rather than 15% halves the median question time.
 */
function commonShare(passages: number): number {
  return passages >= 5000 ? 0.1 : 0.15;
}

/** How much a word found only in code counts towards covering a question, against 1 in prose. */
export const CODE_CREDIT = 0.5;

/**
 * Passages whose analysis (terms, sentences) is kept between questions: about what 200 different recent
 * questions read, at a few kB each. Bounded, so that a bot's memory stays flat over months of questions
 * on a large knowledge set; a miss costs tens of microseconds.
 */
export const PASSAGE_CACHE = 8192;

/**
 * The distinct terms of a passage with their credit, as a sorted array: a Map of the same costs several
 * times the memory, and the engine keeps thousands of these.
 */
export class PassageTerms {
  static readonly EMPTY = new PassageTerms([], new Float32Array(0));
  private readonly terms: readonly string[];
  private readonly credits: Float32Array;

  private constructor(terms: readonly string[], credits: Float32Array) {
    this.terms = terms;
    this.credits = credits;
  }

  static from(credits: ReadonlyMap<string, number>): PassageTerms {
    const terms = [...credits.keys()].sort();
    return new PassageTerms(
      terms,
      Float32Array.from(terms, (t) => credits.get(t) ?? 0),
    );
  }

  /** The term's credit, or undefined when the passage does not hold it. */
  get(term: string): number | undefined {
    let lo = 0;
    let hi = this.terms.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.terms[mid] as string;
      if (t === term) return this.credits[mid];
      if (t < term) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  has(term: string): boolean {
    return this.get(term) !== undefined;
  }

  keys(): readonly string[] {
    return this.terms;
  }

  get size(): number {
    return this.terms.length;
  }
}

/** Weight of a match on a prefix of the last, partly typed word. */
export const PREFIX_WEIGHT = 0.3;

/**
 * Every MiniSearch option in one place, so that building and `loadJSON` always agree.
 * Text is analysed by analyze.ts (folding, stop words, stemming); MiniSearch gets ready-made terms.
 * Its own fuzzy matching stays off: misspellings are corrected against the vocabulary first
 * (see `correct`), because edit distance on every term drowns exact matches in near-misses.
 */
export const MINISEARCH_OPTIONS: Options<IndexedPassage> = {
  idField: "id",
  fields: ["text", "code", "section", "title", "keywords", "aliases"],
  storeFields: [],
  tokenize: (text) => termList(text),
  processTerm: (term) => term,
  searchOptions: {
    tokenize: (query) => query.split(" ").filter(Boolean),
    processTerm: (term) => term,
    boost: FIELD_BOOSTS,
    bm25: BM25,
    combineWith: "OR",
    weights: { fuzzy: 0.2, prefix: PREFIX_WEIGHT },
  },
};

export interface QueryTerm {
  term: string;
  /** Relative importance in this query (1 for the question's own words, less for context words). */
  weight: number;
  /** Also match index terms that start with this one, at PREFIX_WEIGHT: word families ("owner" → "ownership") and a partly typed last word. */
  prefix?: boolean;
  /** A word naming the kind of answer ("date", "year", "number"): a passage that holds such an answer covers it. */
  answerType?: boolean;
  /** Set on a related word added by query analysis ("immutable" for "mutable"): the query term it stands for. */
  of?: string;
  /** A related word from the lexicon or the operator's synonyms (expansion.ts), rather than a negated form. */
  expansion?: boolean;
  /** From the operator's synonyms: evidence as good as the question's own word. */
  operator?: boolean;
}

export interface Hit {
  /** Position of the passage in `KnowledgeIndex.passages`. */
  index: number;
  score: number;
}

/** Serialised form for snapshots. */
export interface KnowledgeIndexJSON {
  version: 2;
  documents: Omit<KnowledgeDocument, "passages">[];
  passages: Passage[];
  minisearch: unknown;
  df: Record<string, number>;
  vocabulary: Record<string, number>;
  expansions: ExpansionJSON;
  /** Term → its rank in general English, for the common ones (see generalRank). */
  ranks: Record<string, number>;
}

export interface BuildOptions {
  /** Bridge the vocabulary with the lexicon (expansion.ts). Default true; false only to measure what it adds. */
  expansion?: boolean;
  /** The operator's synonyms (.synonyms.txt), which apply with or without the lexicon. */
  synonyms?: readonly SynonymRule[];
}

/**
 * The searchable form of a knowledge set: a MiniSearch index over passages, document frequencies for
 * weighting query words, and the vocabulary of words as written, for spelling correction.
 */
export class KnowledgeIndex {
  readonly documents: readonly Omit<KnowledgeDocument, "passages">[];
  readonly passages: readonly Passage[];
  private readonly mini: MiniSearch<IndexedPassage>;
  /** Passages (text, section or title) containing each term. */
  private readonly df: Map<string, number>;
  /** Folded words as written → occurrences; for spelling correction. */
  private readonly wordCounts: Map<string, number>;
  /** The same as a radix tree, for fuzzy and prefix look-ups; built on first use, as start-up doesn't need it. */
  private wordTree: SearchableMap<number> | undefined;
  /** Index terms as a radix tree, for prefix expansion; built on first use. */
  private stemTree: SearchableMap<boolean> | undefined;
  private readonly passageTerms = new LruCache<number, PassageTerms>(PASSAGE_CACHE);
  /** Question-word stems → the knowledge terms they can stand for (expansion.ts). */
  private expansionTable: ExpansionTable;
  private buildOptions: BuildOptions = {};
  /** Term → rank in general English of its most frequent word as written; only the 50,000 most frequent words have one. */
  private ranks = new Map<string, number>();

  private constructor(
    documents: readonly Omit<KnowledgeDocument, "passages">[],
    passages: readonly Passage[],
    mini: MiniSearch<IndexedPassage>,
    df: Map<string, number>,
    wordCounts: Map<string, number>,
    expansions: ExpansionTable,
  ) {
    this.documents = documents;
    // Stored compactly by the caller (search/passages.ts), which may take its time over a large index.
    this.passages = passages;
    this.mini = mini;
    this.df = df;
    this.wordCounts = wordCounts;
    this.expansionTable = expansions;
  }

  static build(documents: readonly KnowledgeDocument[], options: BuildOptions = {}): KnowledgeIndex {
    const passages = documents.flatMap((d) => d.passages);
    const mini = new MiniSearch<IndexedPassage>(MINISEARCH_OPTIONS);
    const df = new Map<string, number>();
    const vocabulary = new Map<string, number>();
    passages.forEach((p, id) => {
      const doc = indexed(id, p);
      mini.add(doc);
      for (const t of new Set([...termList(p.text), ...termList(doc.section), ...termList(doc.title), ...termList(doc.aliases)]))
        df.set(t, (df.get(t) ?? 0) + 1);
      for (const w of words(p.text)) vocabulary.set(w.folded, (vocabulary.get(w.folded) ?? 0) + 1);
      // An alias's words are words the knowledge answers to: spelling correction must not "correct" them away.
      for (const w of words(doc.aliases)) vocabulary.set(w.folded, (vocabulary.get(w.folded) ?? 0) + 1);
    });
    const docs = documents.map(({ passages: _passages, ...rest }) => rest);
    const index = new KnowledgeIndex(docs, storePassages(passages).passages, mini, df, vocabulary, ExpansionTable.EMPTY);
    index.rebuildExpansions(DEFAULT_EXPANSION, options);
    return index;
  }

  static fromJSON(json: KnowledgeIndexJSON): KnowledgeIndex {
    const saved = KnowledgeIndex.checked(json);
    return KnowledgeIndex.restored(json, MiniSearch.loadJS<IndexedPassage>(saved, MINISEARCH_OPTIONS), storePassages(json.passages).passages);
  }

  /** Like fromJSON, but yields to the event loop while rebuilding the index, for large snapshots in a running bot. */
  static async fromJSONAsync(json: KnowledgeIndexJSON): Promise<KnowledgeIndex> {
    const saved = KnowledgeIndex.checked(json);
    const mini = await MiniSearch.loadJSAsync<IndexedPassage>(saved, MINISEARCH_OPTIONS);
    return KnowledgeIndex.restored(json, mini, (await storePassagesAsync(json.passages)).passages);
  }

  /** The MiniSearch part of a snapshot of this version; throws on any other. */
  private static checked(json: KnowledgeIndexJSON): Parameters<typeof MiniSearch.loadJS>[0] {
    if (json.version !== 2) throw new Error(`search: Expected index snapshot version 2, got ${String(json.version)}`);
    return json.minisearch as Parameters<typeof MiniSearch.loadJS>[0];
  }

  private static restored(json: KnowledgeIndexJSON, mini: MiniSearch<IndexedPassage>, passages: readonly Passage[]): KnowledgeIndex {
    const index = new KnowledgeIndex(
      json.documents,
      passages,
      mini,
      new Map(Object.entries(json.df)),
      new Map(Object.entries(json.vocabulary)),
      ExpansionTable.fromJSON(json.expansions),
    );
    index.ranks = new Map(Object.entries(json.ranks));
    return index;
  }

  toJSON(): KnowledgeIndexJSON {
    const vocabulary = Object.fromEntries(this.wordCounts);
    return {
      version: 2,
      documents: [...this.documents],
      passages: plainPassages(this.passages),
      minisearch: this.mini.toJSON(),
      df: Object.fromEntries(this.df),
      vocabulary,
      expansions: this.expansions.toJSON(),
      ranks: Object.fromEntries(this.ranks),
    };
  }

  get size(): number {
    return this.passages.length;
  }

  get expansions(): ExpansionTable {
    return this.expansionTable;
  }

  /**
   * Builds the expansion table from the knowledge's words as written (headings and titles included), the
   * lexicon and the operator's synonyms; the same options as build() (tuning calls it with other weights).
   */
  rebuildExpansions(weights: ExpansionWeights, options: BuildOptions = this.buildOptions): void {
    this.buildOptions = options;
    const headings = new Set<string>();
    for (const d of this.documents) for (const text of [d.title, ...d.sections]) for (const w of words(text)) headings.add(w.folded);
    const vocabulary = new Set([...this.wordCounts.keys(), ...headings]);
    const lex = options.expansion === false ? undefined : lexicon();
    this.expansionTable = ExpansionTable.build(vocabulary, lex, weights, options.synonyms);
    this.ranks = new Map();
    for (const word of lex ? vocabulary : []) {
      const rank = lex?.rank(word);
      const term = rank === undefined ? undefined : termOf(word);
      if (term && rank !== undefined && rank < (this.ranks.get(term) ?? Infinity)) this.ranks.set(term, rank);
    }
  }

  /**
   * How common a term is in general English (the rank of its most frequent form, 1 = "the"), or undefined
   * for rarer words: words like "want", "thing" or "keep" say little about what a question is about,
   * however rare they are in the knowledge.
   */
  generalRank(term: string): number | undefined {
    return this.ranks.get(term);
  }

  /** Inverse document frequency; a word the knowledge never uses weighs as much as the rarest. */
  idf(term: string): number {
    const n = this.passages.length;
    const df = this.df.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Share of the passages that contain the term (0 when none does). */
  share(term: string): number {
    return this.passages.length ? (this.df.get(term) ?? 0) / this.passages.length : 0;
  }

  /** Whether any passage contains the term. */
  has(term: string): boolean {
    return this.df.has(term);
  }

  /**
   * The closest word of the knowledge to a misspelt one (folded), by edit distance — 1 for words of
   * 5 to 8 letters, 2 from 9 — with the same first letter (typos rarely hit it), preferring the
   * nearest, then the most frequent. Undefined if none. Shorter words are left alone: at distance 1
   * nearly every short word is a typo of another ("cake" → "make"), which would turn questions the
   * knowledge cannot answer into confident wrong answers.
   */
  correct(folded: string): string | undefined {
    if (folded.length < 5 || /\d/.test(folded)) return undefined;
    const maxDistance = folded.length >= 9 ? 2 : 1;
    const found = this.words().fuzzyGet(folded, maxDistance);
    let best: { word: string; distance: number; count: number } | undefined;
    for (const [word, [count, distance]] of found) {
      if (!termOf(word) || word[0] !== folded[0]) continue;
      if (!best || distance < best.distance || (distance === best.distance && count > best.count)) best = { word, distance, count };
    }
    return best?.word;
  }

  /** Index terms that start with a prefix (the prefix itself included when it is a term). */
  termsWithPrefix(prefix: string): string[] {
    this.stemTree ??= SearchableMap.from([...this.df.keys()].map((t) => [t, true] as [string, boolean]));
    return [...this.stemTree.atPrefix(prefix).keys()];
  }

  private words(): SearchableMap<number> {
    this.wordTree ??= SearchableMap.from(this.wordCounts);
    return this.wordTree;
  }

  /** Whether the folded word occurs as written somewhere in the knowledge. */
  knows(folded: string): boolean {
    return this.wordCounts.has(folded);
  }

  /**
   * The terms of a passage with how much each counts as evidence: 1 in prose, headings and title,
   * CODE_CREDIT when only in code. Kept for the passages used most recently.
   */
  termsOf(index: number): PassageTerms {
    const p = this.passages[index];
    if (!p) return PassageTerms.EMPTY;
    return this.passageTerms.getOrSet(index, () => {
      const doc = indexed(index, p);
      const terms = new Map<string, number>();
      for (const t of termList(doc.code)) terms.set(t, CODE_CREDIT);
      for (const t of termList(`${doc.text} ${doc.section} ${doc.title} ${doc.keywords} ${doc.aliases}`)) terms.set(t, 1);
      return PassageTerms.from(terms);
    });
  }

  /**
   * Ranked passages for a list of query terms (BM25 with field boosts), best first. In a large index,
   * words found in a big share of the passages are left out of this step: they say little about any
   * one passage, yet walking their postings is most of the cost. Candidates come from the rarer words;
   * re-ranking (ask.ts) still counts the common ones.
   */
  search(query: readonly QueryTerm[], limit = 30, overrides: Pick<SearchOptions, "boost" | "bm25"> = {}): Hit[] {
    if (query.length === 0) return [];
    const searched = this.selective(query);
    const weights = new Map(searched.map((q) => [q.term, q.weight]));
    const prefixed = new Set(searched.filter((q) => q.prefix && !this.isCommon(q.term)).map((q) => q.term));
    const options: SearchOptions = {
      ...overrides,
      boostTerm: (term) => weights.get(term) ?? 1,
      prefix: (term) => prefixed.has(term),
    };
    const results = this.mini.search(searched.map((q) => q.term).join(" "), options);
    return results.slice(0, limit).map((r) => ({ index: r.id as number, score: r.score }));
  }

  /** Whether a term is too common to walk the index for, in an index large enough to leave such terms out. */
  private isCommon(term: string): boolean {
    const n = this.passages.length;
    return n >= SELECTIVE_FROM && (this.df.get(term) ?? 0) > n * commonShare(n);
  }

  /** The query terms worth walking the index for; see `search`. */
  private selective(query: readonly QueryTerm[]): readonly QueryTerm[] {
    if (this.passages.length < SELECTIVE_FROM) return query;
    const rare = query.filter((q) => !this.isCommon(q.term));
    if (rare.length > 0) return rare;
    // Only common words: the rarest two still find candidates.
    return [...query].sort((a, b) => (this.df.get(a.term) ?? 0) - (this.df.get(b.term) ?? 0)).slice(0, 2);
  }
}
