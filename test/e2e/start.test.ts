/**
 * `npm start` as an operator runs it (the real entry, in a process of its own): the health endpoint and
 * its probe against the loopback Discord server, and a start that cannot log in (a rejected token, an
 * API nobody answers on, a health port in use) ending with one line and a non-zero exit, no stack trace.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, describe, test } from "node:test";
import { TOKEN_REJECTED } from "../../src/discord/api-errors.ts";
import { FIXTURE_KNOWLEDGE } from "../support/discord-harness.ts";
import { DiscordTestServer } from "../support/discord-server.ts";
import { freePort } from "../support/free-port.ts";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

/** Settings of the developer's .env or shell, overridden so that only the test's own apply. */
const BASE_ENV = {
  DISCORD_GUILD_ID: "",
  KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
  WATCH_KNOWLEDGE: "false",
  INDEX_CACHE_DIR: "off",
  RATE_LIMIT_QUESTIONS: "0",
  LOG_LEVEL: "info",
  LOG_FORMAT: "pretty",
  HEALTH_PORT: "",
  SHARDING_MANAGER: "",
};

interface Started {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  log(): string;
  /** Resolves once stderr holds `text`; rejects if the process exits first. */
  waitFor(text: string): Promise<void>;
  exited: Promise<number | null>;
}

function start(script: string, env: Record<string, string>): Started {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: ROOT,
    env: { ...process.env, ...BASE_ENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  after(() => void child.kill("SIGKILL"));
  let log = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
    for (const w of waiters.filter((w) => log.includes(w.text))) w.resolve();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    log: () => log,
    exited,
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        if (log.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void exited.then((code) => reject(new Error(`${script} exited (code ${code}) before logging ${JSON.stringify(text)}:\n${log}`)));
      }),
  };
}

/** Runs the health probe (the Dockerfile's HEALTHCHECK) against HEALTH_PORT. */
function probe(port: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/health-check.ts"], { cwd: ROOT, env: { ...process.env, HEALTH_PORT: String(port) } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

async function health(port: number): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}/health`);
  return { status: response.status, body: await response.text() };
}

/** An HTTP server that accepts requests and never answers them: a Discord API that hangs. */
async function silentApi(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** stderr as lines without their timestamps; every line must have one (no stack trace, no stray output). */
function lines(log: string): string[] {
  const all = log.trimEnd().split("\n");
  for (const line of all) assert.match(line, STAMP, `not a log line: ${JSON.stringify(line)}\n${log}`);
  return all.map((line) => line.replace(STAMP, ""));
}

describe("npm start with HEALTH_PORT", () => {
  test("503 naming the gateway while Discord does not answer, with the index already loaded", async () => {
    const api = await silentApi();
    after(() => api.close());
    const port = await freePort();
    const bot = start("src/main.ts", { DISCORD_TOKEN: "token", DISCORD_API_URL: api.url, HEALTH_PORT: String(port) });
    await bot.waitFor("knowledge: loaded");
    assert.deepEqual(await health(port), { status: 503, body: '{"ready":false,"notReady":{"gateway":"connecting"}}' });
    assert.deepEqual(await probe(port), { code: 1, stdout: "", stderr: '503 {"ready":false,"notReady":{"gateway":"connecting"}}\n' });
    assert.ok(lines(bot.log()).includes(`INFO  health: serving http://localhost:${port}/health`), bot.log());
  });

  test("200 once logged in; 503 naming the shard when the gateway closes for good", async () => {
    const server = await DiscordTestServer.start();
    after(() => server.close());
    const port = await freePort();
    const bot = start("src/main.ts", { DISCORD_TOKEN: server.token, DISCORD_API_URL: server.apiUrl, HEALTH_PORT: String(port) });
    await bot.waitFor("discord: global commands live");
    assert.deepEqual(await health(port), { status: 200, body: '{"ready":true}' });
    assert.deepEqual(await probe(port), { code: 0, stdout: '200 {"ready":true}\n', stderr: "" });
    // 4004 (authentication failed) is a close discord.js does not reconnect after.
    await server.dropConnection(0, 4004);
    await bot.waitFor("discord: gateway connection error");
    assert.deepEqual(await health(port), { status: 503, body: '{"ready":false,"notReady":{"gateway":"shard 0 disconnected"}}' });
    bot.child.kill("SIGTERM");
    assert.equal(await bot.exited, 0);
    assert.deepEqual(await probe(port), { code: 1, stdout: "", stderr: `health: could not reach http://127.0.0.1:${port}/health: ECONNREFUSED\n` });
  });

  test("the probe without HEALTH_PORT says so, and counts it as unhealthy (exit code 1; Docker reserves 2)", async () => {
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "src/cli/health-check.ts"], { cwd: ROOT, env: { ...process.env, HEALTH_PORT: "" } });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("exit", (code) => resolve({ code, stderr }));
    });
    assert.deepEqual(run, { code: 1, stderr: "health-check: HEALTH_PORT is not set, so the bot serves no health endpoint to ask.\n" });
  });
});

describe("npm start that cannot start", () => {
  test("a rejected token: the reason in one line, exit code 2", async () => {
    const server = await DiscordTestServer.start();
    after(() => server.close());
    const bot = start("src/main.ts", { DISCORD_TOKEN: "not-the-token", DISCORD_API_URL: server.apiUrl, LOG_LEVEL: "warn" });
    assert.equal(await bot.exited, 2);
    assert.deepEqual(lines(bot.log()), [`ERROR ${TOKEN_REJECTED}`]);
  });

  test("a rejected token, logged as JSON: one record", async () => {
    const server = await DiscordTestServer.start();
    after(() => server.close());
    const bot = start("src/main.ts", { DISCORD_TOKEN: "not-the-token", DISCORD_API_URL: server.apiUrl, LOG_LEVEL: "warn", LOG_FORMAT: "json" });
    assert.equal(await bot.exited, 2);
    const records = bot
      .log()
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      records.map(({ time: _time, ...rest }) => rest),
      [{ level: "error", msg: TOKEN_REJECTED }],
    );
  });

  test("an API nobody listens on: the address and the network error in one line, exit code 1", async () => {
    const port = await freePort();
    const api = `http://127.0.0.1:${port}/api`;
    const bot = start("src/main.ts", { DISCORD_TOKEN: "token", DISCORD_API_URL: api, LOG_LEVEL: "warn" });
    assert.equal(await bot.exited, 1);
    assert.deepEqual(lines(bot.log()), [`ERROR Could not log in to Discord through ${api} (GET /gateway/bot): connect ECONNREFUSED 127.0.0.1:${port}`]);
  });

  test("a HEALTH_PORT in use: one line, exit code 2", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    after(() => new Promise((resolve) => taken.close(resolve)));
    const port = (taken.address() as AddressInfo).port;
    const bot = start("src/main.ts", { HEALTH_PORT: String(port), LOG_LEVEL: "warn" });
    assert.equal(await bot.exited, 2);
    assert.deepEqual(lines(bot.log()), [`ERROR health: could not listen on HEALTH_PORT=${port}: the port is in use`]);
  });
});
