import { KnowledgeError } from "../knowledge/files.ts";
import type { SplitOptions } from "../knowledge/split.ts";
import { silentLogger, type Logger } from "../log.ts";
import type { KnowledgeIndex } from "../search/index.ts";
import { answer, passageKey, passageResult } from "./ask.ts";
import { KnowledgeBuilder, type BuilderOptions, type BuildSummary, type LoadChanges, type Served } from "./builder.ts";
import type { AnswerService, AskOptions, LoadReport, SourceSummary } from "./service.ts";
import type { TaughtSource } from "./taught.ts";
import type { Answer, AnswerResult } from "./types.ts";

export { KnowledgeError };
export type { AskOptions, LoadChanges, LoadReport, SourceSummary };

export interface EngineOptions {
  logger?: Logger;
  /** Remove injected text before indexing (hygiene.ts). Default true; false indexes files exactly as they are. */
  hygiene?: boolean;
  /** Passage sizing (defaults in split.ts). */
  split?: SplitOptions;
  /** Index snapshot file: reused while the knowledge files and the engine are unchanged, rebuilt otherwise. */
  snapshot?: string;
  /**
   * The index this engine replaces, served elsewhere (a new answering worker's predecessor): the first build
   * reports its changes against it and keeps its versions of files that are broken now.
   */
  inherit?: Served;
  /** The operator's taught phrases, read on every build (see taught.ts). */
  taught?: TaughtSource;
}

interface State {
  index: KnowledgeIndex;
  /** Passage key → position; made on the first "Show full passage", since hashing every id stalls a swap. */
  byKey?: Map<string, number>;
  report: LoadReport;
}

/** A load report from a build's summary; `source` stays the current one when nothing was rebuilt. */
function reportOf(summary: BuildSummary, current?: LoadReport): LoadReport {
  const { snapshotNote: _note, unchanged: _unchanged, ...report } = summary;
  return { ...report, ...(current && summary.unchanged ? { source: current.source } : {}), loadedAt: new Date() };
}

/**
 * Runs reloads one at a time. Calls made while one runs share it and cause exactly one more run after it,
 * so the last change is never missed. On failure the last good index stays, and the promise rejects with
 * a message that names the folder or the files.
 */
export class ReloadQueue {
  private running: Promise<LoadReport> | undefined;
  private again = false;

  constructor(
    private readonly once: () => Promise<LoadReport>,
    private readonly current: () => LoadReport,
    private readonly logger: Logger,
  ) {}

  reload(): Promise<LoadReport> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async (): Promise<LoadReport> => {
      try {
        let report: LoadReport;
        do {
          this.again = false;
          report = await this.once();
          this.logger.info(`knowledge: reloaded: ${describeLoad(report)}`);
        } while (this.again);
        return report;
      } catch (error) {
        this.logger.warn(
          `knowledge: reload failed, still answering from the knowledge loaded at ${this.current().loadedAt.toISOString()}: ${(error as Error).message}`,
        );
        throw error;
      } finally {
        this.running = undefined;
      }
    };
    this.running = run();
    return this.running;
  }
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
  const parts = [
    `${report.documents} documents, ${report.passages} passages in ${Math.round(report.durationMs)} ms${report.source === "snapshot" ? " (from the index snapshot)" : ""}`,
  ];
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
 * Building happens in builder.ts, in the engine's thread; ThreadedEngine runs the whole engine in a worker.
 */
export class AnswerEngine implements AnswerService {
  readonly dir: string;
  private state: State;
  private readonly builder: KnowledgeBuilder;
  private readonly reloads: ReloadQueue;

  private constructor(dir: string, state: State, builder: KnowledgeBuilder, logger: Logger) {
    this.dir = dir;
    this.state = state;
    this.builder = builder;
    this.reloads = new ReloadQueue(
      () => this.rebuild(),
      () => this.state.report,
      logger,
    );
  }

  /** Loads the folder. Throws KnowledgeError when it is missing, not a folder, or holds no usable knowledge. */
  static async open(dir: string, options: EngineOptions = {}): Promise<AnswerEngine> {
    const built = await AnswerEngine.build(dir, options);
    if ("unchanged" in built) throw new Error("engine: Expected an index from the first build, got none");
    return built.engine;
  }

  /**
   * Like open, but with `inherit` the files may turn out unchanged since the inherited index was built:
   * then there is no engine, only the report (the inherited index goes on serving).
   */
  static async build(dir: string, options: EngineOptions = {}): Promise<{ engine: AnswerEngine } | { unchanged: LoadReport }> {
    const logger = options.logger ?? silentLogger;
    const builderOptions: BuilderOptions = {
      dir,
      hygiene: options.hygiene ?? true,
      ...(options.split ? { split: options.split } : {}),
      snapshot: options.snapshot,
      taught: options.taught,
    };
    const builder = new KnowledgeBuilder(builderOptions, logger, options.inherit);
    const { index, summary } = await builder.build(true);
    if (!index) return { unchanged: reportOf(summary) };
    return { engine: new AnswerEngine(dir, { index, report: reportOf(summary) }, builder, logger) };
  }

  /** What a build that replaces this engine's index (in another worker) asks of it. */
  get served(): Served {
    return this.builder;
  }

  /** Nothing to stop: the engine holds no thread or handle. */
  async close(): Promise<void> {}

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
    const { index } = this.state;
    const byKey = (this.state.byKey ??= new Map(index.passages.map((p, i) => [passageKey(p), i])));
    const i = byKey.get(key);
    return i === undefined ? undefined : passageResult(index, i, question);
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
    // Suggestions are not answers: what is near the words typed so far is worth offering, sure or not.
    const result = answer(index, typed, { top: max, nearest: true, ranking: { minRelativeScore: 0 } });
    for (const r of result.results) {
      const heading = r.source.section[r.source.section.length - 1];
      if (heading && r.highlights.length) out.add(clip(heading));
      out.add(clip(r.answer));
      if (out.size >= max) break;
    }
    return [...out].slice(0, max);
  }

  sources(): SourceSummary[] {
    const counts = new Map<string, number>();
    for (const p of this.state.index.passages) counts.set(p.source.path, (counts.get(p.source.path) ?? 0) + 1);
    return this.state.index.documents
      .map((d) => ({ path: d.path, title: d.title, ...(d.url ? { url: d.url } : {}), sections: d.sections, passages: counts.get(d.path) ?? 0 }))
      .sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /**
   * Rebuilds from the folder and swaps the index in one assignment. Calls during a rebuild share it and
   * run once more after it, so the last change is never missed. On failure the last good index stays
   * and the promise rejects with a message that names the folder or the files.
   */
  reload(): Promise<LoadReport> {
    return this.reloads.reload();
  }

  private async rebuild(): Promise<LoadReport> {
    const { index, summary } = await this.builder.build(true);
    const report = reportOf(summary, this.state.report);
    // Nothing changed: the same index, loaded again now.
    this.state = index ? { index, report } : { ...this.state, report };
    return report;
  }
}
