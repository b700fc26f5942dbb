import { hygieneCleaner } from "../knowledge/clean.ts";
import { loadKnowledge, KnowledgeError, type BlockCleaner } from "../knowledge/load.ts";
import type { SplitOptions } from "../knowledge/split.ts";
import type { KnowledgeDocument, LoadIssue } from "../knowledge/types.ts";
import { silentLogger, type Logger } from "../log.ts";
import { KnowledgeIndex } from "../search/index.ts";
import { answer, passageKey, passageResult, type AnswerOptions } from "./ask.ts";
import type { Answer, AnswerResult } from "./types.ts";

export { KnowledgeError };

export type AskOptions = AnswerOptions;

export interface SourceSummary {
  path: string;
  title: string;
  url?: string;
  sections: string[];
  passages: number;
}

export interface LoadChanges {
  added: string[];
  removed: string[];
  changed: string[];
  passagesAdded: number;
  passagesRemoved: number;
}

export interface LoadReport {
  loadedAt: Date;
  durationMs: number;
  documents: number;
  passages: number;
  /** Files that could not be loaded, with the reason. A file that loaded before keeps its last good version. */
  errors: LoadIssue[];
  /** Files that are not knowledge (unsupported extension). */
  skipped: LoadIssue[];
  /** What changed against the previous good load (everything is "added" on the first load). */
  changes: LoadChanges;
}

export interface EngineOptions {
  logger?: Logger;
  /**
   * Removes injected text from documents before indexing. Default: the hygiene check (hygiene.ts) with
   * the folder's own settings; `false` indexes files exactly as they are.
   */
  cleaner?: BlockCleaner | false;
  /** Passage sizing (defaults in split.ts). */
  split?: SplitOptions;
}

interface State {
  index: KnowledgeIndex;
  documents: Map<string, { document: KnowledgeDocument; hash: string }>;
  byKey: Map<string, number>;
  report: LoadReport;
}

const MAX_SUGGESTION = 100;

function clip(text: string, max = MAX_SUGGESTION): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return (space > max * 0.6 ? cut.slice(0, space) : cut) + "…";
}

/** Summarises a load report in one line for logs and `/reload`. */
export function describeLoad(report: LoadReport): string {
  const c = report.changes;
  const parts = [`${report.documents} documents, ${report.passages} passages in ${Math.round(report.durationMs)} ms`];
  const delta = [
    c.added.length && `${c.added.length} added`,
    c.changed.length && `${c.changed.length} changed`,
    c.removed.length && `${c.removed.length} removed`,
  ].filter(Boolean);
  if (delta.length) parts.push(`documents ${delta.join(", ")}; passages +${c.passagesAdded} −${c.passagesRemoved}`);
  else parts.push("no changes");
  if (report.errors.length) parts.push(`${report.errors.length} file(s) with problems: ${report.errors.map((e) => `${e.path} (${e.reason})`).join("; ")}`);
  return parts.join("; ");
}

/**
 * The one object adapters talk to. Holds the current index and swaps it atomically on reload:
 * a question asked during a rebuild is answered from the old index, and a bad change keeps the
 * last good one (per file: a file that breaks keeps its previous version until it is fixed).
 */
export class AnswerEngine {
  readonly dir: string;
  private state: State;
  private readonly logger: Logger;
  private readonly cleaner: BlockCleaner | false | undefined;
  private readonly split: SplitOptions | undefined;
  private reloading: Promise<LoadReport> | undefined;
  private reloadAgain = false;

  private constructor(dir: string, state: State, options: EngineOptions) {
    this.dir = dir;
    this.state = state;
    this.logger = options.logger ?? silentLogger;
    this.cleaner = options.cleaner;
    this.split = options.split;
  }

  /** Loads the folder. Throws KnowledgeError when it is missing, not a folder, or holds no usable knowledge. */
  static async open(dir: string, options: EngineOptions = {}): Promise<AnswerEngine> {
    const state = await AnswerEngine.build(dir, undefined, options);
    return new AnswerEngine(dir, state, options);
  }

  private static async build(dir: string, previous: State | undefined, options: EngineOptions): Promise<State> {
    const started = performance.now();
    const cleaner = options.cleaner === false ? undefined : (options.cleaner ?? hygieneCleaner());
    const set = await loadKnowledge(dir, { ...(options.logger ? { logger: options.logger } : {}), ...(cleaner ? { cleaner } : {}), ...(options.split ? { split: options.split } : {}) });
    const documents = new Map<string, { document: KnowledgeDocument; hash: string }>();
    for (const document of set.documents) documents.set(document.path, { document, hash: set.hashes[document.path] ?? "" });
    // A file that loaded before and is broken now keeps serving its last good version.
    for (const error of set.errors) {
      const kept = previous?.documents.get(error.path);
      if (kept) {
        documents.set(error.path, kept);
        error.reason += " — still answering from its last good version";
      }
    }
    if (documents.size === 0) {
      const why = set.errors.length ? `; problems: ${set.errors.map((e) => `${e.path}: ${e.reason}`).join("; ")}` : "";
      throw new KnowledgeError(`knowledge: no usable knowledge files in ${set.root} (add .md, .markdown, .mdx or .txt files)${why}`);
    }
    const ordered = [...documents.values()].sort((a, b) => (a.document.path < b.document.path ? -1 : 1));
    const index = KnowledgeIndex.build(ordered.map((d) => d.document));
    const byKey = new Map<string, number>();
    index.passages.forEach((p, i) => byKey.set(passageKey(p.id), i));

    const changes: LoadChanges = { added: [], removed: [], changed: [], passagesAdded: 0, passagesRemoved: 0 };
    for (const [path, entry] of documents) {
      const before = previous?.documents.get(path);
      if (!before) {
        changes.added.push(path);
        changes.passagesAdded += entry.document.passages.length;
      } else if (before.hash !== entry.hash) {
        changes.changed.push(path);
        const old = new Set(before.document.passages.map((p) => p.text));
        const now = new Set(entry.document.passages.map((p) => p.text));
        changes.passagesAdded += [...now].filter((t) => !old.has(t)).length;
        changes.passagesRemoved += [...old].filter((t) => !now.has(t)).length;
      }
    }
    for (const [path, entry] of previous?.documents ?? []) {
      if (!documents.has(path)) {
        changes.removed.push(path);
        changes.passagesRemoved += entry.document.passages.length;
      }
    }
    const report: LoadReport = {
      loadedAt: new Date(),
      durationMs: performance.now() - started,
      documents: documents.size,
      passages: index.size,
      errors: set.errors,
      skipped: set.skipped,
      changes,
    };
    return { index, documents, byKey, report };
  }

  get lastLoad(): LoadReport {
    return this.state.report;
  }

  /** The current index (read-only use: benchmarks and diagnostics). */
  get index(): KnowledgeIndex {
    return this.state.index;
  }

  ask(question: string, options: AskOptions = {}): Answer {
    return answer(this.state.index, question, options);
  }

  /** A passage by its short key (AnswerResult.key), whole, with the question's words highlighted; undefined if gone. */
  passage(key: string, question = ""): AnswerResult | undefined {
    const i = this.state.byKey.get(key);
    const passage = i === undefined ? undefined : this.state.index.passages[i];
    return passage ? passageResult(this.state.index, passage, question) : undefined;
  }

  /**
   * Up to `limit` (≤ 25) suggestions of ≤ 100 chars for a partly typed question: what was typed,
   * then matching section headings and answer sentences from the knowledge.
   */
  suggest(partial: string, limit = 25): string[] {
    const max = Math.max(0, Math.min(limit, 25));
    const typed = partial.replace(/\s+/g, " ").trim();
    const out = new Set<string>();
    if (typed) out.add(clip(typed));
    const index = this.state.index;
    if (!typed) {
      for (const doc of index.documents) for (const s of [doc.title, ...doc.sections]) if (out.size < max) out.add(clip(s.split(" › ").pop() ?? s));
      return [...out].slice(0, max);
    }
    const result = answer(index, typed, { top: max });
    for (const r of result.results) {
      const heading = r.source.section[r.source.section.length - 1];
      if (heading && r.highlights.length) out.add(clip(heading));
      out.add(clip(r.answer));
      if (out.size >= max) break;
    }
    return [...out].slice(0, max);
  }

  sources(): SourceSummary[] {
    return [...this.state.documents.values()]
      .map(({ document: d }) => ({ path: d.path, title: d.title, ...(d.url ? { url: d.url } : {}), sections: d.sections, passages: d.passages.length }))
      .sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /**
   * Rebuilds from the folder and swaps the index in one assignment. Calls during a rebuild share it and
   * run once more after it, so the last change is never missed. On failure the last good index stays
   * and the promise rejects with a message that names the folder or the files.
   */
  reload(): Promise<LoadReport> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    const run = async (): Promise<LoadReport> => {
      try {
        do {
          this.reloadAgain = false;
          const next = await AnswerEngine.build(this.dir, this.state, { logger: this.logger, ...(this.cleaner !== undefined ? { cleaner: this.cleaner } : {}), ...(this.split ? { split: this.split } : {}) });
          this.state = next;
          this.logger.info(`knowledge: reloaded: ${describeLoad(next.report)}`);
        } while (this.reloadAgain);
        return this.state.report;
      } catch (error) {
        this.logger.warn(`knowledge: reload failed, still answering from the knowledge loaded at ${this.state.report.loadedAt.toISOString()}: ${(error as Error).message}`);
        throw error;
      } finally {
        this.reloading = undefined;
      }
    };
    this.reloading = run();
    return this.reloading;
  }
}
