/**
 * Starts the real bot (startDiscordBot, real AnswerEngine — or ThreadedEngine — over test/fixtures/discord-knowledge) against the
 * Discord test server, with the commands registered through the real deploy code.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AnswerEngine } from "../../src/answer/engine.ts";
import type { AnswerService } from "../../src/answer/service.ts";
import { ThreadedEngine } from "../../src/answer/threaded.ts";
import { parseConfig, type Config } from "../../src/config.ts";
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
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const server = await DiscordTestServer.start(options.server);
  const knowledge = options.knowledgeDir ?? FIXTURE_KNOWLEDGE;
  try {
    const config = parseConfig({
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
    const engine: AnswerService = options.threaded ? await ThreadedEngine.open(knowledge) : await AnswerEngine.open(knowledge).then((opened) => (options.engine ? options.engine(opened) : opened));
    await deployCommands({ token: config.discordToken, apiUrl: config.discordApiUrl, guildId: config.discordGuildId, maxQuestionLength: config.maxQuestionLength, logger });
    const bot = await startDiscordBot({
      config,
      engine,
      logger,
      ...(options.sharding ? { sharding: options.sharding } : {}),
      ...(options.deferAfterMs !== undefined ? { deferAfterMs: options.deferAfterMs } : {}),
      ...(options.maxPendingReplies !== undefined ? { maxPendingReplies: options.maxPendingReplies } : {}),
    });
    return {
      server,
      bot,
      engine,
      config,
      logs,
      async close() {
        await bot.stop();
        await engine.close();
        await server.close();
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}
