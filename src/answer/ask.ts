import { createHash } from "node:crypto";
import type { Passage } from "../knowledge/types.ts";
import { terms as termsOf } from "../search/analyze.ts";
import { LruCache } from "../lru.ts";
import { CODE_CREDIT, PASSAGE_CACHE, type KnowledgeIndex, type PassageTerms, type QueryTerm } from "../search/index.ts";
import { analyzeQuery, type Intent } from "../search/query.ts";
import { decide, DEFAULT_MODEL, type ConfidenceModel, type Evidence } from "./confidence.ts";
import type { Answer, AnswerKind, AnswerResult, Highlight } from "./types.ts";
import { unitsOf } from "./units.ts";

export interface AnswerOptions {
  /** How many results to return (default 3). */
  top?: number;
  /** Skip this many of the best results ("More results"). */
  offset?: number;
  /** The previous question in the same conversation, used when this one is a short follow-up. */
  context?: string;
  /** Ranking parameters to try instead of the defaults (tuning and benchmarks only). */
  ranking?: Partial<Ranking>;
  /** A confidence model to try instead of the fitted one (calibration only: bench/calibrate.ts). */
  model?: ConfidenceModel;
  /**
   * Show the nearest passages even when nothing is near enough to be worth showing a person (reports
   * that suggest what to add): a "no-match" becomes "unsure" when any passage shares a word.
   */
  nearest?: boolean;
  /** Receives the evidence the decision is made from (calibration only). */
  onEvidence?: (evidence: Evidence) => void;
}

/**
 * Every ranking parameter in one place, with the reason for each. Defaults were chosen with
 * `npx tsx bench/tune.ts` on the tune halves of the blind sets (bench/eval), never on their test halves.
 */
export interface Ranking {
  /** Further results must score at least this share of the best one, so weak matches don't tag along. */
  minRelativeScore: number;
  /** How sharply coverage of the question decides between passages BM25 finds (score × coverage^this). */
  coverageExponent: number;
  /** How much BM25 itself counts (BM25^this × …): it finds candidates well, but rewards repetition. */
  bm25Exponent: number;
  /** Weight of BM25 alone against the best unit's evidence: score × (windowBase + unit score). */
  windowBase: number;
  /** How much a word of the same family ("ownership" for "owner") counts against the word itself. */
  familyCredit: number;
  /** Scales every expansion's weight (synonyms, related forms, word-vector neighbours); 0 turns them off. */
  expansionCredit: number;

  /** How much a unit's context (a row's header, an item's lead-in, a code block's introduction) counts for it. */
  contextCredit: number;
  /** How much the section headings and document title count for each unit of the passage. */
  headingCredit: number;
  /** Bonus to a unit holding the kind of answer asked for (a date for "when", a number for "how many", code for "how do I"). */
  intentBonus: number;
  /** Bonus per phrase match (question words next to each other in the text), relative to the words' weight. */
  phraseBonus: number;
  /** How many index hits are re-ranked with unit-level evidence. */
  candidates: number;
  /**
   * Words more common in general English than this rank weigh less, down to generalFloor for the most
   * common: a question's "want", "thing" or "keep" say little about its subject. 0 turns it off.
   */
  generalPivot: number;
  generalFloor: number;

  /** MiniSearch field boosts and BM25 parameters for this search. */
  boost?: Record<string, number>;
  bm25?: { k: number; b: number; d: number };
}

export const DEFAULT_RANKING: Readonly<Ranking> = Object.freeze({
  minRelativeScore: 0.3,
  coverageExponent: 2,
  bm25Exponent: 1,
  windowBase: 0.6,
  familyCredit: 0.7,
  expansionCredit: 1,
  contextCredit: 0.6,
  headingCredit: 0.5,
  intentBonus: 0.15,
  phraseBonus: 0.5,
  candidates: 40,
  generalPivot: 3000,
  generalFloor: 0.3,
});

/** How much the previous question's words count when choosing the unit to highlight. */
const CONTEXT_IN_ANSWER = 0.2;

/** Most that phrase matches can add to a unit's score, so that one repeated phrase can't dominate. */
const PHRASE_CAP = 1;

/** The highest score bestUnit can give: full coverage, the phrase bonus at its cap, the intent bonus. */
function maxUnitScore(r: Ranking): number {
  return 1 + PHRASE_CAP + r.intentBonus;
}

const KIND_CODES: readonly AnswerKind[] = ["sentence", "row", "item", "code"];

/**
 * A passage cut into answer units (units.ts) with its terms, computed once and kept compactly (offsets
 * in typed arrays, term strings shared with the analyser's cache): the engine keeps thousands of these.
 * The text itself is not kept: the index decodes it on demand.
 */
interface PassageAnalysis {
  /** Start and end offset of each unit, in pairs. */
  units: Uint32Array;
  kinds: Uint8Array;
  /** Unit i's context ranges are contextRanges[contextAt[i] … contextAt[i + 1]), as start/end pairs. */
  contextAt: Uint32Array;
  contextRanges: Uint32Array;
  terms: string[];
  starts: Uint32Array;
  ends: Uint32Array;
  /** Terms of the passage's section headings and document title, which every unit is read under. */
  headings: string[];
  /** Terms of the passage's aliases (front matter, taught questions), which are among `headings`. */
  aliasTerms: string[];
}

/** Per index (so that a replaced index takes its cache with it), bounded like the index's own. */
const analyses = new WeakMap<KnowledgeIndex, LruCache<number, PassageAnalysis>>();

function analyse(index: KnowledgeIndex, n: number, passage: Passage): PassageAnalysis {
  let cache = analyses.get(index);
  if (!cache) analyses.set(index, (cache = new LruCache(PASSAGE_CACHE)));
  return cache.getOrSet(n, () => {
    const text = passage.text;
    const found = termsOf(text);
    const units = unitsOf(text);
    const contextAt = new Uint32Array(units.length + 1);
    const ranges: number[] = [];
    units.forEach((u, i) => {
      for (const [s, e] of u.context) ranges.push(s, e);
      contextAt[i + 1] = ranges.length / 2;
    });
    const headings = [...new Set(termsOf([passage.source.title, ...passage.source.section, ...(passage.aliases ?? [])].join(" \n ")).map((t) => t.term))];
    return {
      units: Uint32Array.from(units.flatMap((u) => [u.start, u.end])),
      kinds: Uint8Array.from(units, (u) => KIND_CODES.indexOf(u.kind)),
      contextAt,
      contextRanges: Uint32Array.from(ranges),
      terms: found.map((t) => t.term),
      starts: Uint32Array.from(found, (t) => t.start),
      ends: Uint32Array.from(found, (t) => t.end),
      headings,
      aliasTerms: [...new Set(termsOf((passage.aliases ?? []).join(" \n ")).map((t) => t.term))],
    };
  });
}

/**
 * Short, URL-safe key of a passage, for button ids and `AnswerEngine.passage`. It is made from the
 * passage's document and text, not its position: a paragraph inserted above would otherwise give an
 * old "Full passage" button a different passage. A passage whose text changed has no key any more, and
 * the button says so.
 */
export function passageKey(passage: Pick<Passage, "text" | "source">): string {
  return createHash("sha1").update(passage.source.path).update("\0").update(passage.text).digest("base64url").slice(0, 12);
}

const YEAR_OR_DATE = /\b(1[5-9]\d\d|20\d\d)\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b/i;
const NUMBER =
  /\b\d+(?:[.,]\d+)?\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|once|twice|dozen)\b/i;
const DURATION =
  /\b\d+(?:[.,]\d+)?\s*(?:-\s*)?(?:ms|milliseconds?|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?|months?|years?)\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|fifteen|thirty)\s+(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b/i;
/** A number with a unit, or a limit stated in words: what "max", "limit" and "how big can" ask for. */
const MEASURE =
  /\b\d+(?:[.,]\d+)?\s*(?:%|[kmgt]i?b\b|bytes?\b|characters?\b|chars?\b|items?\b|px\b|ms\b|seconds?\b|minutes?\b|hours?\b|days?\b|mb\b|gb\b|kb\b)|\b(?:up to|at most|maximum of|minimum of|no more than|limit(?:ed)? (?:of|to))\s+\S*\d/i;
/** A name with a title or two capitalised words: what "who" asks for. */
const PERSON =
  /\b(?:Mr|Mrs|Ms|Dr|Prof|President|Minister|Ambassador|Secretary|Chairman|Director|Premier|King|Queen)\.?\s+\p{Lu}|\p{Lu}\p{Ll}+\s+\p{Lu}\p{Ll}+/u;

function fitsIntent(intent: Intent, text: string): boolean {
  switch (intent) {
    case "time":
      return YEAR_OR_DATE.test(text);
    case "duration":
      return DURATION.test(text);
    case "quantity":
      return NUMBER.test(text);
    case "limit":
      return MEASURE.test(text) || NUMBER.test(text);
    case "person":
      return PERSON.test(text);
    case "howto":
      // In documentation the answer to "how do I…" names a command, a function or shows code.
      return text.includes("`");
    default:
      return false;
  }
}

/** A query's terms with their weights (importance in the question × rarity in the knowledge). */
interface Weighted {
  weight: Map<string, number>;
  prefixes: string[];
  /** Terms naming the kind of answer; covered by a passage that holds such an answer. */
  answerTypes: string[];
  /** Position of each term in the question, for phrase matches. */
  order: Map<string, number>;
  /** Related words added by analysis → the query term they stand for, and how much they count for it. */
  related: Map<string, { of: string; credit: number }>;
  /** Related words from the operator's synonyms, which count as the question's own words as evidence. */
  operator: Set<string>;
  total: number;
  ranking: Ranking;
  /** Memo of queryTermOf: the same passage words are looked up for every candidate. */
  memo: Map<string, string | null>;
}

/** The weight of a word by how common it is in English: 1 for rarer words than the pivot, less for more common ones. */
function generalWeight(rank: number | undefined, r: Ranking): number {
  if (rank === undefined || r.generalPivot <= 0 || rank >= r.generalPivot) return 1;
  return Math.max(r.generalFloor, Math.log(rank + 1) / Math.log(r.generalPivot));
}

/** How much a related word counts for the query term it stands for (0: not at all). */
function creditOf(q: QueryTerm, ranking: Ranking): number {
  return q.expansion ? q.weight * ranking.expansionCredit : q.weight;
}

function weigh(index: KnowledgeIndex, query: readonly QueryTerm[], ranking: Ranking = DEFAULT_RANKING): Weighted {
  const weight = new Map<string, number>();
  const related = new Map<string, { of: string; credit: number }>();
  let total = 0;
  for (const q of query) {
    if (q.of !== undefined) {
      const credit = creditOf(q, ranking);
      const known = related.get(q.term);
      if (credit > 0 && (!known || known.credit < credit)) related.set(q.term, { of: q.of, credit });
      continue;
    }
    const w = q.weight * index.idf(q.term) * generalWeight(index.generalRank(q.term), ranking);
    weight.set(q.term, w);
    total += w;
  }
  return {
    weight,
    related,
    operator: new Set(query.filter((q) => q.operator).map((q) => q.term)),
    prefixes: query.filter((q) => q.prefix && q.of === undefined).map((q) => q.term),
    answerTypes: query.filter((q) => q.answerType).map((q) => q.term),
    order: new Map(query.filter((q) => q.of === undefined).map((q, i) => [q.term, i])),
    total,
    ranking,
    memo: new Map(),
  };
}

/** The query term a text term matches (itself, or a query term it stands for or extends), or undefined. */
function queryTermOf(w: Weighted, term: string): string | undefined {
  if (w.weight.has(term)) return term;
  const known = w.memo.get(term);
  if (known !== undefined) return known ?? undefined;
  let found: string | null = w.related.get(term)?.of ?? null;
  if (found === null) for (const p of w.prefixes) if (term.startsWith(p)) found = p;
  w.memo.set(term, found);
  return found ?? undefined;
}

function termWeight(w: Weighted, term: string): number {
  const exact = w.weight.get(term);
  if (exact !== undefined) return exact;
  const related = w.related.get(term);
  if (related) return (w.weight.get(related.of) ?? 0) * related.credit;
  const q = queryTermOf(w, term);
  return q ? (w.weight.get(q) ?? 0) * w.ranking.familyCredit : 0;
}

/**
 * Share of the query's weight that some terms cover, each with its credit (1 in prose, less in code or
 * context); each query term counts once, at its best match. `fits`: the text holds the kind of answer
 * asked for, which covers words like "date" or "number".
 */
function coverageOf(w: Weighted, terms: Iterable<readonly [string, number]>, fits: boolean): number {
  const best = new Map<string, number>();
  for (const [term, credit] of terms) {
    const q = queryTermOf(w, term);
    if (q) best.set(q, Math.max(best.get(q) ?? 0, termWeight(w, term) * credit));
  }
  if (fits) for (const t of w.answerTypes) best.set(t, w.weight.get(t) ?? 0);
  let covered = 0;
  for (const v of best.values()) covered += v;
  return w.total > 0 ? Math.min(1, covered / w.total) : 0;
}

/**
 * Every index term that counts for the query: its own terms, their related forms, and the terms their
 * prefixes expand to. Checking these against a passage is cheaper than checking each of its words.
 */
function relevantTerms(index: KnowledgeIndex, w: Weighted): string[] {
  const out = new Set<string>([...w.weight.keys(), ...w.related.keys()]);
  for (const p of w.prefixes) for (const t of index.termsWithPrefix(p)) out.add(t);
  return [...out];
}

/** coverageOf() a whole passage, looking up only the terms that can count; `exact` leaves out expansions. */
function passageCoverage(w: Weighted, relevant: readonly string[], present: PassageTerms, fits: boolean, exact = false): number {
  const found: [string, number][] = [];
  for (const term of relevant) {
    if (exact && w.related.has(term) && !w.operator.has(term)) continue;
    const credit = present.get(term);
    if (credit !== undefined) found.push([term, credit]);
  }
  return coverageOf(w, found, fits);
}

/** Query terms (of the question itself, not its context) that a set of terms matches. */
function matchedTerms(w: Weighted, present: PassageTerms, query: readonly QueryTerm[]): Set<string> {
  const own = new Set(query.filter((q) => q.weight === 1 && q.of === undefined).map((q) => q.term));
  const out = new Set<string>();
  for (const term of present.keys()) {
    const q = queryTermOf(w, term);
    if (q && own.has(q)) out.add(q);
  }
  return out;
}

/** Characters allowed between two words of a phrase: room for a stop word or two ("heads of the state"). */
const PHRASE_GAP = 8;

function followsInQuery(w: Weighted, a: string, b: string): boolean {
  const qa = queryTermOf(w, a);
  const qb = queryTermOf(w, b);
  if (qa === undefined || qb === undefined) return false;
  return (w.order.get(qb) ?? -1) - (w.order.get(qa) ?? -9) === 1;
}

interface UnitChoice {
  start: number;
  end: number;
  kind: AnswerKind;
  score: number;
  /** Share of the question the unit's own words cover, without context, headings or expansions. */
  own: number;
}

/**
 * The unit that answers best: the one whose words — with its context and the passage's headings at
 * their credit — hold most of the question, as a phrase where they can, with the kind of answer asked for.
 */
function bestUnit(analysis: PassageAnalysis, w: Weighted, intent: Intent, text: string): UnitChoice {
  const { units, kinds, terms, starts, ends, contextAt, contextRanges } = analysis;
  const r = w.ranking;
  const unitCount = units.length / 2;
  const unitStart = (i: number) => units[2 * i] ?? 0;
  const unitEnd = (i: number) => units[2 * i + 1] ?? 0;
  // Own matches per unit (most units hold none), and phrase evidence.
  const own = new Array<Map<string, number> | undefined>(unitCount);
  const adjacent = new Array<number>(unitCount).fill(0);
  let u = 0;
  for (let k = 0; k < terms.length; k++) {
    const term = terms[k] as string;
    const start = starts[k] ?? 0;
    while (u < unitCount - 1 && start >= unitEnd(u)) u++;
    const tw = termWeight(w, term);
    if (tw <= 0) continue;
    (own[u] ??= new Map()).set(term, 1);
    // Words that follow each other in the question and in the text ("unsafe Rust", "heads of state")
    // are a phrase match: stronger evidence than the same words scattered.
    const previous = terms[k - 1];
    if (previous !== undefined && start - (ends[k - 1] ?? 0) <= PHRASE_GAP && followsInQuery(w, previous, term)) {
      adjacent[u] = (adjacent[u] ?? 0) + r.phraseBonus * Math.min(tw, termWeight(w, previous));
    }
  }
  const headings = analysis.headings.filter((t) => termWeight(w, t) > 0);
  /** Terms in a text range, at a credit. */
  const termsIn = (from: number, to: number, credit: number, into: Map<string, number>) => {
    // starts is sorted: find the first term at or after `from`.
    let lo = 0;
    let hi = terms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((starts[mid] ?? 0) < from) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < terms.length && (starts[k] ?? 0) < to; k++) {
      const t = terms[k] as string;
      if (termWeight(w, t) > 0 && (into.get(t) ?? 0) < credit) into.set(t, credit);
    }
  };
  let best: UnitChoice = { start: 0, end: unitCount ? unitEnd(0) : text.length, kind: KIND_CODES[kinds[0] ?? 0] ?? "sentence", score: -1, own: 0 };
  for (let i = 0; i < unitCount; i++) {
    const mine = own[i];
    const fits = intent !== "other" && fitsIntent(intent, text.slice(unitStart(i), unitEnd(i)));
    // A unit must hold a word of the question itself, or the kind of answer asked for under matching context.
    if (!mine && !fits) continue;
    const present = new Map<string, number>();
    for (const t of headings) present.set(t, r.headingCredit);
    for (let c = contextAt[i] ?? 0; c < (contextAt[i + 1] ?? 0); c++)
      termsIn(contextRanges[2 * c] ?? 0, contextRanges[2 * c + 1] ?? 0, r.contextCredit, present);
    if (!mine && present.size === 0) continue;
    for (const [t] of mine ?? []) present.set(t, 1);
    let s = coverageOf(w, present, fits) + Math.min((adjacent[i] ?? 0) / (w.total || 1), PHRASE_CAP);
    if (fits) s += r.intentBonus;
    const kind = KIND_CODES[kinds[i] ?? 0] ?? "sentence";
    // Code explains less than the sentence about it, and a whole listing is a poor highlight.
    if (kind === "code") s *= CODE_CREDIT;
    const length = unitEnd(i) - unitStart(i);
    if (length > 400) s *= 400 / length;
    if (s > best.score) {
      const exact = [...(mine ?? [])].filter(([t]) => !w.related.has(t) || w.operator.has(t));
      best = { start: unitStart(i), end: unitEnd(i), kind, score: s, own: coverageOf(w, exact, false) };
    }
  }
  // Found by an alias alone (a question an operator taught, a front-matter phrasing): none of the question's
  // words need be in the text, yet the passage is what the question should find. Its first unit answers,
  // on the evidence of its headings and aliases.
  if (best.score < 0 && unitCount && analysis.aliasTerms.some((t) => termWeight(w, t) > 0)) {
    const present = new Map(headings.map((t) => [t, r.headingCredit]));
    best = { start: unitStart(0), end: unitEnd(0), kind: KIND_CODES[kinds[0] ?? 0] ?? "sentence", score: coverageOf(w, present, false), own: 0 };
  }
  return best;
}

function highlightsOf(analysis: PassageAnalysis, w: Weighted): Highlight[] {
  const out: Highlight[] = [];
  const { terms, starts, ends } = analysis;
  for (let k = 0; k < terms.length; k++) {
    if (termWeight(w, terms[k] as string) <= 0) continue;
    const start = starts[k] ?? 0;
    const end = ends[k] ?? 0;
    const last = out[out.length - 1];
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else out.push({ start, end });
  }
  return out;
}

/** `unit`: the best unit when already found for these same weights (see answer). */
function toResult(index: KnowledgeIndex, n: number, passage: Passage, w: Weighted, intent: Intent, score: number, unit?: UnitChoice): AnswerResult {
  const analysis = analyse(index, n, passage);
  const text = passage.text;
  unit ??= bestUnit(analysis, w, intent, text);
  return {
    key: passageKey(passage),
    text,
    answer: text.slice(unit.start, unit.end),
    answerKind: unit.kind,
    answerStart: unit.start,
    score: Math.round(score * 1000) / 1000,
    source: passage.source,
    highlights: highlightsOf(analysis, w),
  };
}

/**
 * Answers a question from an index: the best passages, the unit in each that answers, and where it came
 * from — or, when nothing clearly answers, the closest passages marked "unsure", or nothing ("no-match").
 */
export function answer(index: KnowledgeIndex, question: string, options: AnswerOptions = {}): Answer {
  const top = Math.max(1, Math.min(options.top ?? 3, 25));
  const offset = Math.max(0, options.offset ?? 0);
  const { terms: query, intent } = analyzeQuery(index, question, options.context);
  if (query.length === 0 || !query.some((q) => q.weight === 1)) return { question, answered: false, reason: "empty-question", confidence: 0, results: [] };

  const ranking: Ranking = { ...DEFAULT_RANKING, ...options.ranking };
  const model = options.model ?? DEFAULT_MODEL;
  const pass = rankPassages(index, query, intent, ranking, model);
  if (!pass) return { question, answered: false, reason: "no-match", confidence: 0, results: [] };
  const { ranked, best, w, evidence, decision } = pass;
  options.onEvidence?.(evidence);
  if (decision.outcome === "no-match" && !(options.nearest && evidence.exactMatched > 0))
    return { question, answered: false, reason: "no-match", confidence: 0, results: [] };
  // The previous question's words help find the passage, but the unit to highlight is the one that
  // answers this question ("when was it founded?"), not the one that repeats the last.
  const forAnswer = query.some((q) => q.weight < 1 && q.of === undefined)
    ? weigh(
        index,
        query.map((q) => (q.weight < 1 && q.of === undefined ? { ...q, weight: q.weight * CONTEXT_IN_ANSWER } : q)),
        w.ranking,
      )
    : w;
  const floor = Math.min(best.cover, 0.4);
  const results = ranked
    .filter((r) => r.cover >= floor && r.score >= best.score * ranking.minRelativeScore)
    .slice(offset, offset + top)
    // The unit found while ranking is the answer's, unless the answer weighs a follow-up's context differently.
    .map((r) => toResult(index, r.index, r.passage, forAnswer, intent, r.score, forAnswer === w ? r.unit : undefined));
  const confidence = Math.round(decision.confidence * 1000) / 1000;
  return decision.outcome === "answered"
    ? { question, answered: true, confidence, results }
    : { question, answered: false, reason: "unsure", confidence, results };
}

interface Ranked {
  passage: Passage;
  index: number;
  cover: number;
  prescore: number;
  score: number;
  unit: UnitChoice | undefined;
}

/** One ranking of the passages for a query: the candidates best first, and the evidence about the best. */
function rankPassages(index: KnowledgeIndex, query: readonly QueryTerm[], intent: Intent, ranking: Ranking, model: ConfidenceModel) {
  const w = weigh(index, query, ranking);
  const relevant = relevantTerms(index, w);
  // The search weighs each word as ranking does: common English words and expansions count less.
  const searched = query.flatMap((q) => {
    const general = generalWeight(index.generalRank(q.of ?? q.term), ranking);
    if (!q.expansion) return [{ ...q, weight: q.weight * general }];
    const credit = creditOf(q, ranking);
    return credit > 0 ? [{ ...q, weight: credit * general }] : [];
  });
  const hits = index.search(searched, ranking.candidates, {
    ...(ranking.boost ? { boost: ranking.boost } : {}),
    ...(ranking.bm25 ? { bm25: ranking.bm25 } : {}),
  });
  // BM25 finds candidates; how much of the question the passage — and one unit of it — holds decides:
  // score = BM25^b × coverage^e × (windowBase + best unit). The unit step is the costly one, so candidates
  // are taken best-first by the rest and dropped once even a perfect unit could not lift them to the
  // share of the best score that results must reach.
  const candidates: Ranked[] = [];
  for (const hit of hits) {
    const passage = index.passages[hit.index];
    if (!passage) continue;
    const cover = passageCoverage(w, relevant, index.termsOf(hit.index), intent !== "other" && fitsIntent(intent, passage.text));
    candidates.push({
      passage,
      index: hit.index,
      cover,
      prescore: hit.score ** ranking.bm25Exponent * cover ** ranking.coverageExponent,
      score: 0,
      unit: undefined,
    });
  }
  candidates.sort((a, b) => b.prescore - a.prescore);
  const ceiling = ranking.windowBase + maxUnitScore(ranking);
  const ranked: Ranked[] = [];
  let bestScore = 0;
  for (const c of candidates) {
    if (c.prescore * ceiling < bestScore * ranking.minRelativeScore) break;
    c.unit = bestUnit(analyse(index, c.index, c.passage), w, intent, c.passage.text);
    c.score = c.prescore * (ranking.windowBase + c.unit.score);
    bestScore = Math.max(bestScore, c.score);
    ranked.push(c);
  }
  ranked.sort((a, b) => b.score - a.score);
  const best = ranked[0];
  if (!best) return undefined;

  const present = index.termsOf(best.index);
  const own = query.filter((q) => q.weight === 1 && q.of === undefined);
  const byWeight = [...own].sort((a, b) => (w.weight.get(b.term) ?? 0) - (w.weight.get(a.term) ?? 0));
  const heaviest = byWeight[0];
  const credits = byWeight.map((q) => heaviestCredit(w, relevant, present, q.term));
  const missing = byWeight.filter((_, i) => (credits[i] ?? 0) === 0).map((q) => w.weight.get(q.term) ?? 0);
  const evidence: Evidence = {
    cover: best.cover,
    exactCover: passageCoverage(w, relevant, present, intent !== "other" && fitsIntent(intent, best.passage.text), true),
    unitScore: best.unit?.score ?? 0,
    unitOwn: best.unit?.own ?? 0,
    matched: matchedTerms(w, present, query).size,
    // As written, or — a word still being typed, or a word family — as the start of a word of the passage.
    exactMatched: own.filter(
      (q) => present.has(q.term) || (q.prefix && present.keys().some((t) => t.startsWith(q.term))) || operatorMatch(w, present, q.term) !== undefined,
    ).length,
    heaviestCovered: heaviest ? (credits[0] ?? 0) : 0,
    topical: Math.max(0, ...own.flatMap((q) => (present.has(q.term) ? [q.term] : (operatorMatch(w, present, q.term) ?? []))).map((t) => topicality(index, t))),
    topTwoCovered: credits.length ? ((credits[0] ?? 0) + (credits[1] ?? credits[0] ?? 0)) / 2 : 0,
    missingMax: w.total > 0 ? Math.max(0, ...missing) / w.total : 0,
    words: own.length,
    unknownShare: unknownShare(index, w, query),
    margin: ranked[1] ? ranked[1].score / best.score : 0,
  };
  return { ranked, best, w, evidence, decision: decide(evidence, model) };
}

/**
 * How much more often a term occurs in the knowledge than in English at large, as a log ratio: "Kazakhstan"
 * in an article about Kazakhstan, "crate" in the Rust book. A question that matches such a word is about
 * the knowledge, however many of its other words the knowledge lacks; one that matches only words like
 * "world" or "good" is not. English frequency from the word's rank (Zipf: about 0.1 / rank).
 */
function topicality(index: KnowledgeIndex, term: string): number {
  const rank = index.generalRank(term) ?? UNRANKED;
  return Math.log(Math.max(index.share(term), 1e-9) / (0.1 / rank));
}

/** The rank given to a word rarer than the lexicon's frequency list (its 50,000 most frequent words). */
const UNRANKED = 200_000;

/** The operator's synonym of a query term that a passage holds, if any. */
function operatorMatch(w: Weighted, present: PassageTerms, term: string): string | undefined {
  for (const t of w.operator) if (w.related.get(t)?.of === term && present.has(t)) return t;
  return undefined;
}

/** How well a passage covers one query term: 1 as written, its best related word's credit, or 0. */
function heaviestCredit(w: Weighted, relevant: readonly string[], present: PassageTerms, term: string): number {
  let best = 0;
  for (const t of relevant) {
    if (queryTermOf(w, t) !== term || !present.has(t)) continue;
    best = Math.max(best, t === term ? 1 : (w.related.get(t)?.credit ?? w.ranking.familyCredit));
  }
  return best;
}

/** Share of the question's weight in words the knowledge never uses (as written or in their word family). */
function unknownShare(index: KnowledgeIndex, w: Weighted, query: readonly QueryTerm[]): number {
  // A typo that analysis corrected is known: only the corrected word is in the query.
  let unknown = 0;
  for (const q of query) {
    if (q.weight !== 1 || q.of !== undefined || index.has(q.term) || q.answerType) continue;
    // A partly typed word ("obs") is known when it starts words the knowledge has.
    if (q.prefix && index.termsWithPrefix(q.term).length > 0) continue;
    unknown += w.weight.get(q.term) ?? 0;
  }
  return w.total > 0 ? unknown / w.total : 0;
}

/** A passage as a result for a question (for "Show full passage"): highlights for the question's words. */
export function passageResult(index: KnowledgeIndex, n: number, question = ""): AnswerResult | undefined {
  const passage = index.passages[n];
  if (!passage) return undefined;
  const { terms: query, intent } = analyzeQuery(index, question);
  return toResult(index, n, passage, weigh(index, query), intent, 0);
}
