import { Worker } from "node:worker_threads";
import { KnowledgeError } from "../knowledge/files.ts";
import type { SplitOptions } from "../knowledge/split.ts";
import { silentLogger, type Logger } from "../log.ts";
import { KnowledgeIndex, type KnowledgeIndexJSON } from "../search/index.ts";
import { answer, passageKey, passageResult, type AnswerOptions } from "./ask.ts";
import type { WorkerReply, WorkerRequest } from "./build-worker.ts";
import { KnowledgeBuilder, type BuilderOptions, type BuilderState, type BuildSummary, type LoadChanges } from "./builder.ts";
import { IndexAssembler } from "./index-transfer.ts";
import type { Answer, AnswerResult } from "./types.ts";

export { KnowledgeError };
export type { LoadChanges };

export type AskOptions = AnswerOptions;

export interface SourceSummary {
  path: string;
  title: string;
  url?: string;
  sections: string[];
  passages: number;
}

/** What the last successful load found: a build's summary (builder.ts) and when it went live. */
export type LoadReport = Omit<BuildSummary, "snapshotNote" | "source"> & {
  loadedAt: Date;
  /** Whether the index came from the snapshot or was built from the files (absent in reports made by hand). */
  source?: BuildSummary["source"];
};

export interface EngineOptions {
  logger?: Logger;
  /** Remove injected text before indexing (hygiene.ts). Default true; false indexes files exactly as they are. */
  hygiene?: boolean;
  /** Passage sizing (defaults in split.ts). */
  split?: SplitOptions;
  /** Index snapshot file: reused while the knowledge files and the engine are unchanged, rebuilt otherwise. */
  snapshot?: string;
  /** Build in a worker thread, so that a rebuild never stalls the caller's event loop (the bot). */
  worker?: boolean;
}

interface State {
  index: KnowledgeIndex;
  /** Passage key → position; made on the first "Show full passage", since hashing every id stalls a swap. */
  byKey?: Map<string, number>;
  report: LoadReport;
}

/** Builds either in this thread or in a worker; both keep the last good documents between builds. */
interface Builder {
  /** The new index, or none when nothing changed since the builder's last build (`summary.unchanged`). */
  build(useSnapshot: boolean): Promise<{ index?: KnowledgeIndex; summary: BuildSummary }>;
  close(): Promise<void>;
}

function inProcessBuilder(options: BuilderOptions, logger: Logger): Builder & { state(): BuilderState } {
  const builder = new KnowledgeBuilder(options, logger);
  return {
    state: () => builder.exportState(),
    async build(useSnapshot) {
      const { index, json, summary } = await builder.build(useSnapshot);
      if (index || !json) return { index, summary };
      const restored = KnowledgeIndex.fromJSON(json);
      builder.adopt(restored);
      return { index: restored, summary };
    },
    async close() {},
  };
}

/** A builder made on first use, so that an engine that never reloads never starts a thread. */
function lazily(make: () => Builder): Builder {
  let builder: Builder | undefined;
  let maker: (() => Builder) | undefined = make;
  return {
    build: (useSnapshot) => {
      if (!builder && maker) {
        builder = maker();
        // What `make` holds (the first build's builder, and through it the first index's passages) can go now.
        maker = undefined;
      }
      if (!builder) throw new Error("engine: Expected a builder, got none");
      return builder.build(useSnapshot);
    },
    close: async () => builder?.close(),
  };
}

function workerBuilder(options: BuilderOptions, logger: Logger, state?: BuilderState): Builder {
  const entry = new URL(import.meta.url.endsWith(".ts") ? "./build-worker.ts" : "./build-worker.js", import.meta.url).href;
  const worker = new Worker(new URL("./worker-entry.mjs", import.meta.url), { workerData: { entry, options, ...(state ? { state } : {}) } });
  // The worker must not keep a finished CLI or test process alive.
  worker.unref();
  let next = 0;
  const pending = new Map<number, { parts: IndexAssembler; resolve: (r: { index?: KnowledgeIndexJSON; summary: BuildSummary }) => void; reject: (e: Error) => void }>();
  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on("message", (reply: WorkerReply) => {
    if ("log" in reply) return logger[reply.log](reply.message);
    const p = pending.get(reply.id);
    if (!p) return;
    if ("slice" in reply) {
      p.parts.add(reply.slice);
      // Ask for the next slice only after the event loop has had a turn.
      setImmediate(() => worker.postMessage({ id: reply.id, next: true } satisfies WorkerRequest));
      return;
    }
    pending.delete(reply.id);
    if (reply.ok) {
      const summary = reply.summary as BuildSummary;
      p.resolve(summary.unchanged ? { summary } : { index: p.parts.result(), summary });
    }
    else p.reject(reply.name === "KnowledgeError" ? new KnowledgeError(reply.message) : new Error(reply.message));
  });
  worker.on("error", (error) => failAll(new Error(`knowledge: the build worker failed: ${error.message}`)));
  worker.on("exit", (code) => failAll(new Error(`knowledge: the build worker exited (code ${code})`)));
  return {
    async build(useSnapshot) {
      const id = ++next;
      const done = new Promise<{ index?: KnowledgeIndexJSON; summary: BuildSummary }>((resolve, reject) => pending.set(id, { parts: new IndexAssembler(), resolve, reject }));
      worker.ref();
      try {
        worker.postMessage({ id, useSnapshot } satisfies WorkerRequest);
        const { index, summary } = await done;
        // Yields between chunks, so the event loop keeps serving while a large index is loaded.
        return index ? { index: await KnowledgeIndex.fromJSONAsync(index), summary } : { summary };
      } finally {
        worker.unref();
      }
    },
    async close() {
      await worker.terminate();
    },
  };
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
  const parts = [`${report.documents} documents, ${report.passages} passages in ${Math.round(report.durationMs)} ms${report.source === "snapshot" ? " (from the index snapshot)" : ""}`];
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
 * Building happens in builder.ts, in this thread or in a worker (`worker: true`).
 */
export class AnswerEngine {
  readonly dir: string;
  private state: State;
  private readonly logger: Logger;
  private readonly builder: Builder;
  private reloading: Promise<LoadReport> | undefined;
  private reloadAgain = false;

  private constructor(dir: string, state: State, builder: Builder, logger: Logger) {
    this.dir = dir;
    this.state = state;
    this.builder = builder;
    this.logger = logger;
  }

  /** Loads the folder. Throws KnowledgeError when it is missing, not a folder, or holds no usable knowledge. */
  static async open(dir: string, options: EngineOptions = {}): Promise<AnswerEngine> {
    const logger = options.logger ?? silentLogger;
    const builderOptions: BuilderOptions = { dir, hygiene: options.hygiene ?? true, ...(options.split ? { split: options.split } : {}), snapshot: options.snapshot };
    // The first load runs here: nothing else is waiting yet, and from a snapshot it is fastest without a
    // thread to start. With `worker`, rebuilds then happen in a worker, started on the first reload.
    const first = inProcessBuilder(builderOptions, logger);
    const state = AnswerEngine.stateOf(await first.build(true));
    // The worker primes itself from the snapshot; without one it is handed the first build's documents.
    const builder = options.worker ? lazily(() => workerBuilder(builderOptions, logger, options.snapshot ? undefined : first.state())) : first;
    return new AnswerEngine(dir, state, builder, logger);
  }

  /** The state after a build: its new index, or — when nothing changed — the current one, loaded again now. */
  private static stateOf({ index, summary }: { index?: KnowledgeIndex; summary: BuildSummary }, current?: State): State {
    const { snapshotNote: _note, unchanged: _unchanged, ...report } = summary;
    if (!index) {
      if (!current) throw new Error("engine: Expected an index from the first build, got none");
      return { ...current, report: { ...current.report, ...report, source: current.report.source, loadedAt: new Date() } };
    }
    return { index, report: { loadedAt: new Date(), ...report } };
  }

  /** Stops the build worker, if any. The engine keeps answering from its current index. */
  async close(): Promise<void> {
    await this.builder.close();
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
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    const run = async (): Promise<LoadReport> => {
      try {
        do {
          this.reloadAgain = false;
          const next = AnswerEngine.stateOf(await this.builder.build(true), this.state);
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
