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
  /** The sentence(s) within `text` that answer best; always a substring of `text`. */
  answer: string;
  /** Offset of `answer` in `text`. */
  answerStart: number;
  /** Relevance score (higher is better); comparable within one answer only. */
  score: number;
  source: PassageSource;
  /** Query-term matches in `text`, sorted and non-overlapping, for highlighting. */
  highlights: Highlight[];
}

/** Why a question was not answered. Misses are values, not exceptions. */
export type NoAnswerReason =
  /** The question had no searchable words (empty, only punctuation or emoji, only stop words). */
  | "empty-question"
  /** Nothing in the knowledge matched well enough to show. */
  | "no-match";

export interface Answer {
  question: string;
  answered: boolean;
  /** Set when `answered` is false. */
  reason?: NoAnswerReason;
  /** Best first; empty when not answered. */
  results: AnswerResult[];
}
