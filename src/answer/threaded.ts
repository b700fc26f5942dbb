/**
 * The answer engine in a worker thread, for the bot. Discord sends interactions in bursts; answered on
 * the thread that also runs the gateway and REST client, each question waits for every answer before
 * it, and for discord.js's work on each. With the engine on its own thread (and core) the two pipeline:
 * the bot's thread receives and replies while the worker answers. The worker holds the only index.
 *
 * One kind of worker (answer-worker.ts) builds or loads its own index and answers from it. A reload is
 * blue/green: a new worker builds while the old one keeps answering; once the new one is ready, calls go
 * to it, and the old one finishes the calls it has and exits. A failed reload leaves the old one serving.
 */
import { Worker } from "node:worker_threads";
import { KnowledgeError } from "../knowledge/files.ts";
import { relayLog, silentLogger, type Logger } from "../log.ts";
import type { AnswerWorkerData, ParentMethods, WorkerMethods } from "./answer-worker.ts";
import { ReloadQueue, type EngineOptions } from "./engine.ts";
import { Link } from "./rpc.ts";
import type { AnswerService, AskOptions, LoadReport, SourceSummary } from "./service.ts";
import type { Answer, AnswerResult } from "./types.ts";

/**
 * A worker owes replies and has sent nothing for this long: it is stuck, and is replaced. Measured from
 * its last message, not from each call, so that a long queue of questions is not mistaken for a stuck worker.
 */
export const STUCK_AFTER_MS = 10_000;
/** A worker that is not ready in this long (a build from the files included) is given up. */
const START_TIMEOUT_MS = 10 * 60_000;

interface Thread {
  worker: Worker;
  link: Link<WorkerMethods, ParentMethods>;
  role: "starting" | "serving" | "draining";
}

export class ThreadedEngine implements AnswerService {
  readonly dir: string;
  private report!: LoadReport;
  /** The worker calls go to; undefined while a dead or stuck one is being replaced. */
  private serving: Thread | undefined;
  private readonly threads = new Set<Thread>();
  private readonly logger: Logger;
  private readonly data: Omit<AnswerWorkerData, "inherit">;
  private readonly taught: EngineOptions["taught"];
  private readonly reloads: ReloadQueue;
  private closed = false;
  /** A replacement for a dead or stuck worker, starting; calls wait for it (each at most STUCK_AFTER_MS). */
  private reviving: Promise<void> | undefined;
  private readonly watchdog: NodeJS.Timeout;

  private constructor(dir: string, data: Omit<AnswerWorkerData, "inherit">, logger: Logger, taught: EngineOptions["taught"]) {
    this.dir = dir;
    this.data = data;
    this.taught = taught;
    this.logger = logger;
    this.reloads = new ReloadQueue(
      () => this.replace(),
      () => this.report,
      logger,
    );
    this.watchdog = setInterval(() => this.checkProgress(), 1000);
    // The watchdog must not keep a finished process alive.
    this.watchdog.unref();
  }

  /** Starts the worker and loads the folder there. Rejects (KnowledgeError) as AnswerEngine.open does. */
  static async open(dir: string, options: EngineOptions = {}): Promise<ThreadedEngine> {
    const { logger = silentLogger, inherit: _inherit, taught, ...rest } = options;
    const entry = new URL(import.meta.url.endsWith(".ts") ? "./answer-worker.ts" : "./answer-worker.js", import.meta.url).href;
    const engine = new ThreadedEngine(dir, { entry, dir, options: rest, taught: taught !== undefined }, logger, taught);
    try {
      const { thread, opened } = await engine.start(false, Infinity);
      engine.serve(thread, opened.lastLoad);
    } catch (error) {
      await engine.close();
      throw error;
    }
    return engine;
  }

  /** Starts a worker and waits until it has built or loaded its index (or found nothing changed). */
  private async start(inherit: boolean, timeoutMs: number): Promise<{ thread: Thread; opened: Awaited<ReturnType<WorkerMethods["open"]>> }> {
    const worker = new Worker(new URL("./worker-entry.mjs", import.meta.url), { workerData: { ...this.data, inherit } satisfies AnswerWorkerData });
    const link = new Link<WorkerMethods, ParentMethods>(
      worker,
      {
        log: (line) => relayLog(this.logger, line, "answer"),
        // Asked by a worker building a replacement; whichever worker serves when it asks answers.
        summary: () => this.call("summary"),
        detail: (request) => this.call("detail", request),
        taught: async () => (this.taught ? await this.taught() : []),
      },
      { KnowledgeError },
    );
    const thread: Thread = { worker, link, role: "starting" };
    this.threads.add(thread);
    worker.on("error", (error) => this.logger.error(`engine: the answer worker failed: ${error.message}`));
    worker.once("exit", (code) => this.exited(thread, code));
    let timer: NodeJS.Timeout | undefined;
    try {
      const late = new Promise<never>((_, reject) => {
        if (Number.isFinite(timeoutMs))
          timer = setTimeout(() => reject(new Error(`engine: the answer worker was not ready within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      });
      return { thread, opened: await Promise.race([link.call("open"), late]) };
    } catch (error) {
      void worker.terminate();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private serve(thread: Thread, report: LoadReport): void {
    thread.role = "serving";
    this.serving = thread;
    this.report = report;
  }

  /** The old worker answers what it was asked, then exits. */
  private retire(thread: Thread): void {
    thread.role = "draining";
    void thread.link.settled().then(() => thread.worker.terminate());
  }

  private exited(thread: Thread, code: number): void {
    this.threads.delete(thread);
    const lost =
      thread.role === "starting"
        ? `engine: the answer worker exited while starting (code ${code})`
        : `engine: the answer worker stopped (exit code ${code}); the question was not answered`;
    thread.link.close(new Error(lost));
    if (this.closed || thread !== this.serving) return;
    // Calls in flight are lost with the thread; later ones go to a new worker, loaded from the snapshot.
    this.serving = undefined;
    this.logger.error(`engine: the answer worker stopped (exit code ${code}); starting a new one`);
    this.revive().catch(() => undefined);
  }

  /** Replaces a serving worker that owes replies and has given none for STUCK_AFTER_MS; ends a draining one so. */
  private checkProgress(): void {
    if (this.closed) return;
    const now = performance.now();
    for (const thread of this.threads) {
      if (thread.role === "starting" || thread.link.silentFor(now) < STUCK_AFTER_MS) continue;
      this.logger.error(`engine: the answer worker has not replied for ${STUCK_AFTER_MS / 1000} s; replacing it`);
      if (thread === this.serving) {
        // From now on calls wait for the replacement instead of going to the stuck worker.
        this.serving = undefined;
        this.revive().catch(() => undefined);
      }
      thread.role = "draining";
      void thread.worker.terminate();
    }
  }

  /** Starts a replacement worker (one at a time); a failure is logged and the next call tries again. */
  private revive(): Promise<void> {
    this.reviving ??= this.start(false, START_TIMEOUT_MS)
      .then(
        ({ thread, opened }) => {
          if (this.closed) return void thread.worker.terminate();
          this.serve(thread, opened.lastLoad);
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
  private async whenServing(): Promise<Thread> {
    let timer: NodeJS.Timeout | undefined;
    const wait = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`engine: the answer worker is being replaced and was not ready within ${STUCK_AFTER_MS / 1000} s`)),
        STUCK_AFTER_MS,
      );
    });
    try {
      while (!this.serving) {
        if (this.closed) throw new Error("engine: Expected an open engine, got one that was closed");
        await Promise.race([this.revive(), wait]);
      }
      return this.serving;
    } finally {
      clearTimeout(timer);
    }
  }

  private async call<M extends Extract<keyof WorkerMethods, string>>(
    method: M,
    ...args: Parameters<WorkerMethods[M]>
  ): Promise<Awaited<ReturnType<WorkerMethods[M]>>> {
    if (this.closed) throw new Error("engine: Expected an open engine, got one that was closed");
    const thread = this.serving ?? (await this.whenServing());
    return thread.link.call(method, ...args);
  }

  /** One reload: a new worker builds against the serving one and, unless nothing changed, takes over from it. */
  private async replace(): Promise<LoadReport> {
    const { thread, opened } = await this.start(true, START_TIMEOUT_MS);
    if (this.closed) {
      void thread.worker.terminate();
      throw new Error("engine: closed during the reload");
    }
    if (opened.unchanged) {
      void thread.worker.terminate();
      this.report = { ...opened.lastLoad, source: this.report.source };
      return this.report;
    }
    const old = this.serving;
    this.serve(thread, opened.lastLoad);
    if (old) this.retire(old);
    return this.report;
  }

  get lastLoad(): LoadReport {
    return this.report;
  }

  ask(question: string, options: AskOptions = {}): Promise<Answer> {
    return this.call("ask", question, options);
  }

  passage(key: string, question = ""): Promise<AnswerResult | undefined> {
    return this.call("passage", key, question);
  }

  suggest(partial: string, limit = 25): Promise<string[]> {
    return this.call("suggest", partial, limit);
  }

  sources(): Promise<SourceSummary[]> {
    return this.call("sources");
  }

  /** A new worker builds while this one answers, and takes over once ready; see ReloadQueue for overlapping calls. */
  reload(): Promise<LoadReport> {
    return this.reloads.reload();
  }

  /** Stops every worker. Calls still in flight are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watchdog);
    await this.reviving?.catch(() => undefined);
    const stopped = new Error("engine: closed before the answer came");
    await Promise.all(
      [...this.threads].map((thread) => {
        thread.link.close(stopped);
        return thread.worker.terminate();
      }),
    );
  }
}
