/**
 * Worker thread body: owns a KnowledgeBuilder and builds on request, so that parsing, cleaning and
 * indexing a large knowledge folder happen off the bot's event loop. Replies with the index as JSON,
 * in slices (index-transfer.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import { postingLogger, type PostedLog } from "../log.ts";
import { KnowledgeBuilder, type BuilderOptions, type BuilderState } from "./builder.ts";
import { sliceIndex, type IndexSlice } from "./index-transfer.ts";

/** Build, or (after a slice) send the next slice of the built index. */
export type WorkerRequest = { id: number; useSnapshot: boolean } | { id: number; next: true };
export type WorkerReply =
  | { id: number; slice: IndexSlice }
  | { id: number; ok: true; summary: unknown }
  | { id: number; ok: false; name: string; message: string }
  | PostedLog;

const port = parentPort;
if (!port) throw new Error("build-worker: must run in a worker thread");
const post = (reply: WorkerReply) => port.postMessage(reply);
const logger = postingLogger(post);
const data = workerData as { options: BuilderOptions; state?: BuilderState };
const builder = new KnowledgeBuilder(data.options, logger);
// Without a snapshot to prime from, the engine hands over what its first build knew.
if (data.state) builder.importState(data.state);

/**
 * Slices still to send, per request. One slice goes per "next": messages that arrive together are
 * delivered in one turn of the receiving event loop, so the receiver paces them.
 */
const sending = new Map<number, { slices: Generator<IndexSlice>; summary: unknown }>();

function sendNext(id: number): void {
  const pending = sending.get(id);
  if (!pending) return;
  const next = pending.slices.next();
  if (next.done) {
    sending.delete(id);
    post({ id, ok: true, summary: pending.summary });
  } else post({ id, slice: next.value });
}

port.on("message", (request: WorkerRequest) => {
  if ("next" in request) return sendNext(request.id);
  // The first index was loaded by the engine's own thread; start from what it serves.
  builder
    .prime()
    .then(() => builder.buildJSON(request.useSnapshot))
    .then(
      ({ index, summary }) => {
        // Nothing changed: no index to send.
        if (!index) return post({ id: request.id, ok: true, summary });
        sending.set(request.id, { slices: sliceIndex(index), summary });
        sendNext(request.id);
      },
      (error: Error) => post({ id: request.id, ok: false, name: error.name, message: error.message }),
    );
});
