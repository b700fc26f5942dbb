/**
 * parseConfig: defaults, empty values, and the exact ConfigError for each bad value.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { ConfigError, parseConfig, type Config } from "../src/config.ts";

const CWD = path.join(path.sep, "srv", "bot");

const DEFAULTS: Config = {
  discordToken: undefined,
  discordGuildId: undefined,
  discordApiUrl: "https://discord.com/api",
  knowledgeDir: path.join(CWD, "knowledge"),
  rateLimitQuestions: 5,
  rateLimitWindowSeconds: 30,
  maxQuestionLength: 300,
  watchKnowledge: true,
  watchPollIntervalMs: undefined,
  indexCacheDir: path.join(CWD, ".cache"),
  shards: "auto",
  shardsPerProcess: 16,
  logLevel: "info",
  dataDir: path.join(CWD, "data"),
  questionLog: true,
  logRetentionDays: 30,
  logFormat: undefined,
  healthPort: undefined,
};

/** Asserts that parsing `env` throws a ConfigError with exactly `message`. */
function rejects(env: Record<string, string>, message: string): void {
  assert.throws(
    () => parseConfig(env, CWD),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
      assert.equal(error.name, "ConfigError");
      assert.equal(error.message, message);
      return true;
    },
  );
}

describe("parseConfig", () => {
  test("an empty environment gives the defaults", () => {
    assert.deepEqual(parseConfig({}, CWD), DEFAULTS);
  });

  test("empty and blank values count as unset", () => {
    const env = Object.fromEntries(
      [
        "DISCORD_TOKEN",
        "DISCORD_GUILD_ID",
        "DISCORD_API_URL",
        "KNOWLEDGE_DIR",
        "RATE_LIMIT_QUESTIONS",
        "RATE_LIMIT_WINDOW_SECONDS",
        "MAX_QUESTION_LENGTH",
        "WATCH_KNOWLEDGE",
        "INDEX_CACHE_DIR",
        "SHARDS",
        "LOG_LEVEL",
        "LOG_FORMAT",
        "HEALTH_PORT",
        "DATA_DIR",
        "QUESTION_LOG",
        "LOG_RETENTION_DAYS",
      ].map((name, i) => [name, i % 2 ? "" : "   "]),
    );
    assert.deepEqual(parseConfig(env, CWD), DEFAULTS);
  });

  test("every setting is read, trimmed and converted", () => {
    const config = parseConfig(
      {
        DISCORD_TOKEN: "  token-value  ",
        DISCORD_GUILD_ID: "123456789012345678",
        DISCORD_API_URL: "http://127.0.0.1:8080/api/",
        KNOWLEDGE_DIR: "docs/kb",
        RATE_LIMIT_QUESTIONS: "0",
        RATE_LIMIT_WINDOW_SECONDS: "86400",
        MAX_QUESTION_LENGTH: "10",
        WATCH_KNOWLEDGE: "off",
        INDEX_CACHE_DIR: "/var/cache/bot",
        SHARDS: "4",
        LOG_LEVEL: "WARN",
        DATA_DIR: "/var/lib/bot",
        QUESTION_LOG: "off",
        LOG_RETENTION_DAYS: "7",
        LOG_FORMAT: "JSON",
        HEALTH_PORT: "8080",
      },
      CWD,
    );
    assert.deepEqual(config, {
      discordToken: "token-value",
      discordGuildId: "123456789012345678",
      discordApiUrl: "http://127.0.0.1:8080/api",
      knowledgeDir: path.join(CWD, "docs", "kb"),
      rateLimitQuestions: 0,
      rateLimitWindowSeconds: 86400,
      maxQuestionLength: 10,
      watchKnowledge: false,
      watchPollIntervalMs: undefined,
      indexCacheDir: path.resolve(CWD, "/var/cache/bot"),
      shards: 4,
      shardsPerProcess: 16,
      logLevel: "warn",
      dataDir: path.resolve(CWD, "/var/lib/bot"),
      questionLog: false,
      logRetentionDays: 7,
      logFormat: "json",
      healthPort: 8080,
    });
  });

  test("an absolute KNOWLEDGE_DIR is used as it is", () => {
    const dir = path.join(path.sep, "data", "knowledge");
    assert.equal(parseConfig({ KNOWLEDGE_DIR: dir }, CWD).knowledgeDir, dir);
  });

  test("INDEX_CACHE_DIR=off turns the index snapshot off; a relative folder is under the working directory", () => {
    assert.equal(parseConfig({ INDEX_CACHE_DIR: "off" }, CWD).indexCacheDir, undefined);
    assert.equal(parseConfig({ INDEX_CACHE_DIR: "tmp/index" }, CWD).indexCacheDir, path.join(CWD, "tmp", "index"));
  });

  test("INDEX_CACHE_DIR takes the same off words as WATCH_KNOWLEDGE, in any case, and makes no folder named after them", () => {
    for (const off of ["off", "OFF", "Off", "false", "FALSE", "no", "No", "0", " off "])
      assert.equal(parseConfig({ INDEX_CACHE_DIR: off }, CWD).indexCacheDir, undefined, off);
    assert.equal(parseConfig({ INDEX_CACHE_DIR: "offline" }, CWD).indexCacheDir, path.join(CWD, "offline"));
  });

  test('SHARD_LIST is "all" in any case', () => {
    assert.equal(parseConfig({ SHARDS: "4", SHARD_LIST: "ALL" }, CWD).shardList, undefined);
    assert.deepEqual(parseConfig({ SHARDS: "4", SHARD_LIST: "1-2" }, CWD).shardList, [1, 2]);
  });

  test('SHARDS is "auto" in any case, or a whole number', () => {
    assert.equal(parseConfig({ SHARDS: "AUTO" }, CWD).shards, "auto");
    assert.equal(parseConfig({ SHARDS: "Auto" }, CWD).shards, "auto");
    assert.equal(parseConfig({ SHARDS: "10000" }, CWD).shards, 10000);
  });

  test("WATCH_KNOWLEDGE accepts the usual spellings of true and false, in any case", () => {
    for (const yes of ["1", "true", "YES", "On"]) assert.equal(parseConfig({ WATCH_KNOWLEDGE: yes }, CWD).watchKnowledge, true, yes);
    for (const no of ["0", "false", "No", "OFF"]) assert.equal(parseConfig({ WATCH_KNOWLEDGE: no }, CWD).watchKnowledge, false, no);
  });

  test("a guild id is 17 to 20 digits", () => {
    assert.equal(parseConfig({ DISCORD_GUILD_ID: "12345678901234567" }, CWD).discordGuildId, "12345678901234567");
    assert.equal(parseConfig({ DISCORD_GUILD_ID: "12345678901234567890" }, CWD).discordGuildId, "12345678901234567890");
  });
});

describe("parseConfig errors name the variable and the value", () => {
  test("DISCORD_GUILD_ID that is not a Discord id", () => {
    rejects({ DISCORD_GUILD_ID: "my-server" }, 'config: Expected DISCORD_GUILD_ID to be a Discord id (17 to 20 digits), got "my-server"');
    rejects({ DISCORD_GUILD_ID: "1234567890123456" }, 'config: Expected DISCORD_GUILD_ID to be a Discord id (17 to 20 digits), got "1234567890123456"');
    rejects(
      { DISCORD_GUILD_ID: "123456789012345678901" },
      'config: Expected DISCORD_GUILD_ID to be a Discord id (17 to 20 digits), got "123456789012345678901"',
    );
  });

  test("DISCORD_API_URL that is not a URL", () => {
    rejects({ DISCORD_API_URL: "discord.com/api" }, 'config: Expected DISCORD_API_URL to be an http(s) URL, got "discord.com/api"');
  });

  test("DISCORD_API_URL with another protocol", () => {
    rejects({ DISCORD_API_URL: "ftp://discord.com/api" }, 'config: Expected DISCORD_API_URL to be an http(s) URL, got "ftp://discord.com/api"');
  });

  test("DISCORD_API_URL with the API version at the end", () => {
    rejects(
      { DISCORD_API_URL: "https://discord.com/api/v10" },
      'config: Expected DISCORD_API_URL without the API version (like https://discord.com/api), got "https://discord.com/api/v10"',
    );
    rejects(
      { DISCORD_API_URL: "https://discord.com/api/v9/" },
      'config: Expected DISCORD_API_URL without the API version (like https://discord.com/api), got "https://discord.com/api/v9/"',
    );
  });

  test("LOG_LEVEL that is not a level", () => {
    rejects({ LOG_LEVEL: "verbose" }, 'config: Expected LOG_LEVEL to be one of debug, info, warn, error, silent, got "verbose"');
    rejects({ LOG_LEVEL: " Loud " }, 'config: Expected LOG_LEVEL to be one of debug, info, warn, error, silent, got "Loud"');
  });

  test("LOG_FORMAT that is not a format; auto is the terminal-or-not default", () => {
    rejects({ LOG_FORMAT: "text" }, 'config: Expected LOG_FORMAT to be one of auto, pretty, json, got "text"');
    assert.equal(parseConfig({ LOG_FORMAT: "Auto" }, CWD).logFormat, undefined);
    assert.equal(parseConfig({ LOG_FORMAT: "pretty" }, CWD).logFormat, "pretty");
  });

  test("HEALTH_PORT that is not a port number", () => {
    for (const bad of ["0", "65536", "http", "80.5"]) {
      rejects({ HEALTH_PORT: bad }, `config: Expected HEALTH_PORT to be a whole number from 1 to 65535, got ${JSON.stringify(bad)}`);
    }
  });

  test("RATE_LIMIT_QUESTIONS that is not a whole number from 0 to 10000", () => {
    for (const bad of ["-1", "2.5", "ten", "10001", "1e3", "+5"]) {
      rejects({ RATE_LIMIT_QUESTIONS: bad }, `config: Expected RATE_LIMIT_QUESTIONS to be a whole number from 0 to 10000, got ${JSON.stringify(bad)}`);
    }
  });

  test("RATE_LIMIT_WINDOW_SECONDS and MAX_QUESTION_LENGTH out of range", () => {
    rejects({ RATE_LIMIT_WINDOW_SECONDS: "0" }, 'config: Expected RATE_LIMIT_WINDOW_SECONDS to be a whole number from 1 to 86400, got "0"');
    rejects({ MAX_QUESTION_LENGTH: "6001" }, 'config: Expected MAX_QUESTION_LENGTH to be a whole number from 10 to 6000, got "6001"');
  });

  test("WATCH_POLLING turns polling on, every WATCH_POLL_INTERVAL_MS (default 1000); the interval alone does nothing", () => {
    assert.equal(parseConfig({ WATCH_POLLING: "true" }, CWD).watchPollIntervalMs, 1000);
    assert.equal(parseConfig({ WATCH_POLLING: "yes", WATCH_POLL_INTERVAL_MS: "250" }, CWD).watchPollIntervalMs, 250);
    assert.equal(parseConfig({ WATCH_POLL_INTERVAL_MS: "250" }, CWD).watchPollIntervalMs, undefined);
    rejects(
      { WATCH_POLLING: "true", WATCH_POLL_INTERVAL_MS: "50" },
      'config: Expected WATCH_POLL_INTERVAL_MS to be a whole number from 100 to 60000, got "50"',
    );
    rejects({ WATCH_POLLING: "often" }, 'config: Expected WATCH_POLLING to be true or false, got "often"');
  });

  test("WATCH_KNOWLEDGE that is not true or false", () => {
    rejects({ WATCH_KNOWLEDGE: "sometimes" }, 'config: Expected WATCH_KNOWLEDGE to be true or false, got "sometimes"');
  });

  test("QUESTION_LOG that is not on or off, LOG_RETENTION_DAYS out of range", () => {
    rejects({ QUESTION_LOG: "sometimes" }, 'config: Expected QUESTION_LOG to be on or off, got "sometimes"');
    rejects({ LOG_RETENTION_DAYS: "0" }, 'config: Expected LOG_RETENTION_DAYS to be a whole number from 1 to 3650, got "0"');
    rejects({ LOG_RETENTION_DAYS: "a month" }, 'config: Expected LOG_RETENTION_DAYS to be a whole number from 1 to 3650, got "a month"');
  });

  test("SHARDS that is neither auto nor a whole number from 1 to 10000", () => {
    for (const bad of ["0", "two", "10001", "-1", "1.5", "automatic"]) {
      rejects({ SHARDS: bad }, `config: Expected SHARDS to be "auto" or a whole number from 1 to 10000, got ${JSON.stringify(bad)}`);
    }
    rejects({ SHARDS: " Two " }, 'config: Expected SHARDS to be "auto" or a whole number from 1 to 10000, got "Two"');
  });

  test("a bad value is reported even when an earlier setting is fine", () => {
    rejects(
      { DISCORD_GUILD_ID: "123456789012345678", LOG_LEVEL: "info", WATCH_KNOWLEDGE: "perhaps" },
      'config: Expected WATCH_KNOWLEDGE to be true or false, got "perhaps"',
    );
  });
});
