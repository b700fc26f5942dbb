// CONTRACT FILE — being implemented now; the signatures below are stable.
import type { Answer, AnswerResult } from "./types.ts";
import type { LoadIssue } from "../knowledge/types.ts";
import type { Logger } from "../log.ts";

export interface AskOptions {
  /** How many results to return (default 3). */
  top?: number;
  /** Skip this many of the best results ("More results"). */
  offset?: number;
  /** The previous question in the same conversation, used when this one is a short follow-up. */
  context?: string;
}

export interface SourceSummary {
  path: string;
  title: string;
  url?: string;
  sections: string[];
  passages: number;
}

export interface LoadReport {
  loadedAt: Date;
  durationMs: number;
  documents: number;
  passages: number;
  /** Files that could not be loaded, with the reason. */
  errors: LoadIssue[];
  /** Files that are not knowledge (unsupported extension). */
  skipped: LoadIssue[];
  /** What changed against the previous good load (empty on the first load). */
  changes: { added: string[]; removed: string[]; changed: string[]; passagesAdded: number; passagesRemoved: number };
}

export interface EngineOptions {
  logger?: Logger;
}

/**
 * The one object adapters talk to. Holds the current index and swaps it atomically on reload:
 * questions asked during a rebuild are answered from the old index.
 */
export declare class AnswerEngine {
  /** Loads the folder. Throws KnowledgeError (exit code 2 in the CLI) when it is missing or holds no usable knowledge. */
  static open(dir: string, options?: EngineOptions): Promise<AnswerEngine>;
  readonly dir: string;
  readonly lastLoad: LoadReport;
  ask(question: string, options?: AskOptions): Answer;
  /** A passage by its short key (AnswerResult.key), as a result with the whole passage as `text`; undefined if gone after a reload. */
  passage(key: string, question?: string): AnswerResult | undefined;
  /** Up to `limit` (≤ 25) suggestions of ≤ 100 chars for a partly typed question. */
  suggest(partial: string, limit?: number): string[];
  sources(): SourceSummary[];
  /** Rebuilds in the background and swaps; on failure keeps the last good index and rejects with a message naming the files. */
  reload(): Promise<LoadReport>;
}
