/**
 * Before/after in one run: this checkout's answering worker against another checkout's (for example a
 * `git worktree` of main, with node_modules linked), taking turns so that both see the same machine load.
 *   npx tsx bench/compare.ts OTHER_CHECKOUT [--runs N] [--copies N] [--interactions N]
 * Per run and side: the Discord burst (bench/discord-run.ts of each checkout: the real bot against the
 * loopback test server, bursts of 50 after a warm-up) and a rebuild of the Rust book copied --copies times
 * (bench/threaded-rebuild.ts with each side's ThreadedEngine: the longest stall of the bot's thread and the
 * longest answer round trip during the rebuild). Prints the medians per side and every run, and the load
 * average before and after (others may be using the machine); writes one JSON line to stdout.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { rustSets, Replicas, ROOT, RUST_DIR } from "./corpora.ts";
import type { DiscordResult } from "./discord.ts";
import type { ThreadedRebuild } from "./heartbeat.ts";
import { median } from "./stats.ts";

const run = promisify(execFile);

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at === -1) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`bench/compare.ts: ${name} takes a whole number, got ${process.argv[at + 1]}`);
  process.argv.splice(at, 2);
  return value;
}

const runs = option("--runs", 3);
const copies = option("--copies", 50);
const interactions = option("--interactions", 1000);
const other = process.argv[2] ? path.resolve(process.argv[2]) : undefined;
if (!other || !existsSync(path.join(other, "src", "answer", "threaded.ts"))) {
  process.stderr.write("usage: npx tsx bench/compare.ts OTHER_CHECKOUT [--runs N] [--copies N] [--interactions N]\n");
  process.exit(2);
}

async function child<T>(cwd: string, script: string, args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", script, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split("\n").pop() ?? "") as T;
}

const log = (line: string) => process.stderr.write(`[compare] ${line}\n`);
const load = () => os.loadavg().map((n) => Math.round(n * 10) / 10);

const sides = [
  { name: "this checkout", root: ROOT },
  { name: path.basename(other), root: other },
];
const replicas = new Replicas();
const scratch = path.join(replicas.root, "scratch");
mkdirSync(scratch, { recursive: true });
try {
  const questionsFile = path.join(scratch, "questions.json");
  writeFileSync(questionsFile, JSON.stringify(rustSets().flatMap((set) => set.questions.map((q) => q.q))));
  const big = replicas.make(copies);
  const touch = path.join(big.dir, "copy-00", "ch01-01-installation.md");
  const results = sides.map(() => ({
    burstP99Ms: [] as number[],
    burstP50Ms: [] as number[],
    failures: 0,
    threadStallMs: [] as number[],
    longestAnswerMs: [] as number[],
    rebuildMs: [] as number[],
  }));
  const loadBefore = load();
  for (let i = 0; i < runs; i++) {
    // Take turns, so that neither side gets the quieter minutes.
    for (const [s, side] of i % 2 ? [...sides.entries()].reverse() : [...sides.entries()]) {
      const snapshot = path.join(scratch, `rust-${s}.json`);
      log(`run ${i + 1}/${runs}, ${side.name}: Discord bursts (load ${load().join(" ")})`);
      const discord = await child<DiscordResult>(side.root, path.join("bench", "discord-run.ts"), [
        RUST_DIR,
        snapshot,
        questionsFile,
        "threaded",
        String(interactions),
        "50",
        "20",
        String(interactions),
      ]);
      const r = results[s]!;
      r.burstP99Ms.push(discord.p99Ms);
      r.burstP50Ms.push(discord.p50Ms);
      r.failures += discord.failures;
      log(`run ${i + 1}/${runs}, ${side.name}: rebuild of ${big.name} (load ${load().join(" ")})`);
      // Each side opens from its own snapshot (their keys differ), made by its first run.
      const rebuild = await child<ThreadedRebuild>(ROOT, path.join("bench", "threaded-rebuild.ts"), [
        big.dir,
        path.join(scratch, `big-${s}.json`),
        touch,
        path.join(side.root, "src", "answer", "threaded.ts"),
      ]);
      r.threadStallMs.push(rebuild.rebuild.maxGapMs);
      r.longestAnswerMs.push(rebuild.answers.maxMs);
      r.rebuildMs.push(rebuild.rebuild.durationMs);
    }
  }
  const loadAfter = load();
  const summary = sides.map((side, s) => {
    const r = results[s]!;
    return {
      side: side.name,
      root: side.root,
      burstP99MedianMs: median(r.burstP99Ms),
      burstP50MedianMs: median(r.burstP50Ms),
      failures: r.failures,
      discordThreadStallMedianMs: median(r.threadStallMs),
      longestAnswerDuringRebuildMedianMs: median(r.longestAnswerMs),
      rebuildMedianMs: median(r.rebuildMs),
      runs: r,
    };
  });
  const round = (n: number) => Math.round(n * 10) / 10;
  for (const s of summary) {
    process.stderr.write(
      `\n${s.side} (${s.root}):\n` +
        `  Discord, ${interactions} /ask in bursts of 50: p99 median ${round(s.burstP99MedianMs)} ms (runs: ${s.runs.burstP99Ms.map(round).join(", ")}), p50 median ${round(s.burstP50MedianMs)} ms, ${s.failures} failures\n` +
        `  ${big.name} rebuild: Discord thread's longest stall, median ${round(s.discordThreadStallMedianMs)} ms (runs: ${s.runs.threadStallMs.map(round).join(", ")}); ` +
        `longest answer round trip, median ${round(s.longestAnswerDuringRebuildMedianMs)} ms (runs: ${s.runs.longestAnswerMs.map(round).join(", ")}); reload ${round(s.rebuildMedianMs)} ms\n`,
    );
  }
  process.stderr.write(`\nload average (1, 5, 15 min) before: ${loadBefore.join(", ")}; after: ${loadAfter.join(", ")}; ${os.cpus().length} cores\n`);
  process.stdout.write(`${JSON.stringify({ runs, copies, interactions, loadBefore, loadAfter, cores: os.cpus().length, summary })}\n`);
} finally {
  rmSync(replicas.root, { recursive: true, force: true });
}
