import { termOf, words } from "./analyze.ts";
import { phraseKey } from "./expansion.ts";
import type { KnowledgeIndex, QueryTerm } from "./index.ts";
import { lexicon } from "./lexicon.ts";

/** What kind of answer a question asks for, from its wording; used to prefer sentences that hold one. */
export type Intent = "time" | "duration" | "quantity" | "limit" | "person" | "place" | "howto" | "other";

export interface AnalyzedQuery {
  terms: QueryTerm[];
  intent: Intent;
  /** Words the user typed that were corrected, for transparency: misspelt → corrected. */
  corrections: Record<string, string>;
}

/** Follow-ups like "and when was it founded?" lean on words like these and have few content words. */
const REFERRING = /\b(it|its|they|them|their|this|that|these|those|he|she|his|her|there|one|ones)\b/i;
const CONTEXT_WEIGHT = 0.6;
/** Words that name the kind of answer wanted rather than its topic. */
const ANSWER_TYPE_WORDS: Record<Exclude<Intent, "other">, ReadonlySet<string>> = {
  time: new Set(["date", "year", "day", "time", "when"]),
  duration: new Set(["long", "time", "duration"]),
  quantity: new Set(["number", "amount", "count", "total"]),
  limit: new Set(["max", "maximum", "min", "minimum", "limit", "limits", "size", "length", "long", "big", "large", "many", "much"]),
  person: new Set(["person", "name"]),
  place: new Set(["place", "location"]),
  howto: new Set(["command", "way", "code"]),
};
/** Stems this short are too often the start of unrelated words ("art" → "article") to expand. */
const MIN_EXPANDED_STEM = 4;
/**
 * Negating prefixes. "Are variables mutable?" is answered by "variables are immutable": the opposite
 * is the relevant passage, so a query word also matches its negated form when the knowledge uses it.
 */
const NEGATIONS = ["im", "in", "un", "non", "non-", "dis", "ir", "il"];
const RELATED_WEIGHT = 0.7;

/** Whether a folded word is English (WordNet knows it or its lemma); loads the lexicon on first use. */
function isEnglish(folded: string): boolean {
  try {
    return lexicon().isWord(folded);
  } catch {
    // Without the lexicon, spelling correction works as it did without the guard.
    return false;
  }
}

function intentOf(question: string): Intent {
  const q = question.toLowerCase();
  // "when" asks for a time only at the start: "a backtrace when my program panics" asks for no date.
  if (/^\s*(when|since when)\b|\b(what|which) (year|date|day)\b|\bhow long ago\b|\bdate\b/.test(q)) return "time";
  // A limit: "max", "limit", "how long can", "how big can", "up to how many".
  if (/\b(max|maximum|min|minimum|limits?|cap)\b|\bhow (long|big|large|many|much)\b[^?]*\b(can|may|could|allowed)\b/.test(q)) return "limit";
  if (/\bhow long\b|\bhow much time\b|\bduration\b/.test(q)) return "duration";
  if (/\bhow (many|much|often|large|big)\b|\bnumber of\b/.test(q)) return "quantity";
  if (/^\s*(who|whom)\b|\bwho(se)? (is|was|are|were|will)\b|\bwhat(?:'s| is) the name of\b/.test(q)) return "person";
  if (/^\s*where\b/.test(q)) return "place";
  if (/^\s*how (do|can|could|should|would|to|does one)\b/.test(q)) return "howto";
  return "other";
}

/**
 * Turns a question into weighted index terms: stop words out, misspellings corrected against the
 * knowledge's own vocabulary (only words it does not know), a partly typed last word matched as a
 * prefix, and — for a short follow-up — the previous question's words at a lower weight.
 */
export function analyzeQuery(index: KnowledgeIndex, question: string, context?: string): AnalyzedQuery {
  const corrections: Record<string, string> = {};
  const seen = new Map<string, QueryTerm>();
  const related_: QueryTerm[] = [];
  const typed = words(question);
  const intent = intentOf(question);
  // A question still being typed ends mid-word; a finished one ends with space or punctuation.
  const partial = /[\p{L}\p{N}]$/u.test(question);
  const expanded: QueryTerm[] = [];
  const expand = (key: string, of: string) => {
    for (const e of index.expansions.lookup(key)) {
      if (e.term !== of && index.has(e.term)) expanded.push({ term: e.term, weight: e.weight, of, expansion: true, ...(e.operator ? { operator: true } : {}) });
    }
  };
  typed.forEach((w, i) => {
    let term = termOf(w.folded);
    // A phrase ("show up", "time out", an operator's "rate limit") can have synonyms of its own; it stands
    // for its first content word.
    // for its first content word.
    for (let n = 2; n <= 4 && i + n <= typed.length; n++) {
      const phrase = typed.slice(i, i + n).map((t) => t.folded);
      const of = phrase.map((p) => termOf(p)).find((t) => t !== undefined);
      if (of) expand(phraseKey(phrase), of);
    }
    if (!term) return;
    // A word the knowledge lacks is corrected only when it is not English: a real word goes to expansion.
    if (!index.has(term) && !index.knows(w.folded) && !isEnglish(w.folded)) {
      const fixed = index.correct(w.folded);
      const fixedTerm = fixed ? termOf(fixed) : undefined;
      if (fixed && fixedTerm) {
        corrections[w.folded] = fixed;
        term = fixedTerm;
      }
    }
    const typing = partial && i === typed.length - 1 && w.folded.length >= 3;
    const prefix = typing || term.length >= MIN_EXPANDED_STEM;
    const answerType = intent !== "other" && ANSWER_TYPE_WORDS[intent].has(w.folded);
    const existing = seen.get(term);
    if (existing) existing.prefix ||= prefix;
    else seen.set(term, { term, weight: 1, ...(prefix ? { prefix } : {}), ...(answerType ? { answerType } : {}) });
    expand(term, term);
    if (w.folded.length >= 5) {
      for (const negation of NEGATIONS) {
        const related = negation + w.folded;
        const relatedTerm = index.knows(related) ? termOf(related) : undefined;
        if (relatedTerm && !seen.has(relatedTerm)) related_.push({ term: relatedTerm, weight: RELATED_WEIGHT, of: term });
      }
    }
  });
  for (const r of related_) if (!seen.has(r.term)) seen.set(r.term, r);
  // Expansions last: a word the question itself uses is never demoted to an expansion of another.
  for (const e of expanded.sort((a, b) => b.weight - a.weight)) if (!seen.has(e.term) && seen.has(e.of ?? "")) seen.set(e.term, e);

  if (context && (seen.size <= 2 || (seen.size <= 4 && REFERRING.test(question)))) {
    for (const w of words(context)) {
      const term = termOf(w.folded);
      if (term && !seen.has(term) && index.has(term)) seen.set(term, { term, weight: CONTEXT_WEIGHT });
    }
  }
  return { terms: [...seen.values()], intent, corrections };
}
