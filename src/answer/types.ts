import type { PassageSource } from "../knowledge/types.ts";

/** A character range in `AnswerResult.text` that matched a query term. */
export interface Highlight {
  start: number;
  end: number;
}

export interface AnswerResult {
  /** Short stable key of the passage (≤ 16 chars, [A-Za-z0-9_-]), for `AnswerEngine.passage` and button ids. */
  key: string;
  /** The whole passage, as a person will be shown it. */
  text: string;
  /** The unit of `text` that answers best (a sentence, table row, list item or code block); always a substring of `text`. */
  answer: string;
  /** What kind of unit `answer` is, so a renderer can make its highlight visible. */
  answerKind: AnswerKind;
  /** Offset of `answer` in `text`. */
  answerStart: number;
  /** Relevance score (higher is better); comparable within one answer only. */
  score: number;
  source: PassageSource;
  /** Query-term matches in `text`, sorted and non-overlapping, for highlighting. */
  highlights: Highlight[];
}

/** The kinds of answer unit a passage is cut into. */
export type AnswerKind = "sentence" | "row" | "item" | "code";

/** Why a question was not answered. Misses are values, not exceptions. */
export type NoAnswerReason =
  /** The question had no searchable words (empty, only punctuation or emoji, only stop words). */
  | "empty-question"
  /** Nothing in the knowledge is near the question: nothing is shown. */
  | "no-match"
  /** Passages are near the question but none clearly answers it: `results` holds the closest, to be shown as not-an-answer. */
  | "unsure";

export interface Answer {
  question: string;
  answered: boolean;
  /** Set when `answered` is false. */
  reason?: NoAnswerReason;
  /** How sure the engine is that the first result answers the question, from 0 to 1; 0 when there are no results. */
  confidence: number;
  /** Best first. Empty for "no-match" and "empty-question"; the closest passages for "unsure". */
  results: AnswerResult[];
}
