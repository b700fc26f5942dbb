import { config as loadDotenv } from "dotenv";
import path from "node:path";
import { LOG_LEVELS, type LogLevel } from "./log.ts";

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
  /** Folder for the index snapshot (fast start-up), or undefined when snapshots are off. */
  indexCacheDir: string | undefined;
  /** Shard count for `start:sharded`: "auto" (Discord's recommendation) or a positive integer. */
  shards: "auto" | number;
  /** Shards this host runs under `start:sharded`, when not all of them: some of the SHARDS ids (several hosts). */
  shardList?: number[];
  /**
   * Set in a shard process that `start:sharded` spawned: its shard ids and the total. discord.js passes them
   * as SHARDING_MANAGER, SHARDS (the id, not our setting) and SHARD_COUNT, and its Client reads them itself.
   */
  shardProcess?: { ids: number[]; count: number };
  logLevel: LogLevel;
}

/** Thrown for a bad setting; the message names the variable and the bad value. */
export class ConfigError extends Error {
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

/**
 * The words for on and off, the same in every setting and in any case: `OFF` means what `off` means.
 * INDEX_CACHE_DIR takes the off words too, since a folder named `OFF` is never what was meant.
 */
const TRUE_WORDS = new Set(["1", "true", "yes", "on"]);
const FALSE_WORDS = new Set(["0", "false", "no", "off"]);

/** Whether `raw` is `word` (or, for a boolean word, one of its synonyms), ignoring case. */
function isKeyword(raw: string, word: "on" | "off" | "auto" | "all"): boolean {
  const lower = raw.toLowerCase();
  if (word === "on") return TRUE_WORDS.has(lower);
  if (word === "off") return FALSE_WORDS.has(lower);
  return lower === word;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (isKeyword(raw, "on")) return true;
  if (isKeyword(raw, "off")) return false;
  throw new ConfigError(`config: Expected ${name} to be true or false, got ${JSON.stringify(raw)}`);
}

/** SHARD_LIST: "all", or shard ids and ranges like `0-3,8`; each id below the SHARDS total. */
function parseShardList(raw: string | undefined, shards: "auto" | number): number[] | "all" {
  if (raw === undefined || isKeyword(raw, "all")) return "all";
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
    throw new ConfigError(`config: Expected SHARDS to be the shard id that start:sharded passes (SHARDING_MANAGER is set), got ${JSON.stringify(raw)} with SHARD_COUNT=${JSON.stringify(read(env, "SHARD_COUNT"))}`);
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

  const cacheDir = read(env, "INDEX_CACHE_DIR") ?? ".cache";

  const shardProcess = parseShardProcess(env);
  // In a shard process SHARDS is discord.js's shard id, not the setting; the parent validated the setting.
  let shards: Config["shards"] = shardProcess?.count ?? "auto";
  let shardList: number[] | "all" = shardProcess?.ids ?? "all";
  if (!shardProcess) {
    const shardsRaw = read(env, "SHARDS") ?? "auto";
    if (!isKeyword(shardsRaw, "auto")) {
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
    indexCacheDir: isKeyword(cacheDir, "off") ? undefined : path.resolve(cwd, cacheDir),
    shards,
    ...(shardList !== "all" ? { shardList } : {}),
    ...(shardProcess ? { shardProcess } : {}),
    logLevel: logLevel as LogLevel,
  };
}

/** Loads `.env` (if present; real environment variables win) and parses the result. */
export function loadConfig(cwd: string = process.cwd()): Config {
  loadDotenv({ path: path.join(cwd, ".env"), quiet: true });
  return parseConfig(process.env, cwd);
}
