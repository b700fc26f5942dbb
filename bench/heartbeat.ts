/**
 * Event-loop responsiveness during a rebuild: a 10 ms interval timer stands in for the Discord heartbeat
 * and for other interactions; the longest gap between two of its ticks is how long the bot could not
 * have answered anything.
 */
import { appendFileSync } from "node:fs";
import type { AnswerService } from "../src/answer/service.ts";

export interface GapResult {
  /** Longest time between two ticks of a 10 ms timer (10 ms means no delay at all). */
  maxGapMs: number;
  ticks: number;
  /** Wall time of the operation. */
  durationMs: number;
  /** The engine's own build time (LoadReport.durationMs). */
  buildMs: number;
  source: string | undefined;
}

/** Measures the longest event-loop stall while `work` runs. */
export async function withTicker<T>(work: () => Promise<T>, intervalMs = 10): Promise<{ value: T; maxGapMs: number; ticks: number; durationMs: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks++;
  }, intervalMs);
  const start = performance.now();
  try {
    const value = await work();
    const end = performance.now();
    maxGapMs = Math.max(maxGapMs, end - last);
    return { value, maxGapMs, ticks, durationMs: end - start };
  } finally {
    clearInterval(timer);
  }
}

/** Changes one knowledge file (so that the content hash differs and a snapshot cannot be reused), then reloads under the ticker. */
export async function rebuildGap(engine: AnswerService, touchFile: string): Promise<GapResult> {
  appendFileSync(touchFile, "\n");
  const { value, maxGapMs, ticks, durationMs } = await withTicker(() => engine.reload());
  if (value.source !== "files") throw new Error(`bench: expected the reload to rebuild from the files, it came from the ${value.source}`);
  return { maxGapMs, ticks, durationMs, buildMs: value.durationMs, source: value.source };
}

export interface AnswerDelays {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** What bench/threaded-rebuild.ts prints. */
export interface ThreadedRebuild {
  snapshotLoad: { maxGapMs: number; durationMs: number };
  rebuild: GapResult;
  answers: AnswerDelays;
}

/**
 * Asks `question` over and over, one at a time and 10 ms apart, until `until` settles: the round trip of
 * each, as a caller (the Discord thread) sees it while the engine is busy with something else.
 */
export async function answerDelays(engine: AnswerService, question: string, until: Promise<unknown>, intervalMs = 10): Promise<AnswerDelays> {
  let done = false;
  void until.finally(() => (done = true)).catch(() => undefined);
  const delays: number[] = [];
  while (!done) {
    const sent = performance.now();
    await engine.ask(question);
    delays.push(performance.now() - sent);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  delays.sort((a, b) => a - b);
  const at = (p: number) => delays[Math.min(delays.length - 1, Math.floor(delays.length * p))] ?? NaN;
  return { count: delays.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: delays[delays.length - 1] ?? NaN };
}
