/**
 * Worker thread body: owns a KnowledgeBuilder and builds on request, so that parsing, cleaning and
 * indexing a large knowledge folder happen off the bot's event loop. Replies with the index as JSON,
 * in slices (index-transfer.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Logger } from "../log.ts";
import { KnowledgeBuilder, type BuilderOptions } from "./builder.ts";
import { sliceIndex, type IndexSlice } from "./index-transfer.ts";

export type WorkerRequest = { id: number; useSnapshot: boolean };
export type WorkerReply =
  | { id: number; slice: IndexSlice }
  | { id: number; ok: true; summary: unknown }
  | { id: number; ok: false; name: string; message: string }
  | { log: "debug" | "info" | "warn" | "error"; message: string };

const port = parentPort;
if (!port) throw new Error("build-worker: must run in a worker thread");
const post = (reply: WorkerReply) => port.postMessage(reply);
const logger: Logger = {
  debug: (message) => post({ log: "debug", message }),
  info: (message) => post({ log: "info", message }),
  warn: (message) => post({ log: "warn", message }),
  error: (message) => post({ log: "error", message }),
};
const builder = new KnowledgeBuilder((workerData as { options: BuilderOptions }).options, logger);

port.on("message", (request: WorkerRequest) => {
  // The first index was loaded by the engine's own thread; start from what it serves.
  builder
    .prime()
    .then(() => builder.buildJSON(request.useSnapshot))
    .then(
      ({ index, summary }) => {
        for (const slice of sliceIndex(index)) post({ id: request.id, slice });
        post({ id: request.id, ok: true, summary });
      },
      (error: Error) => post({ id: request.id, ok: false, name: error.name, message: error.message }),
    );
});
