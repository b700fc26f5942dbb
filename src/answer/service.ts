/**
 * What adapters (Discord, the terminal) need of an engine, wherever it runs: AnswerEngine answers in the
 * caller's thread, ThreadedEngine in a worker thread. Results may come synchronously or as promises.
 */
import type { AnswerOptions } from "./ask.ts";
import type { BuildSummary } from "./builder.ts";
import type { Answer, AnswerResult } from "./types.ts";

export type AskOptions = AnswerOptions;

export interface SourceSummary {
  path: string;
  title: string;
  url?: string;
  sections: string[];
  passages: number;
}

/** What the last successful load found: a build's summary (builder.ts) and when it went live. */
export type LoadReport = Omit<BuildSummary, "snapshotNote" | "source" | "unchanged"> & {
  loadedAt: Date;
  /** Whether the index came from the snapshot or was built from the files (absent in reports made by hand). */
  source?: BuildSummary["source"];
};

export interface AnswerService {
  readonly dir: string;
  readonly lastLoad: LoadReport;
  ask(question: string, options?: AskOptions): Answer | Promise<Answer>;
  passage(key: string, question?: string): AnswerResult | undefined | Promise<AnswerResult | undefined>;
  suggest(partial: string, limit?: number): string[] | Promise<string[]>;
  sources(): SourceSummary[] | Promise<SourceSummary[]>;
  /** Rebuilds from the folder; on failure the last good index keeps serving and the promise rejects. */
  reload(): Promise<LoadReport>;
  close(): Promise<void>;
}
