/**
 * Worker thread body for ThreadedEngine (threaded.ts): builds or loads its own index, then answers. A
 * reload is a new worker of this kind (see threaded.ts); one that replaces another (`inherit`) asks it,
 * through the parent, what it serves, so that broken files keep their served versions.
 * The messages are WorkerMethods and ParentMethods calls over one Link (rpc.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import { postingLogger, type PostedLog } from "../log.ts";
import type { Served } from "./builder.ts";
import { AnswerEngine, KnowledgeError, type EngineOptions } from "./engine.ts";
import { Link } from "./rpc.ts";
import type { LoadReport } from "./service.ts";
import type { TaughtAlias } from "./taught.ts";

type EngineMethod<K extends keyof AnswerEngine> = AnswerEngine[K] extends (...args: infer A) => infer R ? (...args: A) => R : never;

/** What the parent calls in an answering worker. */
export type WorkerMethods = {
  /** Builds or loads the index; `unchanged` when the files are those of the index being replaced (none is kept). */
  open(): Promise<{ lastLoad: LoadReport; unchanged: boolean }>;
  ask: EngineMethod<"ask">;
  passage: EngineMethod<"passage">;
  suggest: EngineMethod<"suggest">;
  sources: EngineMethod<"sources">;
  summary: Served["summary"];
  detail: Served["detail"];
};

/** What an answering worker calls in the parent. */
export type ParentMethods = {
  log(line: PostedLog): void;
  /** The served index, for a worker building its replacement: forwarded to the worker that serves it. */
  summary: Served["summary"];
  detail: Served["detail"];
  /** The taught phrases, which the parent reads from wherever they are kept. */
  taught(): Promise<readonly TaughtAlias[]>;
};

/** What the parent passes at start: EngineOptions without the logger, which cannot cross threads. */
export interface AnswerWorkerData {
  entry: string;
  dir: string;
  options: Omit<EngineOptions, "logger" | "inherit" | "taught">;
  /** This worker replaces a serving one: build against what it serves. */
  inherit: boolean;
  /** The parent has taught phrases to give (a function cannot cross threads, so the worker asks for them). */
  taught: boolean;
}

/** A misspelt word and a partly typed one: the question takes every path of `ask`. */
const WARM_UP = "how do I configur the knowlege";

const port = parentPort;
if (!port) throw new Error("answer-worker: must run in a worker thread");
const { dir, options, inherit, taught } = workerData as AnswerWorkerData;
let engine: AnswerEngine | undefined;

function opened(): AnswerEngine {
  if (!engine) throw new Error("answer-worker: Expected an opened engine, got a call before open()");
  return engine;
}

const link: Link<ParentMethods, WorkerMethods> = new Link<ParentMethods, WorkerMethods>(
  port,
  {
    async open() {
      const logger = postingLogger((line) => link.notify("log", line));
      const served: Served = { summary: () => link.call("summary"), detail: (request) => link.call("detail", request) };
      const built = await AnswerEngine.build(dir, {
        ...options,
        logger,
        ...(inherit ? { inherit: served } : {}),
        ...(taught ? { taught: () => link.call("taught") } : {}),
      });
      if ("unchanged" in built) return { lastLoad: built.unchanged, unchanged: true };
      engine = built.engine;
      // Before taking over from a serving worker: the first question pays for the look-up trees the index
      // builds on first use (spelling correction, prefixes) and for unoptimised code; let no user's pay it.
      engine.ask(WARM_UP);
      return { lastLoad: engine.lastLoad, unchanged: false };
    },
    ask: (question, askOptions) => opened().ask(question, askOptions),
    passage: (key, question) => opened().passage(key, question),
    suggest: (partial, limit) => opened().suggest(partial, limit),
    sources: () => opened().sources(),
    summary: () => opened().served.summary(),
    detail: (request) => opened().served.detail(request),
  },
  { KnowledgeError },
);
