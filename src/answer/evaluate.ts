import type { Answer } from "./types.ts";

/** One question of an evaluation set: `expect` lists phrases the answering passage must contain; null means "no answer". */
export interface EvalQuestion {
  id: string;
  q: string;
  expect: string[] | null;
  note?: string;
}

export interface EvalOutcome {
  question: EvalQuestion;
  /** 1-based rank of the first result containing every expected phrase; undefined if none in the top 5. */
  rank?: number;
  answered: boolean;
}

export interface EvalSummary {
  answerable: number;
  unanswerable: number;
  hit1: number;
  hit3: number;
  mrr5: number;
  /** No-answer questions that were correctly abstained on. */
  abstained: number;
  /** Answerable questions that were wrongly abstained on. */
  falseAbstentions: number;
  outcomes: EvalOutcome[];
}

/** Case-insensitive, curly quotes and apostrophes folded to straight ones, runs of whitespace to one space. */
export function foldForMatch(text: string): string {
  return text
    .toLowerCase()
    .replace(/[‘’‛′]/g, "'")
    .replace(/[“”„″]/g, '"')
    .replace(/\s+/g, " ");
}

/** Reads and checks an evaluation file's JSON; throws naming the bad entry. */
export function parseEvalSet(json: unknown, name: string): EvalQuestion[] {
  const questions = (json as { questions?: unknown })?.questions;
  if (!Array.isArray(questions)) throw new Error(`eval: Expected ${name} to have a "questions" array, got ${typeof questions}`);
  return questions.map((q: unknown, i) => {
    const item = q as Partial<EvalQuestion>;
    if (typeof item?.q !== "string" || !(item.expect === null || (Array.isArray(item.expect) && item.expect.every((e) => typeof e === "string")))) {
      throw new Error(`eval: Expected question ${i + 1} of ${name} to have "q" (text) and "expect" (list of phrases or null), got ${JSON.stringify(q)}`);
    }
    return { id: typeof item.id === "string" ? item.id : String(i + 1), q: item.q, expect: item.expect, ...(item.note ? { note: item.note } : {}) };
  });
}

/** Scores answers against an evaluation set, as described in the shared question files. */
export function scoreAnswers(questions: readonly EvalQuestion[], answers: readonly Answer[]): EvalSummary {
  const outcomes: EvalOutcome[] = questions.map((question, i) => {
    const a = answers[i];
    const answered = Boolean(a?.answered && a.results.length);
    if (!question.expect || !a) return { question, answered };
    const phrases = question.expect.map(foldForMatch);
    const index = a.results.slice(0, 5).findIndex((r) => {
      const text = foldForMatch(r.text);
      return phrases.every((p) => text.includes(p));
    });
    return { question, answered, ...(index >= 0 ? { rank: index + 1 } : {}) };
  });
  const answerable = outcomes.filter((o) => o.question.expect);
  const unanswerable = outcomes.filter((o) => !o.question.expect);
  const n = answerable.length || 1;
  return {
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    hit1: answerable.filter((o) => o.rank === 1).length / n,
    hit3: answerable.filter((o) => o.rank !== undefined && o.rank <= 3).length / n,
    mrr5: answerable.reduce((sum, o) => sum + (o.rank ? 1 / o.rank : 0), 0) / n,
    abstained: unanswerable.filter((o) => !o.answered).length,
    falseAbstentions: answerable.filter((o) => !o.answered).length,
    outcomes,
  };
}
