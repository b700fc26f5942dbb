/**
 * The answer engine in a worker thread, for the bot. Discord sends interactions in bursts; answered on
 * the thread that also runs the gateway and REST client, each question waits for every answer before
 * it, and for discord.js's work on each. With the engine on its own thread (and core) the two pipeline:
 * the bot's thread receives and replies while the worker answers. The worker also holds the index, so
 * nothing of it is duplicated here, and rebuilds run in a build worker of its own.
 */
import { Worker } from "node:worker_threads";
import { KnowledgeError } from "../knowledge/files.ts";
import { relayLog, silentLogger, type Logger } from "../log.ts";
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

/**
 * Calls are waiting and the worker has replied to nothing for this long: it is stuck, and is replaced.
 * Measured from its last reply, not from each call, so that a long queue of questions is not mistaken
 * for a stuck worker.
 */
export const STUCK_AFTER_MS = 10_000;
/** A replacement worker that is not ready in this long (a build from the files included) is given up. */
const START_TIMEOUT_MS = 10 * 60_000;

interface Call extends Pending {
  method: ForwardedMethod;
}

export class ThreadedEngine implements AnswerService {
  readonly dir: string;
  private report: LoadReport;
  private worker: Worker;
  private alive = true;
  private readonly logger: Logger;
  private readonly data: AnswerWorkerData;
  private readonly pending = new Map<number, Call>();
  private next = 0;
  private closed = false;
  /** A replacement worker starting; calls wait for it (each at most STUCK_AFTER_MS). */
  private reviving: Promise<void> | undefined;
  /** When the worker last replied, or began to owe a reply; see STUCK_AFTER_MS. */
  private lastProgress = performance.now();
  private readonly watchdog: NodeJS.Timeout;

  private constructor(dir: string, started: { worker: Worker; lastLoad: LoadReport }, data: AnswerWorkerData, logger: Logger) {
    this.dir = dir;
    this.data = data;
    this.logger = logger;
    this.report = started.lastLoad;
    this.worker = started.worker;
    this.attach(this.worker);
    this.watchdog = setInterval(() => this.checkProgress(), 1000);
    // The watchdog must not keep a finished process alive.
    this.watchdog.unref();
  }

  /** Starts the worker and loads the folder there. Rejects (KnowledgeError) as AnswerEngine.open does. */
  static async open(dir: string, options: EngineOptions = {}): Promise<ThreadedEngine> {
    const { logger = silentLogger, worker: _worker, ...rest } = options;
    const entry = new URL(import.meta.url.endsWith(".ts") ? "./answer-worker.ts" : "./answer-worker.js", import.meta.url).href;
    const data: AnswerWorkerData = { entry, dir, options: rest };
    return new ThreadedEngine(dir, await ThreadedEngine.start(data, logger), data, logger);
  }

  private static async start(data: AnswerWorkerData, logger: Logger, timeoutMs = Infinity): Promise<{ worker: Worker; lastLoad: LoadReport }> {
    const worker = new Worker(new URL("./worker-entry.mjs", import.meta.url), { workerData: data });
    return new Promise((resolve, reject) => {
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            done();
            void worker.terminate();
            reject(new Error(`engine: the answer worker was not ready within ${Math.round(timeoutMs / 1000)} s`));
          }, timeoutMs)
        : undefined;
      const done = () => {
        clearTimeout(timer);
        worker.off("message", onMessage).off("error", onError).off("exit", onExit);
      };
      const onMessage = (reply: AnswerWorkerReply) => {
        if ("log" in reply) return relayLog(logger, reply, "answer");
        if (!("ready" in reply)) return;
        done();
        if (reply.ready) resolve({ worker, lastLoad: reply.lastLoad });
        else {
          void worker.terminate();
          reject(errorFrom(reply.name, reply.message));
        }
      };
      const onError = (error: Error) => (done(), reject(new Error(`engine: the answer worker failed to start: ${error.message}`)));
      const onExit = (code: number) => (done(), reject(new Error(`engine: the answer worker exited while starting (code ${code})`)));
      worker.on("message", onMessage).on("error", onError).on("exit", onExit);
    });
  }

  private attach(worker: Worker): void {
    worker.on("message", (reply: AnswerWorkerReply) => {
      if ("log" in reply) return relayLog(this.logger, reply, "answer");
      if ("ready" in reply) return;
      this.lastProgress = performance.now();
      const call = this.pending.get(reply.id);
      if (!call) return;
      this.pending.delete(reply.id);
      if (!reply.ok) return call.reject(errorFrom(reply.name, reply.message));
      if (call.method === "reload") this.report = reply.value as LoadReport;
      call.resolve(reply.value);
    });
    worker.on("error", (error) => this.logger.error(`engine: the answer worker failed: ${error.message}`));
    worker.on("exit", (code) => {
      if (this.closed || worker !== this.worker) return;
      this.alive = false;
      // Calls in flight are lost with the thread; later ones go to a new worker, loaded from the snapshot.
      const lost = new Error(`engine: the answer worker stopped (exit code ${code}); the question was not answered`);
      for (const call of this.pending.values()) call.reject(lost);
      this.pending.clear();
      this.logger.error(`engine: the answer worker stopped (exit code ${code}); starting a new one`);
      this.revive().catch(() => undefined);
    });
  }

  /** Replaces a worker that owes replies and has given none for STUCK_AFTER_MS (a reload, done in the build worker, does not count). */
  private checkProgress(): void {
    if (!this.alive || this.closed) return;
    const owed = [...this.pending.values()].some((call) => call.method !== "reload");
    if (!owed || performance.now() - this.lastProgress < STUCK_AFTER_MS) return;
    this.logger.error(`engine: the answer worker has not replied for ${STUCK_AFTER_MS / 1000} s; replacing it`);
    // Until it has exited, new calls wait for the replacement instead of going to the stuck worker.
    this.alive = false;
    void this.worker.terminate();
  }

  /** Starts a replacement worker (one at a time); a failure is logged and the next call tries again. */
  private revive(): Promise<void> {
    this.reviving ??= ThreadedEngine.start(this.data, this.logger, START_TIMEOUT_MS)
      .then(
        (started) => {
          this.worker = started.worker;
          this.report = started.lastLoad;
          this.alive = true;
          this.lastProgress = performance.now();
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

  /** Waits for a replacement worker, at most STUCK_AFTER_MS: a question is better refused than left hanging. */
  private async whenAlive(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const wait = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`engine: the answer worker is being replaced and was not ready within ${STUCK_AFTER_MS / 1000} s`)), STUCK_AFTER_MS);
    });
    try {
      await Promise.race([this.revive(), wait]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async call<T>(method: ForwardedMethod, args: unknown[]): Promise<T> {
    if (this.closed) throw new Error("engine: Expected an open engine, got one that was closed");
    if (!this.alive) await this.whenAlive();
    const id = ++this.next;
    // A worker that owed nothing starts owing now: its silence is measured from here.
    if (this.pending.size === 0) this.lastProgress = performance.now();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, method, args } satisfies AnswerWorkerRequest);
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
    clearInterval(this.watchdog);
    await this.reviving?.catch(() => undefined);
    const stopped = new Error("engine: closed before the answer came");
    for (const call of this.pending.values()) call.reject(stopped);
    this.pending.clear();
    await this.worker.terminate();
  }
}
