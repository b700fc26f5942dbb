/**
 * `npm start`: the bot. With DISCORD_TOKEN it serves Discord; without, it answers in the terminal
 * (or from piped input) and says how to connect it. Either way the knowledge folder is watched.
 */
import { describeLoad } from "./answer/engine.ts";
import type { AnswerService } from "./answer/service.ts";
import { failOnConfig, loadConfigOr, openEngineOrExit } from "./startup.ts";
import { answerLines } from "./terminal/conversation.ts";
import type { Config } from "./config.ts";
import { watchKnowledge, type KnowledgeWatcher } from "./knowledge/watch.ts";
import { createLogger, prefixedLogger, type Logger } from "./log.ts";

const CONNECT_HINT = `No DISCORD_TOKEN is set, so I'm answering here in the terminal.
To connect me to Discord: create an application and bot at https://discord.com/developers/applications,
put its token in .env as DISCORD_TOKEN=… (see .env.example), run \`npm run deploy-commands\` once,
then \`npm start\` again. See the README, "Running the bot on Discord".
`;

function startWatching(config: Config, engine: AnswerService, logger: Logger): KnowledgeWatcher | undefined {
  if (!config.watchKnowledge) return undefined;
  // Reload failures are logged by the engine, which keeps answering from the last good index.
  return watchKnowledge(config.knowledgeDir, () => void engine.reload().catch(() => undefined), { logger, pollIntervalMs: config.watchPollIntervalMs });
}

async function main(): Promise<void> {
  const config = loadConfigOr(failOnConfig);
  const interactiveTerminal = !config.discordToken && Boolean(process.stdin.isTTY);
  // In a terminal conversation, routine log lines would interleave with the answers.
  const baseLogger = createLogger(interactiveTerminal && config.logLevel === "info" ? "warn" : config.logLevel);
  // A shard process of `npm run start:sharded` (src/discord/shards.ts) says which shard it is on every line.
  const shard = config.shardProcess;
  const logger = shard ? prefixedLogger(baseLogger, `[shard ${shard.ids.join(",")}/${shard.count}] `) : baseLogger;
  let stopBot: (() => Promise<void>) | undefined;
  if (shard) {
    // The manager is gone (crashed or killed): nothing would stop or respawn this shard any more.
    process.once("disconnect", () => {
      logger.warn("the shard manager is gone; stopping");
      void (stopBot ? stopBot() : Promise.resolve()).finally(() => process.exit(0));
    });
  }
  process.on("unhandledRejection", (reason) => logger.error("unhandled promise rejection", { error: reason }));

  if (config.discordToken) {
    // The engine answers in a worker thread, and a reload builds in a new one: neither a burst of questions
    // nor a reload of a large folder takes turns with the Discord connection on this thread.
    const engine = await openEngineOrExit(config.knowledgeDir, { logger, threaded: true, cacheDir: config.indexCacheDir });
    logger.info(`knowledge: loaded ${config.knowledgeDir}: ${describeLoad(engine.lastLoad)}`);
    const watcher = startWatching(config, engine, logger);
    const { startDiscordBot, installProcessHandlers } = await import("./discord/bot.ts");
    const { clientSharding } = await import("./discord/shards.ts");
    const bot = await startDiscordBot({ config, engine, logger, sharding: clientSharding(config) });
    stopBot = async () => {
      watcher?.close();
      await bot.stop();
      await engine.close();
    };
    installProcessHandlers({ stop: stopBot }, logger);
    return;
  }

  // The engine answers in a worker, so that reloading a large folder never stalls the terminal.
  const engine = await openEngineOrExit(config.knowledgeDir, { logger, threaded: true, cacheDir: config.indexCacheDir });
  logger.info(`knowledge: loaded ${config.knowledgeDir}: ${describeLoad(engine.lastLoad)}`);
  const watcher = startWatching(config, engine, logger);

  process.stderr.write(CONNECT_HINT);
  const stop = () => {
    watcher?.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  await answerLines(engine, { json: false, top: 3, interactive: Boolean(process.stdin.isTTY), input: process.stdin, output: process.stdout });
  watcher?.close();
  await engine.close();
}

await main();
