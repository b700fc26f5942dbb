/**
 * Memory and CPU per shard for `npm run start:sharded`:
 *   npx tsx bench/shards.ts [--shards N] [--guilds N] [--questions N] [--per-process N] [--launcher PATH] [KNOWLEDGE_DIR …]
 * --per-process sets SHARDS_PER_PROCESS (default: the bot's, 16, so up to 16 shards run in the launcher's own
 * process); --launcher runs another checkout's launcher (its src/discord/sharded.ts or src/cli/sharded.ts),
 * for a before/after comparison in one run.
 * For each knowledge folder (default: ./knowledge and the Rust book under ../shared/corpora), starts the real
 * sharded bot (src/cli/sharded.ts, a child process) against the loopback Discord test server with N shards
 * recommended (default 2) and max_concurrency N, with a fresh index cache, and `--guilds` test guilds spread
 * over the shards (default one per shard; each a light guild: one channel, one thread, two roles, one member). Once every shard is connected it
 * reads each process's resident memory (VmRSS, and the peak VmHWM) from /proc, then sends `--questions` /ask
 * interactions (default 200) to every shard at once — one at a time per shard — and reports the answer round
 * trip (INTERACTION_CREATE sent → callback received) and each shard's CPU time per answer (utime+stime from
 * /proc/PID/stat). Linux only (it reads /proc). Prints a table per folder and one JSON line per folder on stdout.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DiscordTestServer } from "../test/support/discord-server.ts";
import { ROOT, RUST_DIR } from "./corpora.ts";

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ; `getconf CLK_TCK` is 100 on every mainstream Linux.

const SEED_QUESTIONS = [
  "who chairs the SCO in 2023 to 2024?",
  "what is the Astana Declaration?",
  "how many activities were held during the presidency?",
  "what is the highest decision-making body of the SCO?",
  "where is the summit held?",
];

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at === -1) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} takes a whole number, got ${process.argv[at + 1]}`);
  process.argv.splice(at, 2);
  return value;
}

function status(pid: number): { rssMb: number; peakMb: number } {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN);
  return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
}

function cpuMs(pid: number): number {
  // Fields after the command name (which is in parentheses and may hold spaces): utime is 14th, stime 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function questionsFor(dir: string): string[] {
  if (path.resolve(dir) === path.resolve(RUST_DIR)) {
    const file = JSON.parse(readFileSync(path.join(ROOT, "bench", "questions.rust-book.extra.json"), "utf8")) as { questions: { q: string }[] };
    return file.questions.map((question) => question.q);
  }
  return SEED_QUESTIONS;
}

const round = (n: number) => Math.round(n * 10) / 10;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

const launcherArg = (() => {
  const at = process.argv.indexOf("--launcher");
  if (at === -1) return undefined;
  const value = process.argv[at + 1];
  process.argv.splice(at, 2);
  return value;
})();

async function measure(dir: string, shards: number, guilds: number, perShard: number, perProcess: number | undefined) {
  const server = await DiscordTestServer.start({ recommendedShards: shards, maxConcurrency: shards, guilds });
  const cache = await mkdtemp(path.join(os.tmpdir(), "bench-shards-"));
  const started = performance.now();
  const launcher = path.resolve(launcherArg ?? path.join(ROOT, "src", "discord", "sharded.ts"));
  const child = spawn(process.execPath, ["--import", "tsx", launcher], {
    cwd: path.resolve(path.dirname(launcher), "..", ".."),
    env: {
      ...process.env,
      DISCORD_TOKEN: server.token,
      DISCORD_API_URL: server.apiUrl,
      DISCORD_GUILD_ID: "",
      KNOWLEDGE_DIR: dir,
      INDEX_CACHE_DIR: cache,
      WATCH_KNOWLEDGE: "false",
      RATE_LIMIT_QUESTIONS: "0",
      LOG_LEVEL: "info",
      SHARDS: "",
      SHARD_LIST: "",
      ...(perProcess ? { SHARDS_PER_PROCESS: String(perProcess) } : {}),
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stderr.on("data", (chunk: Buffer) => {
        log += chunk.toString();
        // Shard processes: the manager says so; shards in the launcher's own process: the bot logs in.
        if (log.includes(`shards: all ${shards} connected`) || (/shards: running .* in this process/.test(log) && log.includes("discord: logged in as")))
          resolve();
      });
      child.on("exit", () => reject(new Error(`start:sharded exited early:\n${log}`)));
    });
    const connectedMs = performance.now() - started;
    const parentPid = child.pid!;
    // Each shard's process: a child of the manager (this code: a process per group; before: per shard), or the launcher itself.
    const spawned = [...log.matchAll(/shards: (?:shard (\d+)|process (\d+) \(shards? ([\d,-]+)\)) started pid=(\d+)/g)];
    const groups = spawned.map((match) => ({ shards: match[1] !== undefined ? [Number(match[1])] : expand(match[3] ?? ""), pid: Number(match[4]) }));
    const inProcess = groups.length === 0;
    const byShard = new Map<number, number>(
      inProcess ? Array.from({ length: shards }, (_, i) => [i, parentPid]) : groups.flatMap((g) => g.shards.map((id) => [id, g.pid] as [number, number])),
    );
    const processes = [...new Set(byShard.values())];
    const idle = {
      parent: status(parentPid),
      processes: processes.map((pid) => ({ pid, shards: [...byShard].filter(([, p]) => p === pid).map(([id]) => id), ...status(pid) })),
    };

    const questions = questionsFor(dir);
    const cpuBefore = new Map(processes.map((pid) => [pid, cpuMs(pid)]));
    const latencies: number[] = [];
    await Promise.all(
      [...byShard.keys()].map(async (shard) => {
        const where = server.channel(
          "text",
          server.guilds.findIndex((guild) => server.shardOf(guild.id) === shard),
        );
        for (let i = 0; i < perShard; i++) {
          const sent = performance.now();
          const { response } = server.command("ask", { question: questions[(i + shard) % questions.length] ?? "" }, { where });
          const request = await response;
          if ((request.body as { type?: number }).type !== 4) throw new Error(`shard ${shard}: callback type ${(request.body as { type?: number }).type}`);
          latencies.push(performance.now() - sent);
        }
      }),
    );
    const busy = {
      parent: status(parentPid),
      processes: idle.processes.map((p) => ({
        ...p,
        ...status(p.pid),
        cpuMsPerAnswer: (cpuMs(p.pid) - (cpuBefore.get(p.pid) ?? 0)) / (perShard * p.shards.length),
      })),
    };
    // Memory per shard: every process that serves shards (the manager too when it serves none, since it
    // exists only for them), divided by the shards.
    const total = (which: typeof idle) => which.processes.reduce((n, p) => n + p.rssMb, 0) + (inProcess ? 0 : which.parent.rssMb);
    latencies.sort((a, b) => a - b);
    const load = /knowledge: [^\n]*?: (\d+) documents, (\d+) passages in (\d+) ms/.exec(log);
    return {
      knowledge: path.relative(ROOT, dir) || ".",
      documents: Number(load?.[1]),
      passages: Number(load?.[2]),
      parentBuildMs: Number(load?.[3]),
      shards,
      guilds,
      connectedMs: Math.round(connectedMs),
      inProcess,
      idle,
      busy,
      perShardIdleMb: round(total(idle) / shards),
      perShardBusyMb: round(total(busy) / shards),
      answers: latencies.length,
      roundTripP50Ms: round(percentile(latencies, 0.5)),
      roundTripP99Ms: round(percentile(latencies, 0.99)),
      violations: server.violations.length,
    };
  } finally {
    child.kill("SIGTERM");
    const code = await exited;
    if (code !== 0) process.stderr.write(`bench/shards.ts: start:sharded exited with ${code}\n${log}\n`);
    await server.close();
    await rm(cache, { recursive: true, force: true });
  }
}

function expand(list: string): number[] {
  return list.split(",").flatMap((part) => {
    const [from, to] = part.split("-").map(Number);
    return to === undefined ? [from ?? NaN] : Array.from({ length: to - (from ?? 0) + 1 }, (_, i) => (from ?? 0) + i);
  });
}

const perProcessArg = process.argv.includes("--per-process") ? option("--per-process", 16) : undefined;
const shards = option("--shards", 2);
const guilds = option("--guilds", shards);
const perShard = option("--questions", 200);
const dirs = process.argv.slice(2).length ? process.argv.slice(2) : [path.join(ROOT, "knowledge"), ...(existsSync(RUST_DIR) ? [RUST_DIR] : [])];
for (const dir of dirs) {
  const result = await measure(path.resolve(dir), shards, guilds, perShard, perProcessArg);
  const mb = (n: number) => `${Math.round(n)} MB`;
  process.stderr.write(
    `\n${result.knowledge}: ${result.documents} documents, ${result.passages} passages; ${shards} shards, ${guilds} guilds; connected ${result.connectedMs} ms after start (parent built the index in ${result.parentBuildMs} ms)\n` +
      (result.inProcess
        ? "  all shards in the launcher's process\n"
        : `  manager process: ${mb(result.idle.parent.rssMb)} RSS (peak ${mb(result.idle.parent.peakMb)})\n`) +
      result.busy.processes
        .map(
          (p, i) =>
            `  process of shard(s) ${p.shards.join(",")}: ${mb(result.idle.processes[i]?.rssMb ?? NaN)} RSS when connected, ${mb(p.rssMb)} after ${perShard} answers per shard (peak ${mb(p.peakMb)}); ${round(p.cpuMsPerAnswer)} ms CPU per answer`,
        )
        .join("\n") +
      `\n  per shard, all processes counted: ${mb(result.perShardIdleMb)} connected, ${mb(result.perShardBusyMb)} after the answers` +
      `\n  /ask round trip over loopback: p50 ${result.roundTripP50Ms} ms, p99 ${result.roundTripP99Ms} ms (${result.answers} answers)\n`,
  );
  process.stdout.write(JSON.stringify(result) + "\n");
}
