import type { Answer } from "./types.ts";

/** How a question was written; see bench/eval/*.json. */
export const QUESTION_KINDS = ["close", "paraphrased", "casual", "none-offtopic", "none-uncovered"] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

/** One question of an evaluation set: `expect` lists phrases the answering passage must contain; null means "no answer". */
export interface EvalQuestion {
  id: string;
  q: string;
  expect: string[] | null;
  /** How the question was written (blind sets only). */
  kind?: QuestionKind;
  /** Which half it belongs to: tune on "tune", report "test" (blind sets only). */
  split?: "tune" | "test";
  note?: string;
}

/** A question set with the knowledge folder it is about (bench/eval/*.json). */
export interface EvalSet {
  name: string;
  about: string;
  /** Knowledge folder, relative to the repository root. */
  knowledge: string;
  /** How to get the folder when it is not in the repository or ../shared. */
  obtain?: string;
  questions: EvalQuestion[];
}

export interface EvalOutcome {
  question: EvalQuestion;
  /** 1-based rank of the first result containing every expected phrase; undefined if none in the top 5. */
  rank?: number;
  /** The engine gave an answer (`answered: true`). */
  answered: boolean;
  /** The engine was unsure and showed the closest passages. */
  unsure: boolean;
}

export interface EvalSummary {
  answerable: number;
  unanswerable: number;
  hit1: number;
  hit3: number;
  mrr5: number;
  /** No-answer questions that were declined (not `answered`: "unsure" or "no-match"). */
  abstained: number;
  /** Answerable questions that were declined. */
  falseAbstentions: number;
  /** Questions answered "unsure", answerable and not. */
  unsure: number;
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
    if (item.kind !== undefined && !(QUESTION_KINDS as readonly string[]).includes(item.kind)) {
      throw new Error(`eval: Expected question ${i + 1} of ${name} to have a "kind" of ${QUESTION_KINDS.join(", ")}, got ${JSON.stringify(item.kind)}`);
    }
    if (item.split !== undefined && item.split !== "tune" && item.split !== "test") {
      throw new Error(`eval: Expected question ${i + 1} of ${name} to have a "split" of tune or test, got ${JSON.stringify(item.split)}`);
    }
    return {
      id: typeof item.id === "string" ? item.id : String(i + 1),
      q: item.q,
      expect: item.expect,
      ...(item.kind ? { kind: item.kind } : {}),
      ...(item.split ? { split: item.split } : {}),
      ...(item.note ? { note: item.note } : {}),
    };
  });
}

/** Reads a blind set file (bench/eval/*.json): its questions, and the knowledge folder they are about. */
export function parseBlindSet(json: unknown, name: string): EvalSet {
  const data = json as { about?: unknown; knowledge?: unknown; obtain?: unknown };
  if (typeof data?.knowledge !== "string") throw new Error(`eval: Expected ${name} to name its "knowledge" folder, got ${JSON.stringify(data?.knowledge)}`);
  return {
    name,
    about: typeof data.about === "string" ? data.about : "",
    knowledge: data.knowledge,
    ...(typeof data.obtain === "string" ? { obtain: data.obtain } : {}),
    questions: parseEvalSet(json, name),
  };
}

/** Scores answers against an evaluation set, as described in the shared question files. */
export function scoreAnswers(questions: readonly EvalQuestion[], answers: readonly Answer[]): EvalSummary {
  const outcomes: EvalOutcome[] = questions.map((question, i) => {
    const a = answers[i];
    const answered = Boolean(a?.answered && a.results.length);
    const unsure = a?.reason === "unsure";
    if (!question.expect || !a) return { question, answered, unsure };
    const phrases = question.expect.map(foldForMatch);
    // The results of an "unsure" answer are shown too, so they count.
    const index = a.results.slice(0, 5).findIndex((r) => {
      const text = foldForMatch(r.text);
      return phrases.every((p) => text.includes(p));
    });
    return { question, answered, unsure, ...(index >= 0 ? { rank: index + 1 } : {}) };
  });
  return summarise(outcomes);
}

/** The figures for a subset of outcomes (one kind, one split). */
export function summarise(outcomes: readonly EvalOutcome[]): EvalSummary {
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
    unsure: outcomes.filter((o) => o.unsure).length,
    outcomes: [...outcomes],
  };
}
