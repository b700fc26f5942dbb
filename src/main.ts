/**
 * `npm start` (`node dist/main.js`): the bot. With DISCORD_TOKEN it serves Discord; without, it answers in
 * the terminal (or from piped input) and says how to connect it. Either way the knowledge folder is
 * watched, and with HEALTH_PORT an HTTP endpoint says whether the bot is ready.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { describeLoad } from "./answer/engine.ts";
import type { AnswerService } from "./answer/service.ts";
import type { Answer } from "./answer/types.ts";
import { failOnConfig, loadConfigOr, openEngineOrExit, serveHealthOrExit } from "./startup.ts";
import { answerLines } from "./terminal/conversation.ts";
import { writeLogLine } from "./terminal/prompt-guard.ts";
import type { Config } from "./config.ts";
import { READY, Readiness } from "./health.ts";
import { watchKnowledge, type KnowledgeWatcher } from "./knowledge/watch.ts";
import { createLogger, type Logger } from "./log.ts";

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

function loggerFor(config: Config, interactiveTerminal: boolean): Logger {
  // In a terminal conversation, routine log lines would interleave with the answers.
  const level = interactiveTerminal && config.logLevel === "info" ? "warn" : config.logLevel;
  // A shard process of `npm run start:sharded` (src/discord/shards.ts) says which shard it is on every line.
  const shard = config.shardProcess;
  const bindings = shard ? { shard: shard.ids.length === 1 ? shard.ids[0] : shard.ids, shardCount: shard.count } : {};
  // Log lines go above the terminal prompt, never into it (prompt-guard.ts); pretty unless asked otherwise.
  const format = config.logFormat ?? (process.stderr.isTTY ? "pretty" : "json");
  return createLogger(level, { format, bindings, write: writeLogLine });
}

async function main(): Promise<void> {
  const config = loadConfigOr(failOnConfig);
  const logger = loggerFor(config, !config.discordToken && Boolean(process.stdin.isTTY));
  let stopBot: (() => Promise<void>) | undefined;
  if (config.shardProcess) {
    // The manager is gone (crashed or killed): nothing would stop or respawn this shard any more.
    process.once("disconnect", () => {
      logger.warn("the shard manager is gone; stopping");
      void (stopBot ? stopBot() : Promise.resolve()).finally(() => process.exit(0));
    });
  }
  process.on("unhandledRejection", (reason) => logger.error("unhandled promise rejection", { error: reason }));

  const readiness = new Readiness();
  readiness.set("index", "loading");
  if (config.discordToken) readiness.set("gateway", "connecting");
  // Shard processes inherit the manager's HEALTH_PORT; the manager answers for all of them.
  const health = config.healthPort !== undefined && !config.shardProcess ? await serveHealthOrExit(config.healthPort, readiness, logger) : undefined;

  // The feedback database is best-effort: answering goes on whatever happens to it. It holds the teach
  // records, applied at every build, so it opens before the engine. With QUESTION_LOG=off nothing is logged,
  // and a database is opened only when one is already there (for its teach records): none is made.
  const { openFeedback } = await import("./feedback/feedback.ts");
  const { DATABASE_FILE } = await import("./feedback/store.ts");
  const feedback = config.questionLog || existsSync(path.join(config.dataDir, DATABASE_FILE)) ? openFeedback(config, logger) : undefined;
  const taught = feedback && (await import("./feedback/teach.ts")).taughtSource(feedback.teach);

  if (config.discordToken) {
    // The engine answers in a worker thread, and a reload builds in a new one: neither a burst of questions
    // nor a reload of a large folder takes turns with the Discord connection on this thread.
    const engine = await openEngineOrExit(config.knowledgeDir, { logger, threaded: true, cacheDir: config.indexCacheDir, ...(taught ? { taught } : {}) });
    readiness.set("index", READY);
    logger.info(`knowledge: loaded ${config.knowledgeDir}: ${describeLoad(engine.lastLoad)}`);
    const watcher = startWatching(config, engine, logger);
    const { startDiscordBot, installProcessHandlers, DiscordStartError } = await import("./discord/bot.ts");
    const { clientSharding } = await import("./discord/shards.ts");
    let bot;
    try {
      bot = await startDiscordBot({ config, engine, logger, sharding: clientSharding(config), feedback });
    } catch (error) {
      if (!(error instanceof DiscordStartError)) throw error;
      // A rejected token or an unreachable API: the reason in one line, not a stack trace.
      logger.error(error.message);
      watcher?.close();
      await engine.close();
      process.exit(error.exitCode);
    }
    readiness.set("gateway", () => bot.gatewayState());
    stopBot = async () => {
      watcher?.close();
      await bot.stop();
      await engine.close();
      feedback?.close();
      await health?.close();
    };
    installProcessHandlers({ stop: stopBot }, logger);
    return;
  }

  // The engine answers in a worker, so that reloading a large folder never stalls the terminal.
  const engine = await openEngineOrExit(config.knowledgeDir, { logger, threaded: true, cacheDir: config.indexCacheDir, ...(taught ? { taught } : {}) });
  readiness.set("index", READY);
  logger.info(`knowledge: loaded ${config.knowledgeDir}: ${describeLoad(engine.lastLoad)}`);
  const watcher = startWatching(config, engine, logger);

  process.stderr.write(CONNECT_HINT);
  const stop = () => {
    watcher?.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const onAnswer =
    config.questionLog && feedback
      ? (answer: Answer, durationMs: number) => void feedback.questions.recordQuestion({ surface: "terminal", answer, durationMs })
      : undefined;
  await answerLines(engine, { json: false, top: 3, interactive: Boolean(process.stdin.isTTY), input: process.stdin, output: process.stdout, onAnswer });
  feedback?.close();
  watcher?.close();
  await engine.close();
  await health?.close();
}

await main();
