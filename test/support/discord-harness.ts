/**
 * Starts the real bot (startDiscordBot, real AnswerEngine — or ThreadedEngine — over test/fixtures/discord-knowledge) against the
 * Discord test server, with the commands registered through the real deploy code.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AnswerEngine } from "../../src/answer/engine.ts";
import type { AnswerService } from "../../src/answer/service.ts";
import { ThreadedEngine } from "../../src/answer/threaded.ts";
import { parseConfig, type Config } from "../../src/config.ts";
import { openFeedback, type Feedback } from "../../src/feedback/feedback.ts";
import { taughtSource } from "../../src/feedback/teach.ts";
import { createLogger } from "../../src/log.ts";
import { startDiscordBot, type DiscordBot, type StartOptions } from "../../src/discord/bot.ts";
import { deployCommands } from "../../src/discord/deploy-commands.ts";
import { DiscordTestServer, type DiscordTestServerOptions } from "./discord-server.ts";

export const FIXTURE_KNOWLEDGE = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "discord-knowledge");

export interface Harness {
  server: DiscordTestServer;
  bot: DiscordBot;
  engine: AnswerService;
  config: Config;
  /** With `feedback`: the bot's feedback database, in a temporary DATA_DIR. */
  feedback: Feedback | undefined;
  /** Every log line the bot wrote. */
  logs: string[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Settings as environment variables, over the harness defaults (no rate limit, no watching). */
  env?: Record<string, string>;
  server?: DiscordTestServerOptions;
  /** Wraps the real engine, e.g. to make it fail on purpose. */
  engine?: (engine: AnswerEngine) => AnswerService;
  /** Answer in a worker thread (ThreadedEngine), as `npm start` runs the bot. */
  threaded?: boolean;
  /** How long an answer may take before the interaction is deferred (default: the bot's own). */
  deferAfterMs?: number;
  /** DM and mention replies in flight at most (default: the bot's own). */
  maxPendingReplies?: number;
  /** Knowledge folder (default: test/fixtures/discord-knowledge). */
  knowledgeDir?: string;
  sharding?: StartOptions["sharding"];
  /** Run with a feedback database (question log, votes, /gaps, /teach) in a temporary DATA_DIR, as `npm start` does. */
  feedback?: boolean;
  /** With `feedback`: this DATA_DIR (kept afterwards) instead of a new temporary one, e.g. one holding an older log. */
  dataDir?: string;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const server = await DiscordTestServer.start(options.server);
  const knowledge = options.knowledgeDir ?? FIXTURE_KNOWLEDGE;
  const dataDir = options.feedback ? (options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), "kb-harness-data-")))) : undefined;
  const ownData = options.dataDir === undefined;
  let feedback: Feedback | undefined;
  try {
    const config = parseConfig({
      ...(dataDir ? { DATA_DIR: dataDir } : {}),
      DISCORD_TOKEN: server.token,
      DISCORD_API_URL: server.apiUrl,
      DISCORD_GUILD_ID: server.guilds[0]?.id ?? "",
      KNOWLEDGE_DIR: knowledge,
      RATE_LIMIT_QUESTIONS: "0",
      WATCH_KNOWLEDGE: "false",
      ...options.env,
    });
    const logs: string[] = [];
    const logger = createLogger("debug", (line) => logs.push(line));
    feedback = dataDir ? openFeedback(config, logger) : undefined;
    const taught = feedback ? { taught: taughtSource(feedback.teach) } : {};
    const engine: AnswerService = options.threaded
      ? await ThreadedEngine.open(knowledge, taught)
      : await AnswerEngine.open(knowledge, taught).then((opened) => (options.engine ? options.engine(opened) : opened));
    await deployCommands({
      token: config.discordToken,
      apiUrl: config.discordApiUrl,
      guildId: config.discordGuildId,
      maxQuestionLength: config.maxQuestionLength,
      logger,
    });
    const bot = await startDiscordBot({
      config,
      engine,
      logger,
      ...(options.sharding ? { sharding: options.sharding } : {}),
      ...(options.deferAfterMs !== undefined ? { deferAfterMs: options.deferAfterMs } : {}),
      ...(options.maxPendingReplies !== undefined ? { maxPendingReplies: options.maxPendingReplies } : {}),
      feedback,
    });
    const opened = feedback;
    return {
      server,
      bot,
      engine,
      config,
      feedback,
      logs,
      async close() {
        await bot.stop();
        await engine.close();
        opened?.close();
        await server.close();
        if (dataDir && ownData) await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    feedback?.close();
    await server.close();
    if (dataDir && ownData) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
