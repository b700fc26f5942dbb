import { termOf, words } from "./analyze.ts";
import type { KnowledgeIndex, QueryTerm } from "./index.ts";

/** What kind of answer a question asks for, from its wording; used to prefer sentences that hold one. */
export type Intent = "time" | "quantity" | "person" | "place" | "other";

export interface AnalyzedQuery {
  terms: QueryTerm[];
  intent: Intent;
  /** Words the user typed that were corrected, for transparency: misspelt → corrected. */
  corrections: Record<string, string>;
}

/** Follow-ups like "and when was it founded?" lean on words like these and have few content words. */
const REFERRING = /\b(it|its|they|them|their|this|that|these|those|he|she|his|her|there|one|ones)\b/i;
const CONTEXT_WEIGHT = 0.6;

function intentOf(question: string): Intent {
  const q = question.toLowerCase();
  if (/\b(when|what year|what date|which year|how long ago|since when)\b/.test(q) || /\bdate\b/.test(q)) return "time";
  if (/\bhow (many|much|often|large|big|long)\b|\bnumber of\b/.test(q)) return "quantity";
  if (/^\s*who\b|\bwho (is|was|are|were)\b/.test(q)) return "person";
  if (/^\s*where\b/.test(q)) return "place";
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
  const typed = words(question);
  // A question still being typed ends mid-word; a finished one ends with space or punctuation.
  const partial = /[\p{L}\p{N}]$/u.test(question);
  typed.forEach((w, i) => {
    let term = termOf(w.folded);
    if (!term) return;
    if (!index.has(term) && !index.knows(w.folded)) {
      const fixed = index.correct(w.folded);
      const fixedTerm = fixed ? termOf(fixed) : undefined;
      if (fixed && fixedTerm) {
        corrections[w.folded] = fixed;
        term = fixedTerm;
      }
    }
    const prefix = partial && i === typed.length - 1 && w.folded.length >= 3 && !index.has(term);
    const existing = seen.get(term);
    if (existing) existing.prefix ||= prefix;
    else seen.set(term, { term, weight: 1, ...(prefix ? { prefix } : {}) });
  });

  if (context && (seen.size <= 2 || (seen.size <= 4 && REFERRING.test(question)))) {
    for (const w of words(context)) {
      const term = termOf(w.folded);
      if (term && !seen.has(term) && index.has(term)) seen.set(term, { term, weight: CONTEXT_WEIGHT });
    }
  }
  return { terms: [...seen.values()], intent: intentOf(question), corrections };
}
