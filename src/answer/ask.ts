import { createHash } from "node:crypto";
import { fenceAt, FENCED_CODE } from "../knowledge/fence.ts";
import { sentenceRanges } from "../knowledge/sentences.ts";
import type { Passage } from "../knowledge/types.ts";
import { terms as termsOf } from "../search/analyze.ts";
import { LruCache } from "../lru.ts";
import { CODE_CREDIT, PASSAGE_CACHE, type KnowledgeIndex, type PassageTerms, type QueryTerm } from "../search/index.ts";
import { analyzeQuery, type Intent } from "../search/query.ts";
import type { Answer, AnswerKind, AnswerResult, Highlight } from "./types.ts";

export interface AnswerOptions {
  /** How many results to return (default 3). */
  top?: number;
  /** Skip this many of the best results ("More results"). */
  offset?: number;
  /** The previous question in the same conversation, used when this one is a short follow-up. */
  context?: string;
  /** Ranking parameters to try instead of the defaults (tuning and benchmarks only). */
  ranking?: Partial<Ranking>;
}

/**
 * Every ranking parameter in one place, with the reason for each. Defaults were measured with
 * `npm run eval` and `npx tsx bench/tune.ts` on the shared question sets and the extra Rust-book set.
 */
export interface Ranking {
  /** Share of the question (its words weighted by rarity) that the best passage must hold to be shown. Below it the honest answer is "nothing found". */
  minCoverage: number;
  /** Further results must score at least this share of the best one, so weak matches don't tag along. */
  minRelativeScore: number;
  /** How sharply coverage of the question decides between passages BM25 finds (score × coverage^this). */
  coverageExponent: number;
  /** Weight of BM25 alone against the best sentence's evidence: score × (windowBase + sentence score). */
  windowBase: number;
  /** How much a word of the same family ("ownership" for "owner") or a negated form counts against the word itself. */
  familyCredit: number;
  /** Bonus to a sentence holding the kind of answer asked for (a date for "when", a number for "how many", code for "how do I"). */
  intentBonus: number;
  /** Bonus per phrase match (question words next to each other in the text), relative to the words' weight. */
  phraseBonus: number;
  /** How many index hits are re-ranked with sentence-level evidence. */
  candidates: number;
  /** MiniSearch field boosts and BM25 parameters for this search. */
  boost?: Record<string, number>;
  bm25?: { k: number; b: number; d: number };
}

export const DEFAULT_RANKING: Readonly<Ranking> = Object.freeze({
  minCoverage: 0.5,
  minRelativeScore: 0.3,
  coverageExponent: 2,
  windowBase: 0.6,
  familyCredit: 0.7,
  intentBonus: 0.15,
  phraseBonus: 0.5,
  candidates: 40,
});

/** Share of minCoverage at which a passage is near enough to be shown as "unsure" rather than nothing. */
const UNSURE_SHARE = 0.5;

/** How much the previous question's words count when choosing the sentence to highlight. */
const CONTEXT_IN_ANSWER = 0.2;

/** The highest score bestWindow can give: full coverage, the phrase bonus at its cap, the intent bonus. */
function maxWindowScore(r: Ranking): number {
  return 1 + PHRASE_CAP + r.intentBonus;
}

/** Most that phrase matches can add to a sentence's score, so that one repeated phrase can't dominate. */
const PHRASE_CAP = 1;

/**
 * A passage cut into answer units (sentences, list items, code blocks) with its terms, computed once and
 * kept compactly (offsets in typed arrays, term strings shared with the analyser's cache): the engine
 * keeps thousands of these. The text itself is not kept: the index decodes it on demand.
 */
interface PassageAnalysis {
  /** Start and end offset of each unit, in pairs. */
  units: Uint32Array;
  terms: string[];
  starts: Uint32Array;
  ends: Uint32Array;
}

/** Per index (so that a replaced index takes its cache with it), bounded like the index's own. */
const analyses = new WeakMap<KnowledgeIndex, LruCache<number, PassageAnalysis>>();

/** A code block (see knowledge/fence.ts), or a run of lines up to a blank line or a fence. */
const UNIT_BLOCKS = new RegExp(`${FENCED_CODE}|[^\\n]+(?:\\n(?!\\n|\`{3})[^\\n]+)*`, "g");

function unitsOf(text: string): Uint32Array {
  const units: number[] = [];
  const blocks = text.matchAll(UNIT_BLOCKS);
  for (const block of blocks) {
    const start = block.index;
    const body = block[0];
    if (block[1] || /^\s*(?:[-*]|\d+\.)\s/.test(body) || body.startsWith("|")) {
      // Code, list items and table rows answer line by line; a code block as a whole.
      if (block[1]) units.push(start, start + body.length);
      else for (const line of body.matchAll(/[^\n]+/g)) units.push(start + line.index, start + line.index + line[0].length);
      continue;
    }
    for (const s of sentenceRanges(body)) units.push(start + s.start, start + s.end);
  }
  return Uint32Array.from(units);
}

function analyse(index: KnowledgeIndex, n: number, passage: Passage): PassageAnalysis {
  let cache = analyses.get(index);
  if (!cache) analyses.set(index, (cache = new LruCache(PASSAGE_CACHE)));
  return cache.getOrSet(n, () => {
    const text = passage.text;
    const found = termsOf(text);
    return {
      units: unitsOf(text),
      terms: found.map((t) => t.term),
      starts: Uint32Array.from(found, (t) => t.start),
      ends: Uint32Array.from(found, (t) => t.end),
    };
  });
}

/** Short, stable, URL-safe key of a passage id, for button ids and `AnswerEngine.passage`. */
export function passageKey(id: string): string {
  return createHash("sha1").update(id).digest("base64url").slice(0, 12);
}

const YEAR_OR_DATE = /\b(1[5-9]\d\d|20\d\d)\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b/i;
const NUMBER = /\b\d+(?:[.,]\d+)?\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|once|twice|dozen)\b/i;

function fitsIntent(intent: Intent, text: string): boolean {
  if (intent === "time") return YEAR_OR_DATE.test(text);
  if (intent === "quantity") return NUMBER.test(text);
  // In documentation the answer to "how do I…" names a command, a function or shows code.
  if (intent === "howto") return text.includes("`");
  return false;
}

/** A query's terms with their weights (importance in the question × rarity in the knowledge). */
interface Weighted {
  weight: Map<string, number>;
  prefixes: string[];
  /** Terms naming the kind of answer; covered by a passage that holds such an answer. */
  answerTypes: string[];
  /** Position of each term in the question, for phrase matches. */
  order: Map<string, number>;
  /** Related words added by analysis → the query term they stand for. */
  related: Map<string, string>;
  total: number;
  ranking: Ranking;
  /** Memo of queryTermOf: the same passage words are looked up for every candidate. */
  memo: Map<string, string | null>;
}

function weigh(index: KnowledgeIndex, query: readonly QueryTerm[], ranking: Ranking = DEFAULT_RANKING): Weighted {
  const weight = new Map<string, number>();
  const related = new Map<string, string>();
  let total = 0;
  for (const q of query) {
    if (q.of !== undefined) {
      related.set(q.term, q.of);
      continue;
    }
    const w = q.weight * index.idf(q.term);
    weight.set(q.term, w);
    total += w;
  }
  return {
    weight,
    related,
    prefixes: query.filter((q) => q.prefix && q.of === undefined).map((q) => q.term),
    answerTypes: query.filter((q) => q.answerType).map((q) => q.term),
    order: new Map(query.filter((q) => q.of === undefined).map((q, i) => [q.term, i])),
    total,
    ranking,
    memo: new Map(),
  };
}

/** The query term a text term matches (itself, or a query term it extends), or undefined. */
function queryTermOf(w: Weighted, term: string): string | undefined {
  if (w.weight.has(term)) return term;
  const known = w.memo.get(term);
  if (known !== undefined) return known ?? undefined;
  let found: string | null = w.related.get(term) ?? null;
  if (found === null) for (const p of w.prefixes) if (term.startsWith(p)) found = p;
  w.memo.set(term, found);
  return found ?? undefined;
}

function termWeight(w: Weighted, term: string): number {
  const exact = w.weight.get(term);
  if (exact !== undefined) return exact;
  const q = queryTermOf(w, term);
  return q ? (w.weight.get(q) ?? 0) * w.ranking.familyCredit : 0;
}

/**
 * Share of the query's weight that some terms cover, each with its credit (1 in prose, less in code);
 * each query term counts once, at its best match. `fits`: the text holds the kind of answer asked for,
 * which covers words like "date" or "number".
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

/** coverageOf() for the query words found in a sentence or two. */
function coverage(w: Weighted, present: ReadonlySet<string>, fits = false): number {
  return coverageOf(w, [...present].map((t) => [t, 1] as const), fits);
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

/** coverageOf() a whole passage, looking up only the terms that can count. */
function passageCoverage(w: Weighted, relevant: readonly string[], present: PassageTerms, fits: boolean): number {
  const found: [string, number][] = [];
  for (const term of relevant) {
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

interface Window {
  start: number;
  end: number;
  score: number;
}

/** The sentence, or pair of adjacent sentences, that holds most of the question: the answer to highlight. */
function bestWindow(analysis: PassageAnalysis, w: Weighted, intent: Intent, text: string): Window {
  const { units, terms, starts, ends } = analysis;
  const unitCount = units.length / 2;
  // Only units that hold a query word get a set: most of a passage's sentences hold none.
  const unitTerms: (Set<string> | undefined)[] = new Array(unitCount);
  const unitAdjacent: number[] = new Array(unitCount).fill(0);
  let u = 0;
  for (let k = 0; k < terms.length; k++) {
    const term = terms[k] as string;
    const start = starts[k] ?? 0;
    while (u < unitCount - 1 && start >= (units[2 * u + 1] ?? 0)) u++;
    const tw = termWeight(w, term);
    if (tw > 0) {
      (unitTerms[u] ??= new Set()).add(term);
      // Words that follow each other in the question and in the text ("unsafe Rust", "heads of state")
      // are a phrase match: stronger evidence than the same words scattered.
      const previous = terms[k - 1];
      if (previous !== undefined && start - (ends[k - 1] ?? 0) <= PHRASE_GAP && followsInQuery(w, previous, term)) {
        unitAdjacent[u] = (unitAdjacent[u] ?? 0) + w.ranking.phraseBonus * Math.min(tw, termWeight(w, previous));
      }
    }
  }
  // Phrase evidence relative to the question's weight, capped so that one repeated phrase can't dominate.
  const phrase = (adjacent: number) => Math.min(adjacent / (w.total || 1), PHRASE_CAP);
  const unitStart = (i: number) => units[2 * i] ?? 0;
  const unitEnd = (i: number) => units[2 * i + 1] ?? 0;
  const unitScore = (i: number, set: Set<string>) => {
    const fits = intent !== "other" && fitsIntent(intent, text.slice(unitStart(i), unitEnd(i)));
    let s = coverage(w, set, fits) + phrase(unitAdjacent[i] ?? 0);
    if (fits) s += w.ranking.intentBonus;
    // Code explains less than the sentence about it, and a whole listing is a poor highlight.
    if (fenceAt(text, unitStart(i))) s *= CODE_CREDIT;
    const length = unitEnd(i) - unitStart(i);
    if (length > 400) s *= 400 / length;
    return s;
  };
  // A unit is scored alone and again as the second of a pair: once is enough.
  const scores: (number | undefined)[] = new Array(unitCount);
  const scoreOf = (i: number, set: Set<string>) => (scores[i] ??= unitScore(i, set));
  let best: Window = { start: 0, end: Math.min(text.length, unitCount ? unitEnd(0) : text.length), score: -1 };
  for (let i = 0; i < unitCount; i++) {
    const set = unitTerms[i];
    if (!set) continue;
    const single = scoreOf(i, set);
    if (single > best.score) best = { start: unitStart(i), end: unitEnd(i), score: single };
    const nextSet = unitTerms[i + 1];
    if (i + 1 < unitCount && nextSet && nextSet.size > 0 && set.size > 0) {
      const union = new Set([...set, ...nextSet]);
      const pair = coverage(w, union) + phrase((unitAdjacent[i] ?? 0) + (unitAdjacent[i + 1] ?? 0));
      // A second sentence must add real evidence to earn its place in the highlight.
      if (pair > single * 1.25 && pair > scoreOf(i + 1, nextSet) * 1.25 && pair * 0.9 > best.score) best = { start: unitStart(i), end: unitEnd(i + 1), score: pair * 0.9 };
    }
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

/** The kind of the unit that starts at `start` (see unitsOf). */
function kindAt(text: string, start: number): AnswerKind {
  if (fenceAt(text, start)) return "code";
  if (text[start] === "|") return "row";
  if (/^\s*(?:[-*]|\d+\.)\s/.test(text.slice(start, start + 12))) return "item";
  return "sentence";
}

/** `window`: the best sentence when already found for these same weights (see answer). */
function toResult(index: KnowledgeIndex, n: number, passage: Passage, w: Weighted, intent: Intent, score: number, window?: Window): AnswerResult {
  const analysis = analyse(index, n, passage);
  const text = passage.text;
  window ??= bestWindow(analysis, w, intent, text);
  return {
    key: passageKey(passage.id),
    text,
    answer: text.slice(window.start, window.end),
    answerKind: kindAt(text, window.start),
    answerStart: window.start,
    score: Math.round(score * 1000) / 1000,
    source: passage.source,
    highlights: highlightsOf(analysis, w),
  };
}

/**
 * Whether the best passage is a confident match: it covers most of the question, or it holds at least
 * two of its words and every word it lacks is one the knowledge never uses (the question phrased the
 * rest differently: "a military bloc" against "not a military group").
 */
function confident(index: KnowledgeIndex, w: Weighted, query: readonly QueryTerm[], cover: number, present: PassageTerms): boolean {
  const { minCoverage } = w.ranking;
  if (cover >= minCoverage) return true;
  const matched = matchedTerms(w, present, query);
  // A follow-up has few words of its own ("and what did he say?"): the earlier question's words count too.
  const context = query.filter((q) => q.weight < 1 && q.of === undefined && present.has(q.term)).length;
  if (context > 0 && matched.size >= 1 && matched.size + context >= 3 && cover >= minCoverage / 2) return true;
  if (matched.size < 2 || cover < minCoverage / 2) return false;
  return query.every((q) => q.weight !== 1 || q.of !== undefined || matched.has(q.term) || q.answerType || !index.has(q.term));
}

/**
 * Answers a question from an index: the best passages, the sentence in each that answers, and where it
 * came from — or, when nothing covers enough of the question, an answer that says so.
 */
export function answer(index: KnowledgeIndex, question: string, options: AnswerOptions = {}): Answer {
  const top = Math.max(1, Math.min(options.top ?? 3, 25));
  const offset = Math.max(0, options.offset ?? 0);
  const { terms: query, intent } = analyzeQuery(index, question, options.context);
  if (query.length === 0 || !query.some((q) => q.weight === 1)) return { question, answered: false, reason: "empty-question", confidence: 0, results: [] };

  const ranking: Ranking = { ...DEFAULT_RANKING, ...options.ranking };
  const w = weigh(index, query, ranking);
  const relevant = relevantTerms(index, w);
  // The previous question's words help find the passage, but the sentence to highlight is the one
  // that answers this question ("when was it founded?"), not the one that repeats the last.
  const forAnswer = query.some((q) => q.weight < 1 && q.of === undefined)
    ? weigh(index, query.map((q) => (q.weight < 1 && q.of === undefined ? { ...q, weight: q.weight * CONTEXT_IN_ANSWER } : q)), ranking)
    : w;
  const hits = index.search(query, ranking.candidates, { ...(ranking.boost ? { boost: ranking.boost } : {}), ...(ranking.bm25 ? { bm25: ranking.bm25 } : {}) });
  // BM25 finds candidates; how much of the question the passage — and one sentence of it — holds decides:
  // score = BM25 × coverage^e × (windowBase + best sentence). The sentence step is the costly one, so
  // candidates are taken best-first by the rest and dropped once even a perfect sentence could not lift
  // them to the share of the best score that results must reach.
  const candidates = hits
    .map((hit) => {
      const passage = index.passages[hit.index];
      if (!passage) return undefined;
      const cover = passageCoverage(w, relevant, index.termsOf(hit.index), intent !== "other" && fitsIntent(intent, passage.text));
      return { passage, index: hit.index, cover, prescore: hit.score * cover ** ranking.coverageExponent, score: 0, window: undefined as Window | undefined };
    })
    .filter((r): r is NonNullable<typeof r> => r !== undefined)
    .sort((a, b) => b.prescore - a.prescore);
  const ceiling = ranking.windowBase + maxWindowScore(ranking);
  const ranked: typeof candidates = [];
  let bestScore = 0;
  for (const c of candidates) {
    if (c.prescore * ceiling < bestScore * ranking.minRelativeScore) break;
    c.window = bestWindow(analyse(index, c.index, c.passage), w, intent, c.passage.text);
    c.score = c.prescore * (ranking.windowBase + c.window.score);
    bestScore = Math.max(bestScore, c.score);
    ranked.push(c);
  }
  ranked.sort((a, b) => b.score - a.score);

  const best = ranked[0];
  if (!best) return { question, answered: false, reason: "no-match", confidence: 0, results: [] };
  const sure = confident(index, w, query, best.cover, index.termsOf(best.index));
  // Near but not sure: the closest passages, shown as not-an-answer. Nothing near: nothing shown.
  if (!sure && (best.cover < ranking.minCoverage * UNSURE_SHARE || matchedTerms(w, index.termsOf(best.index), query).size === 0)) {
    return { question, answered: false, reason: "no-match", confidence: 0, results: [] };
  }
  const results = ranked
    .filter((r) => r.cover >= Math.min(best.cover, ranking.minCoverage * 0.8) && r.score >= best.score * ranking.minRelativeScore)
    .slice(offset, offset + top)
    // The sentence found while ranking is the answer's, unless the answer weighs a follow-up's context differently.
    .map((r) => toResult(index, r.index, r.passage, forAnswer, intent, r.score, forAnswer === w ? r.window : undefined));
  const confidence = Math.round((sure ? 0.5 + best.cover / 2 : best.cover / 2) * 1000) / 1000;
  return sure ? { question, answered: true, confidence, results } : { question, answered: false, reason: "unsure", confidence, results };
}

/** A passage as a result for a question (for "Show full passage"): highlights for the question's words. */
export function passageResult(index: KnowledgeIndex, n: number, question = ""): AnswerResult | undefined {
  const passage = index.passages[n];
  if (!passage) return undefined;
  const { terms: query, intent } = analyzeQuery(index, question);
  return toResult(index, n, passage, weigh(index, query), intent, 0);
}
