/**
 * Event-loop responsiveness during a rebuild: a 10 ms interval timer stands in for the Discord heartbeat
 * and for other interactions; the longest gap between two of its ticks is how long the bot could not
 * have answered anything.
 */
import { appendFileSync } from "node:fs";
import type { AnswerService } from "../src/answer/threaded.ts";

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
