/**
 * Discord-facing latency: the real bot (startDiscordBot, discord.js over the gateway and REST) answering
 * /ask interactions from the loopback Discord test server, which runs in its own process
 * (discord-server-process.ts). Interactions go out in bursts, all at once; each is timed from the server
 * sending INTERACTION_CREATE to the server receiving the interaction callback, and — split out — from
 * the bot receiving the gateway packet to the callback.
 */
import { fork } from "node:child_process";
import path from "node:path";
import { Events } from "discord.js";
import type { AnswerService } from "../src/answer/service.ts";
import { parseConfig } from "../src/config.ts";
import { startDiscordBot } from "../src/discord/bot.ts";
import { deployCommands } from "../src/discord/deploy-commands.ts";
import { createLogger } from "../src/log.ts";
import type { BurstResult, FromServer, ToServer } from "./discord-server-process.ts";
import { median, p99 } from "./stats.ts";

export interface DiscordResult {
  interactions: number;
  burst: number;
  /** Server sends INTERACTION_CREATE → server receives the callback. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Bot receives the gateway packet → server receives the callback (the bot's own share). */
  inBotP50Ms: number;
  inBotP99Ms: number;
  /** The same, one interaction at a time (no queue): the bot's service time as Discord sees it. */
  sequential: { interactions: number; p50Ms: number; p99Ms: number };
  /** The warm-up bursts before the counted ones, dispatch → callback: a freshly started bot. */
  warmup: { interactions: number; p50Ms: number; p99Ms: number };
  failures: number;
  failureExamples: string[];
  /** When several runs were made (bench/run.ts): the p99 of each, sorted; the result is the median run. */
  p99RunsMs?: number[];
  /** Payloads the test server rejected as breaking Discord's limits. */
  violations: number;
  wallMs: number;
}

export async function measureDiscord(
  engine: AnswerService,
  questions: readonly string[],
  plan: { total: number; burst: number; sequential: number; warmup: number },
): Promise<DiscordResult> {
  const { total, burst, sequential, warmup } = plan;
  const child = fork(path.join(import.meta.dirname, "discord-server-process.ts"), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const inbox: FromServer[] = [];
  const waiting: ((m: FromServer) => void)[] = [];
  child.on("message", (m: FromServer) => {
    const w = waiting.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`bench: the Discord test server process exited (code ${code})`))),
  );
  exited.catch(() => undefined);
  const next = (): Promise<FromServer> =>
    Promise.race([new Promise<FromServer>((resolve) => (inbox.length ? resolve(inbox.shift()!) : waiting.push(resolve))), exited]);
  const post = (m: ToServer) => child.send(m);

  const ready = await next();
  if (ready.type !== "ready") throw new Error(`bench: the Discord test server said ${JSON.stringify(ready)}`);
  const logs: string[] = [];
  const logger = createLogger("warn", (line) => logs.push(line));
  const config = parseConfig({
    DISCORD_TOKEN: ready.token,
    DISCORD_API_URL: ready.apiUrl,
    DISCORD_GUILD_ID: ready.guildId,
    KNOWLEDGE_DIR: engine.dir,
    RATE_LIMIT_QUESTIONS: "0",
    WATCH_KNOWLEDGE: "false",
  });
  await deployCommands({ token: ready.token, apiUrl: ready.apiUrl, guildId: ready.guildId, maxQuestionLength: config.maxQuestionLength, logger });
  const bot = await startDiscordBot({ config, engine, logger });
  const receivedAt = new Map<string, number>();
  bot.client.on(Events.Raw, (packet: { t?: string; d?: { id?: string } }) => {
    if (packet.t === "INTERACTION_CREATE" && packet.d?.id) receivedAt.set(packet.d.id, performance.timeOrigin + performance.now());
  });

  const results: BurstResult[] = [];
  const single: BurstResult[] = [];
  const warming: BurstResult[] = [];
  const send = async (batch: string[]): Promise<BurstResult[]> => {
    post({ type: "burst", questions: batch });
    const reply = await next();
    if (reply.type !== "burst") throw new Error(`bench: the Discord test server said ${JSON.stringify(reply)}`);
    return reply.results;
  };
  let wallMs = 0;
  try {
    // Warm-up bursts, reported apart: a bot that has been running a while has discord.js's and the
    // engine's code optimised by the JIT and a pool of HTTP connections as large as a burst needs.
    for (let sent = 0; sent < warmup; sent += burst) {
      warming.push(...(await send(Array.from({ length: Math.min(burst, warmup - sent) }, (_, i) => questions[(sent + i) % questions.length] ?? ""))));
    }
    const started = performance.now();
    for (let sent = 0; sent < total; sent += burst) {
      results.push(...(await send(Array.from({ length: Math.min(burst, total - sent) }, (_, i) => questions[(sent + i) % questions.length] ?? ""))));
    }
    wallMs = performance.now() - started;
    for (let i = 0; i < sequential; i++) single.push(...(await send([questions[i % questions.length] ?? ""])));
  } finally {
    await bot.stop();
  }
  post({ type: "close" });
  const closed = await next();
  const violations = closed.type === "closed" ? closed.violations.length : -1;

  const isFailure = (r: BurstResult) => Boolean(r.error) || r.callbackAt === undefined || (r.status ?? 500) >= 300 || r.callbackType !== 4;
  const failed = [...warming, ...results, ...single].filter(isFailure);
  const warmMs = warming.filter((r) => !isFailure(r)).map((r) => (r.callbackAt ?? 0) - r.dispatchedAt);
  const ok = results.filter((r) => !isFailure(r));
  const singleMs = single.filter((r) => !isFailure(r)).map((r) => (r.callbackAt ?? 0) - r.dispatchedAt);
  const total_ = ok.map((r) => (r.callbackAt ?? 0) - r.dispatchedAt);
  const inBot = ok.flatMap((r) => {
    const at = receivedAt.get(r.id);
    return at === undefined ? [] : [(r.callbackAt ?? 0) - at];
  });
  return {
    interactions: results.length,
    burst,
    p50Ms: median(total_),
    p99Ms: p99(total_),
    maxMs: Math.max(...total_),
    inBotP50Ms: median(inBot),
    inBotP99Ms: p99(inBot),
    sequential: { interactions: single.length, p50Ms: median(singleMs), p99Ms: p99(singleMs) },
    warmup: { interactions: warming.length, p50Ms: median(warmMs), p99Ms: p99(warmMs) },
    failures: failed.length,
    failureExamples: [
      ...failed.slice(0, 3).map((r) => r.error ?? `status ${r.status} callback type ${r.callbackType}`),
      ...logs.filter((l) => /error/i.test(l)).slice(0, 3),
    ],
    violations,
    wallMs,
  };
}
