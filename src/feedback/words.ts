/**
 * The words of questions and passages as the engine sees them (src/search/analyze.ts: folded, stop words
 * dropped, stemmed), for grouping questions and for finding what a passage lacks.
 */
import { terms, termOf, words } from "../search/analyze.ts";

/** The content terms of a text, sorted and unique: "How do I reset passwords?" and "password reset" share [password, reset]. */
export function contentTerms(text: string): string[] {
  return [...new Set(terms(text).map((t) => t.term))].sort();
}

/** The text's words as written (folded, not stemmed), one per term, in order; stop words left out. */
export function contentWords(text: string): { word: string; term: string }[] {
  const out: { word: string; term: string }[] = [];
  const seen = new Set<string>();
  for (const w of words(text)) {
    const term = termOf(w.folded);
    if (!term || seen.has(term)) continue;
    seen.add(term);
    out.push({ word: w.folded, term });
  }
  return out;
}

/**
 * What stands between a question and a passage: the question's words the passage lacks, and the words of
 * the passage's answer that the question lacks (among them, usually, the passage's word for the same thing).
 */
export function wordGap(
  question: string,
  passage: { text: string; title: string; section: readonly string[] },
  answer: string,
): { missing: string[]; offered: string[] } {
  const present = new Set(contentTerms([passage.title, ...passage.section, passage.text].join("\n")));
  const asked = contentWords(question);
  const askedTerms = new Set(asked.map((w) => w.term));
  return {
    missing: asked.filter((w) => !present.has(w.term)).map((w) => w.word),
    offered: contentWords(answer)
      .filter((w) => !askedTerms.has(w.term))
      .map((w) => w.word),
  };
}
