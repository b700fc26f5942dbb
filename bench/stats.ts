/** Small timing and statistics helpers for the benchmark. */

/** The q-quantile (0…1) of a sample, by the nearest-rank method; NaN for an empty sample. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);
export const p99 = (values: readonly number[]): number => quantile(values, 0.99);

/** Runs a full garbage collection when the process was started with --expose-gc (twice: weak maps and finalisers settle). */
export function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

export const hasGc = (): boolean => typeof (globalThis as { gc?: unknown }).gc === "function";

/** Megabytes with one decimal. */
export const mb = (bytes: number): number => Math.round(bytes / 1e5) / 10;

/** Rounds for the JSON file: 3 significant decimals below 10, fewer above. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Times every question `reps` times after `warmup` untimed passes, each call on its own. Returns the samples
 * per question (`[question][repetition]`), so that p50 and p99 are over single calls and can be taken
 * over any group of questions.
 */
export function timeEach<Q>(questions: readonly Q[], fn: (q: Q) => unknown, reps: number, warmup = 2): number[][] {
  for (let w = 0; w < warmup; w++) for (const q of questions) fn(q);
  const samples: number[][] = questions.map(() => []);
  for (let r = 0; r < reps; r++) {
    questions.forEach((q, i) => {
      const start = performance.now();
      fn(q);
      samples[i]?.push(performance.now() - start);
    });
  }
  return samples;
}

/** A number as the bench tables print it: thousands separated, about three significant digits. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return "n/a";
  if (Number.isInteger(n)) return n.toLocaleString("en-US");
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString("en-US");
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  return n.toFixed(3);
}

/** A plain-text table: numbers right-aligned, text left-aligned. */
export function table(title: string, headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === "number" ? fmt(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const numeric = headers.map((_, i) => rows.every((r) => typeof r[i] === "number" || /^[\d.,%×/ <>≤-]+$|^n\/a$/.test(String(r[i]))));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [`\n${title}`, line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}
