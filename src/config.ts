import { config as loadDotenv } from "dotenv";
import path from "node:path";
import { ExpectedError, LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from "./log.ts";
import { parseBoolean } from "./settings.ts";

/** Every setting the bot reads, validated. Documented in `.env.example` and the README. */
export interface Config {
  /** Bot token; without it the bot answers in the terminal instead. */
  discordToken: string | undefined;
  /** Guild to register slash commands in (instant); unset registers them globally. */
  discordGuildId: string | undefined;
  /** REST base URL without the version, exactly like discord.js's `rest.api` option. */
  discordApiUrl: string;
  /** Absolute path of the knowledge folder. */
  knowledgeDir: string;
  /** Questions one user may ask per window; 0 disables the limit. */
  rateLimitQuestions: number;
  /** Length of the rate-limit window in seconds. */
  rateLimitWindowSeconds: number;
  /** Longest question accepted, in characters. */
  maxQuestionLength: number;
  /** Watch the knowledge folder and reload on change. */
  watchKnowledge: boolean;
  /** Poll the knowledge files every this many ms instead of using file-system events; undefined: events. */
  watchPollIntervalMs: number | undefined;
  /** Folder for the index snapshot (fast start-up), or undefined when snapshots are off. */
  indexCacheDir: string | undefined;
  /** Shard count for `start:sharded`: "auto" (Discord's recommendation) or a positive integer. */
  shards: "auto" | number;
  /** Shards this host runs under `start:sharded`, when not all of them: some of the SHARDS ids (several hosts). */
  shardList?: number[];
  /** Most shards one process runs (discord.js internal sharding) before `start:sharded` spreads them over processes. */
  shardsPerProcess: number;
  /**
   * Set in a shard process that `start:sharded` spawned: its shard ids and the total. discord.js passes them
   * as SHARDING_MANAGER, SHARDS (the id, not our setting) and SHARD_COUNT, and its Client reads them itself.
   */
  shardProcess?: { ids: number[]; count: number };
  logLevel: LogLevel;
  /** Absolute path of the folder for the bot's own data: the question log and its salt (src/feedback). */
  dataDir: string;
  /** Log questions, votes and feedback for the gaps report (QUESTION_LOG=off turns it off). */
  questionLog: boolean;
  /** Days a logged question (with its votes and feedback) is kept. */
  logRetentionDays: number;
  /** Log line format; undefined picks pretty on a terminal and json otherwise. */
  logFormat: LogFormat | undefined;
  /** Port of the HTTP health endpoint (`GET /health`), or undefined for none. */
  healthPort: number | undefined;
}

/** Thrown for a bad setting; the message names the variable and the bad value. */
export class ConfigError extends ExpectedError {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

/** Empty values count as unset, so `DISCORD_TOKEN=` in `.env` means "no token". */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`config: Expected ${name} to be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean, expected = "true or false"): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = parseBoolean(raw);
  if (value === undefined) throw new ConfigError(`config: Expected ${name} to be ${expected}, got ${JSON.stringify(raw)}`);
  return value;
}

/** SHARD_LIST: "all", or shard ids and ranges like `0-3,8`; each id below the SHARDS total. */
function parseShardList(raw: string | undefined, shards: "auto" | number): number[] | "all" {
  if (raw === undefined || raw.toLowerCase() === "all") return "all";
  const bad = (why: string) => new ConfigError(`config: Expected SHARD_LIST to be "all" or shard ids and ranges like 0-3,8${why}, got ${JSON.stringify(raw)}`);
  if (shards === "auto") throw bad(" (with SHARDS set to the total shard count of all hosts, not auto)");
  const ids = new Set<number>();
  for (const part of raw.split(",").map((p) => p.trim())) {
    const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!match) throw bad("");
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) throw bad(" (ranges go from low to high)");
    if (to >= shards) throw bad(` (ids from 0 to ${shards - 1}, since SHARDS=${shards})`);
    for (let id = from; id <= to; id++) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

/** discord.js's environment for a shard process, or undefined in any other process. */
function parseShardProcess(env: Env): Config["shardProcess"] {
  if (!read(env, "SHARDING_MANAGER")) return undefined;
  const raw = read(env, "SHARDS") ?? "";
  const count = Number(read(env, "SHARD_COUNT"));
  let ids: unknown;
  try {
    ids = JSON.parse(raw);
  } catch {
    ids = undefined;
  }
  const list = typeof ids === "number" ? [ids] : ids;
  if (!Array.isArray(list) || !list.length || !list.every((id) => Number.isInteger(id) && id >= 0 && id < count)) {
    throw new ConfigError(
      `config: Expected SHARDS to be the shard id that start:sharded passes (SHARDING_MANAGER is set), got ${JSON.stringify(raw)} with SHARD_COUNT=${JSON.stringify(read(env, "SHARD_COUNT"))}`,
    );
  }
  return { ids: list as number[], count };
}

/**
 * Builds the configuration from an environment (by default `process.env` after `.env` is loaded).
 * Throws ConfigError naming the variable and the value on any bad setting.
 */
export function parseConfig(env: Env, cwd: string = process.cwd()): Config {
  const discordGuildId = read(env, "DISCORD_GUILD_ID");
  if (discordGuildId !== undefined && !/^\d{17,20}$/.test(discordGuildId)) {
    throw new ConfigError(`config: Expected DISCORD_GUILD_ID to be a Discord id (17 to 20 digits), got ${JSON.stringify(discordGuildId)}`);
  }

  const apiRaw = read(env, "DISCORD_API_URL") ?? "https://discord.com/api";
  let api: URL;
  try {
    api = new URL(apiRaw);
  } catch {
    throw new ConfigError(`config: Expected DISCORD_API_URL to be an http(s) URL, got ${JSON.stringify(apiRaw)}`);
  }
  if (api.protocol !== "http:" && api.protocol !== "https:") {
    throw new ConfigError(`config: Expected DISCORD_API_URL to be an http(s) URL, got ${JSON.stringify(apiRaw)}`);
  }
  if (/\/v\d+\/?$/.test(api.pathname)) {
    throw new ConfigError(`config: Expected DISCORD_API_URL without the API version (like https://discord.com/api), got ${JSON.stringify(apiRaw)}`);
  }

  const logLevel = (read(env, "LOG_LEVEL") ?? "info").toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`config: Expected LOG_LEVEL to be one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(read(env, "LOG_LEVEL"))}`);
  }

  const logFormat = read(env, "LOG_FORMAT")?.toLowerCase() ?? "auto";
  if (logFormat !== "auto" && !(LOG_FORMATS as readonly string[]).includes(logFormat)) {
    throw new ConfigError(`config: Expected LOG_FORMAT to be one of auto, ${LOG_FORMATS.join(", ")}, got ${JSON.stringify(read(env, "LOG_FORMAT"))}`);
  }

  const cacheDir = read(env, "INDEX_CACHE_DIR") ?? ".cache";

  const shardProcess = parseShardProcess(env);
  // In a shard process SHARDS is discord.js's shard id, not the setting; the parent validated the setting.
  let shards: Config["shards"] = shardProcess?.count ?? "auto";
  let shardList: number[] | "all" = shardProcess?.ids ?? "all";
  if (!shardProcess) {
    const shardsRaw = read(env, "SHARDS") ?? "auto";
    if (shardsRaw.toLowerCase() !== "auto") {
      const n = Number(shardsRaw);
      if (!/^\d+$/.test(shardsRaw) || n < 1 || n > 10_000) {
        throw new ConfigError(`config: Expected SHARDS to be "auto" or a whole number from 1 to 10000, got ${JSON.stringify(read(env, "SHARDS"))}`);
      }
      shards = n;
    }
    shardList = parseShardList(read(env, "SHARD_LIST"), shards);
  }

  return {
    discordToken: read(env, "DISCORD_TOKEN"),
    discordGuildId,
    discordApiUrl: apiRaw.replace(/\/+$/, ""),
    knowledgeDir: path.resolve(cwd, read(env, "KNOWLEDGE_DIR") ?? "knowledge"),
    rateLimitQuestions: integer(env, "RATE_LIMIT_QUESTIONS", 5, 0, 10_000),
    rateLimitWindowSeconds: integer(env, "RATE_LIMIT_WINDOW_SECONDS", 30, 1, 86_400),
    maxQuestionLength: integer(env, "MAX_QUESTION_LENGTH", 300, 10, 6000),
    watchKnowledge: boolean(env, "WATCH_KNOWLEDGE", true),
    // File-system events do not cross bind mounts of some hosts, nor network file systems: polling does.
    watchPollIntervalMs: boolean(env, "WATCH_POLLING", false) ? integer(env, "WATCH_POLL_INTERVAL_MS", 1000, 100, 60_000) : undefined,
    // The off words turn snapshots off, in any case: a folder named `OFF` is never what was meant.
    indexCacheDir: parseBoolean(cacheDir) === false ? undefined : path.resolve(cwd, cacheDir),
    shards,
    ...(shardList !== "all" ? { shardList } : {}),
    shardsPerProcess: integer(env, "SHARDS_PER_PROCESS", 16, 1, 1000),
    ...(shardProcess ? { shardProcess } : {}),
    logLevel: logLevel as LogLevel,
    dataDir: path.resolve(cwd, read(env, "DATA_DIR") ?? "data"),
    questionLog: boolean(env, "QUESTION_LOG", true, "on or off"),
    logRetentionDays: integer(env, "LOG_RETENTION_DAYS", 30, 1, 3650),
    logFormat: logFormat === "auto" ? undefined : (logFormat as LogFormat),
    healthPort: read(env, "HEALTH_PORT") === undefined ? undefined : integer(env, "HEALTH_PORT", 0, 1, 65_535),
  };
}

/** Loads `.env` (if present; real environment variables win) and parses the result. */
export function loadConfig(cwd: string = process.cwd()): Config {
  loadDotenv({ path: path.join(cwd, ".env"), quiet: true });
  return parseConfig(process.env, cwd);
}
