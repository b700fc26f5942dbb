/**
 * Worker thread body for ThreadedEngine (threaded.ts): owns an AnswerEngine and answers calls posted by
 * the bot's thread, so that answering and rebuilding never take turns with the Discord connection.
 * Messages: see AnswerWorkerRequest / AnswerWorkerReply.
 */
import { parentPort, workerData } from "node:worker_threads";
import { postingLogger, type PostedLog } from "../log.ts";
import { AnswerEngine, type EngineOptions, type LoadReport } from "./engine.ts";

/** The engine methods a ThreadedEngine forwards. */
export type ForwardedMethod = "ask" | "passage" | "suggest" | "sources" | "reload";

export type AnswerWorkerRequest = { id: number; method: ForwardedMethod; args: unknown[] };
export type AnswerWorkerReply =
  | { ready: true; lastLoad: LoadReport }
  | { ready: false; name: string; message: string }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; name: string; message: string }
  | PostedLog;

/** What the bot's thread passes at start: EngineOptions without the logger, which cannot cross threads. */
export interface AnswerWorkerData {
  entry: string;
  dir: string;
  options: Omit<EngineOptions, "logger" | "worker">;
}

const port = parentPort;
if (!port) throw new Error("answer-worker: must run in a worker thread");
const post = (reply: AnswerWorkerReply) => port.postMessage(reply);
const logger = postingLogger(post);
const { dir, options } = workerData as AnswerWorkerData;

// Rebuilds go to a build worker of this thread's own, so questions are answered during them.
const engine = await AnswerEngine.open(dir, { ...options, logger, worker: true }).catch((error: Error) => {
  // Reported to the opener, which rejects; with nothing listening, this thread then ends.
  post({ ready: false, name: error.name, message: error.message });
  return undefined;
});
if (engine) {
  post({ ready: true, lastLoad: engine.lastLoad });
  port.on("message", (request: AnswerWorkerRequest) => {
    const { id, method, args } = request;
    const call = async (): Promise<unknown> => {
      switch (method) {
        case "ask":
          return engine.ask(...(args as Parameters<AnswerEngine["ask"]>));
        case "passage":
          return engine.passage(...(args as Parameters<AnswerEngine["passage"]>));
        case "suggest":
          return engine.suggest(...(args as Parameters<AnswerEngine["suggest"]>));
        case "sources":
          return engine.sources();
        case "reload":
          return engine.reload();
      }
    };
    call().then(
      // The load report changes only by a reload, whose reply is that report.
      (value) => post({ id, ok: true, value }),
      (error: Error) => post({ id, ok: false, name: error.name, message: error.message }),
    );
  });
}
