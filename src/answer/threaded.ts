/**
 * The answer engine in a worker thread, for the bot. Discord sends interactions in bursts; answered on
 * the thread that also runs the gateway and REST client, each question waits for every answer before
 * it, and for discord.js's work on each. With the engine on its own thread (and core) the two pipeline:
 * the bot's thread receives and replies while the worker answers. The worker also holds the index, so
 * nothing of it is duplicated here, and rebuilds run in a build worker of its own.
 */
import { Worker } from "node:worker_threads";
import { KnowledgeError } from "../knowledge/files.ts";
import { silentLogger, type Logger } from "../log.ts";
import type { AnswerWorkerData, AnswerWorkerReply, AnswerWorkerRequest, ForwardedMethod } from "./answer-worker.ts";
import type { AskOptions, EngineOptions, LoadReport, SourceSummary } from "./engine.ts";
import type { Answer, AnswerResult } from "./types.ts";

/** What adapters need of an engine; AnswerEngine (in this thread) and ThreadedEngine both provide it. */
export interface AnswerService {
  readonly dir: string;
  readonly lastLoad: LoadReport;
  ask(question: string, options?: AskOptions): Answer | Promise<Answer>;
  passage(key: string, question?: string): AnswerResult | undefined | Promise<AnswerResult | undefined>;
  suggest(partial: string, limit?: number): string[] | Promise<string[]>;
  sources(): SourceSummary[] | Promise<SourceSummary[]>;
  reload(): Promise<LoadReport>;
  close(): Promise<void>;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

function errorFrom(name: string, message: string): Error {
  const error = name === "KnowledgeError" ? new KnowledgeError(message) : new Error(message);
  if (name !== error.name) error.name = name;
  return error;
}

/** A question, suggestion or listing that takes longer than this means the worker is stuck: it is replaced. */
export const CALL_TIMEOUT_MS = 10_000;

export class ThreadedEngine implements AnswerService {
  readonly dir: string;
  private report: LoadReport;
  private worker: Worker;
  private alive = true;
  private readonly logger: Logger;
  private readonly data: AnswerWorkerData;
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  private closed = false;
  /** A replacement worker starting; calls wait for it. */
  private reviving: Promise<void> | undefined;

  private constructor(dir: string, started: { worker: Worker; lastLoad: LoadReport }, data: AnswerWorkerData, logger: Logger) {
    this.dir = dir;
    this.data = data;
    this.logger = logger;
    this.report = started.lastLoad;
    this.worker = started.worker;
    this.attach(this.worker);
  }

  /** Starts the worker and loads the folder there. Rejects (KnowledgeError) as AnswerEngine.open does. */
  static async open(dir: string, options: EngineOptions = {}): Promise<ThreadedEngine> {
    const { logger = silentLogger, worker: _worker, ...rest } = options;
    const entry = new URL(import.meta.url.endsWith(".ts") ? "./answer-worker.ts" : "./answer-worker.js", import.meta.url).href;
    const data: AnswerWorkerData = { entry, dir, options: rest };
    return new ThreadedEngine(dir, await ThreadedEngine.start(data, logger), data, logger);
  }

  private static start(data: AnswerWorkerData, logger: Logger): Promise<{ worker: Worker; lastLoad: LoadReport }> {
    const worker = new Worker(new URL("./worker-entry.mjs", import.meta.url), { workerData: data });
    return new Promise((resolve, reject) => {
      const onMessage = (reply: AnswerWorkerReply) => {
        if ("log" in reply) return logger[reply.log](reply.message);
        if (!("ready" in reply)) return;
        worker.off("message", onMessage).off("error", onError).off("exit", onExit);
        if (reply.ready) resolve({ worker, lastLoad: reply.lastLoad });
        else {
          void worker.terminate();
          reject(errorFrom(reply.name, reply.message));
        }
      };
      const onError = (error: Error) => reject(new Error(`engine: the answer worker failed to start: ${error.message}`));
      const onExit = (code: number) => reject(new Error(`engine: the answer worker exited while starting (code ${code})`));
      worker.on("message", onMessage).on("error", onError).on("exit", onExit);
    });
  }

  private attach(worker: Worker): void {
    worker.on("message", (reply: AnswerWorkerReply) => {
      if ("log" in reply) return this.logger[reply.log](reply.message);
      if ("ready" in reply) return;
      this.report = reply.lastLoad;
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.value);
      else p.reject(errorFrom(reply.name, reply.message));
    });
    worker.on("error", (error) => this.logger.error(`engine: the answer worker failed: ${error.message}`));
    worker.on("exit", (code) => {
      if (this.closed || worker !== this.worker) return;
      this.alive = false;
      // Calls in flight are lost with the thread; later ones go to a new worker, loaded from the snapshot.
      const lost = new Error(`engine: the answer worker stopped (exit code ${code}); the question was not answered`);
      for (const p of this.pending.values()) p.reject(lost);
      this.pending.clear();
      this.logger.error(`engine: the answer worker stopped (exit code ${code}); starting a new one`);
      this.revive().catch(() => undefined);
    });
  }

  /** Starts a replacement worker (one at a time); a failure is logged and the next call tries again. */
  private revive(): Promise<void> {
    this.reviving ??= ThreadedEngine.start(this.data, this.logger)
      .then(
        (started) => {
          this.worker = started.worker;
          this.report = started.lastLoad;
          this.alive = true;
          this.attach(started.worker);
        },
        (error: Error) => {
          this.logger.error(`engine: could not start a new answer worker: ${error.message}`);
          throw error;
        },
      )
      .finally(() => {
        this.reviving = undefined;
      });
    return this.reviving;
  }

  private async call<T>(method: ForwardedMethod, args: unknown[]): Promise<T> {
    if (this.closed) throw new Error("engine: Expected an open engine, got one that was closed");
    if (!this.alive) await this.revive();
    const id = ++this.next;
    const worker = this.worker;
    return new Promise<T>((resolve, reject) => {
      // A reload runs in the build worker and may take minutes on a large folder; anything else is quick.
      const timer =
        method === "reload"
          ? undefined
          : setTimeout(() => {
              if (!this.pending.delete(id)) return;
              reject(new Error(`engine: no reply from the answer worker within ${CALL_TIMEOUT_MS / 1000} s; it is being replaced`));
              this.logger.error(`engine: the answer worker did not reply to ${method} within ${CALL_TIMEOUT_MS / 1000} s; replacing it`);
              if (worker === this.worker) void worker.terminate();
            }, CALL_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value as T)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      worker.postMessage({ id, method, args } satisfies AnswerWorkerRequest);
    });
  }

  get lastLoad(): LoadReport {
    return this.report;
  }

  ask(question: string, options: AskOptions = {}): Promise<Answer> {
    return this.call("ask", [question, options]);
  }

  passage(key: string, question = ""): Promise<AnswerResult | undefined> {
    return this.call("passage", [key, question]);
  }

  suggest(partial: string, limit = 25): Promise<string[]> {
    return this.call("suggest", [partial, limit]);
  }

  sources(): Promise<SourceSummary[]> {
    return this.call("sources", []);
  }

  reload(): Promise<LoadReport> {
    return this.call("reload", []);
  }

  /** Stops the worker (and its build worker). Calls still in flight are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.reviving?.catch(() => undefined);
    const stopped = new Error("engine: closed before the answer came");
    for (const p of this.pending.values()) p.reject(stopped);
    this.pending.clear();
    await this.worker.terminate();
  }
}
