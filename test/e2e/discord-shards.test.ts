/**
 * `npm run start:sharded` (src/discord/sharded.ts → src/discord/shards.ts) against the Discord test server on
 * loopback: up to SHARDS_PER_PROCESS shards run in its own process, more in processes of that many shards, and
 * each answers for the guilds of its shards.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { ConfigError, parseConfig } from "../../src/config.ts";
import { planShards, ShardStartError, startShards } from "../../src/discord/shards.ts";
import { DATABASE_FILE } from "../../src/feedback/store.ts";
import { createLogger } from "../../src/log.ts";
import { FIXTURE_KNOWLEDGE } from "../support/discord-harness.ts";
import { DiscordTestServer, type Json } from "../support/discord-server.ts";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CWD = path.join(path.sep, "srv", "bot");

const HISTORY =
  "**The lighthouse was founded in 1871 by the Port Wren Maritime Society.** Its first keeper was Agnes Hollow, who kept the lamp lit for thirty-two years.\n\n" +
  "The original oil lamp was replaced by an electric lamp in 1932, and the tower was automated in 1987.\n\n" +
  "**Harbor Lighthouse › History** · `harbor-lighthouse.md:12` · [open](https://example.org/lighthouse#history)";

/** Settings the developer's .env or shell might hold, cleared so that only the test's own apply. */
const CLEAN_ENV = {
  DISCORD_GUILD_ID: "",
  SHARDS: "",
  SHARD_LIST: "",
  SHARDS_PER_PROCESS: "",
  SHARDING_MANAGER: "",
  SHARD_COUNT: "",
  WATCH_KNOWLEDGE: "false",
  RATE_LIMIT_QUESTIONS: "0",
  LOG_LEVEL: "info",
  LOG_FORMAT: "pretty",
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function startSharded(env: Record<string, string>, entry = "src/discord/sharded.ts") {
  const vars: NodeJS.ProcessEnv = { ...process.env, ...CLEAN_ENV, ...env };
  // discord.js reads these itself, where an empty value is not "unset": leave them out altogether.
  for (const name of ["SHARDING_MANAGER", "SHARD_COUNT"]) if (!vars[name]) delete vars[name];
  const child = spawn(process.execPath, ["--import", "tsx", entry], { cwd: ROOT, env: vars, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
  /** Resolves once the log has a line matching `pattern`; the timeout only turns a hang into a readable failure. */
  const logged = (pattern: RegExp, timeoutMs = 90_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(log)) return;
        cleanup();
        resolve();
      };
      const onExit = () => (pattern.test(log) ? resolve() : reject(new Error(`start:sharded exited before logging ${pattern}:\n${log}`)));
      const timer = setTimeout(() => (cleanup(), reject(new Error(`no ${pattern} in the log within ${timeoutMs} ms:\n${log}`))), timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        child.stderr.off("data", check);
        child.off("exit", onExit);
      };
      child.stderr.on("data", check);
      child.once("exit", onExit);
      check();
    });
  return { child, exited, logged, log: () => log };
}

describe("npm run start:sharded", () => {
  const ASK = { question: "when was the lighthouse founded?" };

  /** Asks /ask in each guild; the server sends it on the connection of that guild's shard. */
  async function answersEveryGuild(server: DiscordTestServer): Promise<void> {
    for (let guildIndex = 0; guildIndex < server.guilds.length; guildIndex++) {
      const { response } = server.command("ask", ASK, { where: server.channel("text", guildIndex) });
      const { type, data } = (await response).body as { type: number; data: Json };
      assert.equal(type, 4, `guild ${guildIndex} gets an answer`);
      assert.equal((data.embeds as Json[])[0]?.description, HISTORY);
    }
  }

  test("runs Discord's recommended two shards in its own process, one engine for both, answering /ask in each shard's guild; SIGTERM stops it", async () => {
    const server = await DiscordTestServer.start({ recommendedShards: 2, maxConcurrency: 2, guilds: 2 });
    const cache = await mkdtemp(path.join(os.tmpdir(), "shards-cache-"));
    const run = startSharded({ DISCORD_TOKEN: server.token, DISCORD_API_URL: server.apiUrl, KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE, INDEX_CACHE_DIR: cache });
    try {
      await run.logged(/INFO {2}discord: logged in as /);
      const log = run.log();
      assert.match(log, /INFO {2}shards: running all 2 shards in this process recommended=2 setting=auto maxConcurrency=2/);
      assert.deepEqual(
        server
          .identifies()
          .map((record) => (record.d as Json).shard)
          .sort(),
        [
          [0, 2],
          [1, 2],
        ],
      );
      assert.deepEqual(
        server.guilds.map((guild) => server.shardOf(guild.id)),
        [0, 1],
      );
      assert.doesNotMatch(log, /started pid=/, "no shard processes");
      assert.equal(log.match(/knowledge: loaded /g)?.length, 1, "one engine");
      await answersEveryGuild(server);
      run.child.kill("SIGTERM");
      assert.equal(await run.exited, 0, run.log());
      assert.equal(server.connected(0), false);
      assert.equal(server.connected(1), false);
      assert.deepEqual(server.violations, []);
    } finally {
      run.child.kill("SIGKILL");
      await server.close();
      await rm(cache, { recursive: true, force: true });
    }
  });

  test("two shard processes log the questions of their guilds into one question log at once, and neither loses a row", async () => {
    const server = await DiscordTestServer.start({ recommendedShards: 2, maxConcurrency: 2, guilds: 2 });
    const cache = await mkdtemp(path.join(os.tmpdir(), "shards-cache-"));
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "shards-data-"));
    const run = startSharded({
      DISCORD_TOKEN: server.token,
      DISCORD_API_URL: server.apiUrl,
      KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
      INDEX_CACHE_DIR: cache,
      SHARDS_PER_PROCESS: "1",
      DATA_DIR: dataDir,
      QUESTION_LOG: "on",
    });
    try {
      await run.logged(/shards: all 2 connected/);
      assert.match(run.log(), /INFO {2}shards: running all 2 shards in 2 processes of up to 1 /);
      // 20 questions in each guild, all sent at once, so both processes write at the same time.
      const asked = [0, 1].flatMap((guildIndex) =>
        Array.from({ length: 20 }, () => server.command("ask", ASK, { where: server.channel("text", guildIndex) }).response),
      );
      for (const response of await Promise.all(asked)) assert.equal((response.body as { type: number }).type, 4);
      const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
      try {
        assert.deepEqual(
          db.prepare("SELECT guild_id AS guild, surface, count(*) AS n FROM questions GROUP BY guild_id, surface ORDER BY guild_id").all(),
          server.guilds.map((guild) => ({ guild: guild.id, surface: "slash", n: 20 })).sort((a, b) => (a.guild < b.guild ? -1 : 1)),
        );
        assert.equal(db.prepare("SELECT count(DISTINCT id) FROM questions").pluck().get(), 40);
      } finally {
        db.close();
      }
      run.child.kill("SIGTERM");
      assert.equal(await run.exited, 0, run.log());
      assert.deepEqual(server.violations, []);
    } finally {
      run.child.kill("SIGKILL");
      await server.close();
      await rm(cache, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test("beyond SHARDS_PER_PROCESS it runs groups of shards as processes, each answering for its guilds, and SIGTERM stops them all", async () => {
    const server = await DiscordTestServer.start({ recommendedShards: 3, maxConcurrency: 3, guilds: 3 });
    const cache = await mkdtemp(path.join(os.tmpdir(), "shards-cache-"));
    const run = startSharded({
      DISCORD_TOKEN: server.token,
      DISCORD_API_URL: server.apiUrl,
      KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
      INDEX_CACHE_DIR: cache,
      SHARDS_PER_PROCESS: "2",
    });
    try {
      await run.logged(/shards: all 3 connected/);
      const log = run.log();
      assert.match(log, /INFO {2}shards: running all 3 shards in 2 processes of up to 2 recommended=3 setting=auto maxConcurrency=3/);
      assert.deepEqual(
        server
          .identifies()
          .map((record) => (record.d as Json).shard)
          .sort(),
        [
          [0, 3],
          [1, 3],
          [2, 3],
        ],
      );
      assert.deepEqual(server.guilds.map((guild) => server.shardOf(guild.id)).sort(), [0, 1, 2]);

      // Two processes, neither of them the manager, each loading the snapshot the manager made.
      const pids = new Map([...log.matchAll(/shards: process (\d) \(shards? ([\d-]+)\) started pid=(\d+)/g)].map((match) => [match[2], Number(match[3])]));
      assert.deepEqual([...pids.keys()].sort(), ["0-1", "2"]);
      assert.equal(new Set([...pids.values(), run.child.pid]).size, 3);
      for (const tag of ["0,1/3", "2/3"]) assert.match(log, new RegExp(`INFO {2}\\[shard ${tag}\\] knowledge: loaded .*\\(from the index snapshot\\)`));
      await answersEveryGuild(server);

      run.child.kill("SIGTERM");
      assert.equal(await run.exited, 0, run.log());
      assert.match(run.log(), /shards: all stopped/);
      for (const [shards, pid] of pids) assert.equal(alive(pid), false, `the process of shards ${shards} (pid ${pid}) is gone`);
      for (const shard of [0, 1, 2]) assert.equal(server.connected(shard), false);
      assert.deepEqual(server.violations, []);
    } finally {
      run.child.kill("SIGKILL");
      await server.close();
      await rm(cache, { recursive: true, force: true });
    }
  });

  test("npm start with SHARDS=auto in the environment (as in .env.example) runs Discord's recommended shards in its process", async () => {
    const server = await DiscordTestServer.start({ recommendedShards: 2, maxConcurrency: 2, guilds: 2 });
    const cache = await mkdtemp(path.join(os.tmpdir(), "shards-cache-"));
    const run = startSharded(
      { DISCORD_TOKEN: server.token, DISCORD_API_URL: server.apiUrl, KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE, INDEX_CACHE_DIR: cache, SHARDS: "auto" },
      "src/main.ts",
    );
    try {
      await run.logged(/INFO {2}discord: logged in as /);
      assert.deepEqual(
        server
          .identifies()
          .map((record) => (record.d as Json).shard)
          .sort(),
        [
          [0, 2],
          [1, 2],
        ],
      );
      await answersEveryGuild(server);
      run.child.kill("SIGTERM");
      assert.equal(await run.exited, 0, run.log());
    } finally {
      run.child.kill("SIGKILL");
      await server.close();
      await rm(cache, { recursive: true, force: true });
    }
  });

  test("without DISCORD_TOKEN it says the sharded bot needs one and exits 2", async () => {
    const run = startSharded({ DISCORD_TOKEN: "", KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE, INDEX_CACHE_DIR: "off" });
    assert.equal(await run.exited, 2);
    assert.match(run.log(), /^start:sharded: DISCORD_TOKEN is not set\. The sharded bot only runs on Discord/);
  });
});

describe("shard plan", () => {
  test("SHARDS and SHARD_LIST choose this host's shards; the identify concurrency comes from /gateway/bot through DISCORD_API_URL", async () => {
    const server = await DiscordTestServer.start({ recommendedShards: 2, maxConcurrency: 4 });
    try {
      const config = parseConfig({ DISCORD_TOKEN: server.token, DISCORD_API_URL: server.apiUrl, SHARDS: "8", SHARD_LIST: "4-7" }, CWD);
      assert.deepEqual(await planShards(config), { total: 8, ids: [4, 5, 6, 7], recommended: 2, maxConcurrency: 4, remainingStarts: 999 });
      const auto = parseConfig({ DISCORD_TOKEN: server.token, DISCORD_API_URL: server.apiUrl }, CWD);
      assert.deepEqual(await planShards(auto), { total: 2, ids: [0, 1], recommended: 2, maxConcurrency: 4, remainingStarts: 999 });
      assert.ok(server.requests.every((request) => request.route === "/gateway/bot" && request.headers.authorization === `Bot ${server.token}`));
    } finally {
      await server.close();
    }
  });

  test("a token Discord refuses is a usage error (exit 2), named as such", async () => {
    const server = await DiscordTestServer.start();
    try {
      const config = parseConfig({ DISCORD_TOKEN: "not-the-token", DISCORD_API_URL: server.apiUrl }, CWD);
      await assert.rejects(planShards(config), (error: unknown) => {
        assert.ok(error instanceof ShardStartError);
        assert.equal(error.exitCode, 2);
        assert.match(error.message, /Discord refused DISCORD_TOKEN \(401 from http:\/\/127\.0\.0\.1:\d+\/api\)/);
        return true;
      });
    } finally {
      await server.close();
    }
  });
});

describe("shard processes", () => {
  const plan = { total: 1, ids: [0], recommended: 1, maxConcurrency: 1, remainingStarts: 1000 };
  // discord.js's ShardingManager marks its own process as a manager in process.env; put it back afterwards.
  const MARKS = ["SHARDING_MANAGER", "SHARDING_MANAGER_MODE", "DISCORD_TOKEN"] as const;
  let saved: Record<string, string | undefined> = {};
  before(() => (saved = Object.fromEntries(MARKS.map((name) => [name, process.env[name]]))));
  after(() => {
    for (const name of MARKS) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  /** A stand-in shard script: `body` runs in the shard process (plain JavaScript, no Discord). */
  async function script(body: string): Promise<{ entry: string; dir: string }> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "shard-script-"));
    const entry = path.join(dir, "shard.mjs");
    await writeFile(entry, body);
    return { entry, dir };
  }

  test("a shard that exits before it connects fails start-up with its usage exit code, and is not respawned", async () => {
    const { entry, dir } = await script("process.exit(2);\n");
    const logs: string[] = [];
    const fleet = startShards({
      config: { discordToken: "token" },
      logger: createLogger("debug", (line) => logs.push(line)),
      plan,
      perProcess: 16,
      entry,
      respawnDelayMs: 1,
    });
    try {
      await assert.rejects(
        fleet.ready,
        (error: unknown) => error instanceof ShardStartError && error.exitCode === 2 && /shard process 0 exited before it connected/.test(error.message),
      );
      assert.equal(await fleet.stop(), true);
      assert.equal(logs.filter((line) => line.includes("shards: process 0 (shard 0) started")).length, 1, logs.join("\n"));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("a shard that dies after it connected is respawned, and stop() ends the new process too", async () => {
    // Connects (as discord.js's ShardClientUtil reports it), then dies the first time only.
    const { entry, dir } = await script(
      'import { existsSync, writeFileSync } from "node:fs";\n' +
        'const marker = new URL("./died-once", import.meta.url);\n' +
        "process.send({ _ready: true });\n" +
        "if (!existsSync(marker)) { writeFileSync(marker, ''); setTimeout(() => process.exit(1), 20); }\n" +
        "else setInterval(() => {}, 1000);\n",
    );
    const logs: string[] = [];
    const fleet = startShards({
      config: { discordToken: "token" },
      logger: createLogger("debug", (line) => logs.push(line)),
      plan,
      perProcess: 16,
      entry,
      respawnDelayMs: 1,
    });
    try {
      await fleet.ready;
      const first = fleet.pids().get(0);
      const shard = fleet.manager.shards.get(0);
      assert.ok(shard && first);
      const respawned = () => shard.ready && shard.process?.pid !== undefined && shard.process.pid !== first;
      await new Promise<void>((resolve) => (respawned() ? resolve() : shard.on("ready", () => respawned() && resolve())));
      const second = fleet.pids().get(0);
      assert.ok(second && second !== first);
      assert.match(logs.join("\n"), /ERROR shards: process 0 \(shard 0\) died; respawning in 0 s code=1/);
      assert.equal(await fleet.stop(), true);
      assert.equal(alive(second), false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("SHARD_LIST and shard-process settings", () => {
  function rejects(env: Record<string, string>, message: string) {
    assert.throws(
      () => parseConfig(env, CWD),
      (error: unknown) => error instanceof ConfigError && error.message === message,
    );
  }

  test("SHARD_LIST takes ids and ranges out of SHARDS, sorted and without repeats; unset or all means every shard", () => {
    assert.deepEqual(parseConfig({ SHARDS: "16", SHARD_LIST: " 8, 0-3 ,2, 10 - 11" }, CWD).shardList, [0, 1, 2, 3, 8, 10, 11]);
    assert.equal(parseConfig({ SHARDS: "16", SHARD_LIST: "ALL" }, CWD).shardList, undefined);
    assert.equal(parseConfig({ SHARDS: "16" }, CWD).shardList, undefined);
  });

  test("SHARD_LIST needs a fixed SHARDS total, ids below it, and ranges from low to high", () => {
    const expected = 'config: Expected SHARD_LIST to be "all" or shard ids and ranges like 0-3,8';
    rejects({ SHARD_LIST: "0-3" }, `${expected} (with SHARDS set to the total shard count of all hosts, not auto), got "0-3"`);
    rejects({ SHARDS: "4", SHARD_LIST: "2-4" }, `${expected} (ids from 0 to 3, since SHARDS=4), got "2-4"`);
    rejects({ SHARDS: "4", SHARD_LIST: "3-1" }, `${expected} (ranges go from low to high), got "3-1"`);
    rejects({ SHARDS: "4", SHARD_LIST: "one" }, `${expected}, got "one"`);
    rejects({ SHARDS: "4", SHARD_LIST: "1,,2" }, `${expected}, got "1,,2"`);
  });

  test("in a shard process, SHARDS and SHARD_COUNT are discord.js's shard id and total, not the settings", () => {
    const config = parseConfig({ SHARDING_MANAGER: "true", SHARDS: "1", SHARD_COUNT: "2", SHARD_LIST: "0-7" }, CWD);
    assert.deepEqual(config.shardProcess, { ids: [1], count: 2 });
    assert.equal(config.shards, 2);
    assert.equal(parseConfig({}, CWD).shardProcess, undefined);
    rejects(
      { SHARDING_MANAGER: "true", SHARDS: "2", SHARD_COUNT: "2" },
      'config: Expected SHARDS to be the shard id that start:sharded passes (SHARDING_MANAGER is set), got "2" with SHARD_COUNT="2"',
    );
  });
});
