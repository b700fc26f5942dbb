/**
 * Sharding. One process runs up to SHARDS_PER_PROCESS shards itself (discord.js internal sharding: one
 * Client, one engine, one index for all of them); `npm run start:sharded` spreads more over processes with
 * discord.js's ShardingManager, each process the normal bot entry (`main.ts`) running a group of shards.
 * discord.js passes SHARDING_MANAGER, SHARDS and SHARD_COUNT to each process; here SHARDS is the group's
 * shard ids (a JSON list) and SHARD_COUNT the total, and config.ts reads them so the process knows its shards.
 *
 * The shard count and the identify concurrency come from GET /gateway/bot through DISCORD_API_URL (discord.js's
 * own "auto" always asks discord.com, which a REST proxy or the test server would never see). Shards start in
 * groups of `max_concurrency`, 5.5 s apart, because Discord allows one IDENTIFY per 5 s per concurrency bucket
 * and each process has its own client, so nothing else spaces them out.
 */
import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { DiscordAPIError, REST, Routes, ShardingManager, type ClientOptions, type RESTGetAPIGatewayBotResult, type Shard } from "discord.js";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";

/** Exit code for a usage or knowledge-folder problem (as in startup.ts): respawning cannot fix it. */
const EXIT_USAGE = 2;
/** Discord: one IDENTIFY per 5 s per bucket; discord.js's ShardingManager waits 5.5 s between shards. */
const IDENTIFY_INTERVAL_MS = 5_500;

export class ShardStartError extends Error {
  override name = "ShardStartError";
  /** The exit code the parent should use: a shard's EXIT_USAGE passes through, anything else is 1. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/**
 * The Client's shards for this process, always explicit: left unset, discord.js reads SHARDS from the
 * environment, where this bot's own SHARDS setting ("auto", a total) would mean something else.
 * A process of `start:sharded` runs its group; otherwise SHARDS=auto is Discord's recommended count, all
 * in this process, and a number (with SHARD_LIST) the shards this host runs.
 */
export function clientSharding(config: Pick<Config, "shards" | "shardList" | "shardProcess">): Pick<ClientOptions, "shards" | "shardCount"> {
  if (config.shardProcess) return { shards: config.shardProcess.ids, shardCount: config.shardProcess.count };
  if (config.shards === "auto") return { shards: "auto" };
  return { shards: config.shardList ?? Array.from({ length: config.shards }, (_, i) => i), shardCount: config.shards };
}

/** This host's shards in groups of at most `perProcess`, one group per process. */
export function shardGroups(ids: readonly number[], perProcess: number): number[][] {
  const groups: number[][] = [];
  for (let i = 0; i < ids.length; i += perProcess) groups.push(ids.slice(i, i + perProcess));
  return groups;
}

/** "3" or "0-15" or "0,2,5": a group of shard ids in a log line. */
export function describeShards(ids: readonly number[]): string {
  const first = ids[0];
  const last = ids[ids.length - 1];
  if (first === undefined || last === undefined) return "none";
  if (ids.length === 1) return String(first);
  return last - first === ids.length - 1 ? `${first}-${last}` : ids.join(",");
}

export interface ShardPlan {
  /** Shards in total, over every host. */
  total: number;
  /** The shards this host runs. */
  ids: number[];
  /** Discord's recommended count for the bot's current guilds. */
  recommended: number;
  /** How many shards may IDENTIFY at once (`session_start_limit.max_concurrency`). */
  maxConcurrency: number;
  /** Session starts left in Discord's daily budget. */
  remainingStarts: number;
}

/** Asks Discord (through DISCORD_API_URL) for the recommended shard count and the identify limits. */
export async function planShards(config: Pick<Config, "discordToken" | "discordApiUrl" | "shards" | "shardList">): Promise<ShardPlan> {
  if (!config.discordToken) throw new ShardStartError("start:sharded: DISCORD_TOKEN is not set", EXIT_USAGE);
  const rest = new REST({ api: config.discordApiUrl, retries: 1, timeout: 15_000 }).setToken(config.discordToken);
  let info: RESTGetAPIGatewayBotResult;
  try {
    info = (await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
  } catch (error) {
    if (error instanceof DiscordAPIError && error.status === 401) {
      throw new ShardStartError(
        `start:sharded: Discord refused DISCORD_TOKEN (401 from ${config.discordApiUrl}); reset the token and put the new one in .env`,
        EXIT_USAGE,
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new ShardStartError(`start:sharded: could not ask ${config.discordApiUrl} for the shard count (GET /gateway/bot): ${reason}`);
  }
  const total = config.shards === "auto" ? Math.max(1, info.shards) : config.shards;
  return {
    total,
    ids: config.shardList ?? Array.from({ length: total }, (_, i) => i),
    recommended: info.shards,
    maxConcurrency: Math.max(1, info.session_start_limit.max_concurrency),
    remainingStarts: info.session_start_limit.remaining,
  };
}

export interface ShardFleetOptions {
  config: Pick<Config, "discordToken">;
  logger: Logger;
  plan: ShardPlan;
  /** Most shards per process (SHARDS_PER_PROCESS). */
  perProcess: number;
  /** The script each process runs; default the bot entry, main.ts (main.js when compiled). */
  entry?: string;
  /** How long one process may take to load the index and connect its shards before start-up counts as failed. */
  readyTimeoutMs?: number;
  /** Wait before respawning a shard that died; doubles while it keeps dying (at most 5 minutes). */
  respawnDelayMs?: number;
}

export interface ShardFleet {
  manager: ShardingManager;
  /** The shard ids of each process, by process number (the manager's "shard" id). */
  groups: number[][];
  /** Process ids of the shard processes alive now, by process number. */
  pids(): Map<number, number>;
  /**
   * Resolves once every shard this host runs is connected. Rejects with a ShardStartError when a process exits
   * or times out before it first connects (a problem respawning would only repeat): stop() the rest then.
   */
  ready: Promise<void>;
  /**
   * Sends `signal` to every shard process (each stops its bot and exits) and resolves once all are gone;
   * `false` when some had to be killed after `graceMs`. No shard is respawned after this.
   */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<boolean>;
}

function defaultEntry(): string {
  return fileURLToPath(new URL(import.meta.url.endsWith(".ts") ? "../main.ts" : "../main.js", import.meta.url));
}

function describeExit(child: ChildProcess | null | undefined): Record<string, unknown> {
  return { code: child?.exitCode ?? undefined, signal: child?.signalCode ?? undefined };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * Spawns this host's shards in processes of at most `perProcess` shards, one process after another (each
 * identifies its own shards, spaced by discord.js), and respawns any process that dies after it was ready.
 * The manager's "shards" are these processes; each one's environment names its group of real shard ids.
 */
export function startShards(options: ShardFleetOptions): ShardFleet {
  const { plan, logger } = options;
  const entry = options.entry ?? defaultEntry();
  const groups = shardGroups(plan.ids, options.perProcess);
  // A process identifies its shards one bucket at a time, 5 s apart: a larger group takes longer.
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000 + (Math.max(...groups.map((g) => g.length)) / plan.maxConcurrency) * IDENTIFY_INTERVAL_MS;
  const respawnDelayMs = options.respawnDelayMs ?? 5_000;
  const manager = new ShardingManager(entry, {
    totalShards: groups.length,
    shardList: groups.map((_, i) => i),
    mode: "process",
    // Respawning is decided here: a shard that never came up (bad setting, bad folder) must not loop.
    respawn: false,
    // The TypeScript entry needs tsx in each child, resolved from here so any working directory works.
    execArgv: entry.endsWith(".ts") ? ["--import", import.meta.resolve("tsx")] : [],
    token: options.config.discordToken,
  });

  let stopping = false;
  const abort = new AbortController();
  const respawnTimers = new Set<NodeJS.Timeout>();
  const health = new Map<number, { everReady: boolean; readyAt: number; failures: number; exit: Record<string, unknown> }>();

  const watch = (shard: Shard) => {
    const state = { everReady: false, readyAt: 0, failures: 0, exit: {} as Record<string, unknown> };
    health.set(shard.id, state);
    const tag = `shards: process ${shard.id} (shard${groups[shard.id]?.length === 1 ? "" : "s"} ${describeShards(groups[shard.id] ?? [])})`;
    shard.on("spawn", (child) => logger.info(`${tag} started`, { pid: (child as ChildProcess).pid }));
    shard.on("ready", () => {
      state.everReady = true;
      state.readyAt = Date.now();
      logger.info(`${tag} ready`, { pid: shard.process?.pid });
    });
    shard.on("disconnect", () => stopping || logger.warn(`${tag} lost its gateway connection`));
    shard.on("death", (child) => {
      state.exit = describeExit(child as ChildProcess);
      if (stopping) return logger.info(`${tag} stopped`, state.exit);
      // A shard that never connected fails start-up (see spawnAll); one that ran is respawned, backing off.
      if (!state.everReady) return logger.error(`${tag} exited before it connected`, state.exit);
      if (Date.now() - state.readyAt > 300_000) state.failures = 0;
      const delay = Math.min(300_000, respawnDelayMs * 2 ** state.failures);
      state.failures += 1;
      logger.error(`${tag} died; respawning in ${Math.round(delay / 1000)} s`, state.exit);
      const timer = setTimeout(() => {
        respawnTimers.delete(timer);
        if (stopping) return;
        shard.spawn(readyTimeoutMs).catch((error: unknown) => stopping || logger.warn(`${tag} has not connected again yet`, { error }));
      }, delay);
      respawnTimers.add(timer);
    });
  };

  const spawnOne = async (id: number) => {
    const shard = manager.createShard(id);
    // discord.js sets SHARDS to the manager's id for the process; its Client reads the real shard ids instead.
    const env = shard.env as NodeJS.ProcessEnv;
    env.SHARDS = JSON.stringify(groups[id] ?? []);
    env.SHARD_COUNT = String(plan.total);
    watch(shard);
    try {
      await shard.spawn(readyTimeoutMs);
    } catch (error) {
      if (stopping) throw new ShardStartError("start:sharded: stopped while the shards were starting");
      if ((error as { code?: unknown }).code === "ShardingReadyTimeout") {
        throw new ShardStartError(`start:sharded: shard process ${id} did not connect within ${Math.round(readyTimeoutMs / 1000)} s`);
      }
      const code = health.get(id)?.exit.code;
      throw new ShardStartError(
        `start:sharded: shard process ${id} exited before it connected (see its log lines above)`,
        code === EXIT_USAGE ? EXIT_USAGE : 1,
      );
    }
  };

  const spawnAll = async () => {
    for (let id = 0; id < groups.length; id++) {
      if (stopping) throw new ShardStartError("start:sharded: stopped while the shards were starting");
      await spawnOne(id);
      // The next process's first identify must not fall in the same 5 s window as this one's last.
      if (id < groups.length - 1) await sleep(IDENTIFY_INTERVAL_MS, undefined, { signal: abort.signal }).catch(() => undefined);
    }
  };

  const ready = spawnAll();
  // The caller may attach its handler later; a rejection before then is still reported there.
  ready.catch(() => undefined);

  return {
    manager,
    groups,
    ready,
    pids() {
      const pids = new Map<number, number>();
      for (const [id, shard] of manager.shards) if (shard.process?.pid !== undefined) pids.set(id, shard.process.pid);
      return pids;
    },
    async stop(signal = "SIGTERM", graceMs = 20_000) {
      stopping = true;
      abort.abort();
      for (const timer of respawnTimers) clearTimeout(timer);
      respawnTimers.clear();
      const children = [...manager.shards.values()].flatMap((shard) => (shard.process ? [shard.process] : []));
      for (const child of children) child.kill(signal);
      const allGone = Promise.all(children.map(exited)).then(() => true);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
      const clean = await Promise.race([allGone, late]);
      clearTimeout(timer);
      if (clean) return true;
      const stuck = children.filter((child) => child.exitCode === null && child.signalCode === null);
      logger.warn(`shards: ${stuck.length} shard process(es) still running after ${Math.round(graceMs / 1000)} s; killing them`, {
        pids: stuck.map((child) => child.pid).join(","),
      });
      for (const child of stuck) child.kill("SIGKILL");
      await Promise.all(stuck.map(exited));
      return false;
    },
  };
}
