/**
 * `npm run start:sharded`: the bot for large servers counts, one process per Discord shard (discord.js's
 * ShardingManager, in src/discord/shards.ts). This process builds or checks the index snapshot once, asks
 * Discord (through DISCORD_API_URL) how many shards to run, spawns them, logs their lifecycle, and on
 * SIGINT/SIGTERM stops them all and exits 0 once they are gone.
 */
import { describeLoad } from "../answer/engine.ts";
import { createLogger } from "../log.ts";
import { EXIT_USAGE, failOnConfig, loadConfigOr, openEngineOrExit } from "../startup.ts";

const NO_TOKEN = `start:sharded: DISCORD_TOKEN is not set. The sharded bot only runs on Discord: put the bot token
in .env as DISCORD_TOKEN=… (see .env.example), or use \`npm start\` to ask questions in the terminal.
`;

async function main(): Promise<void> {
  const config = loadConfigOr(failOnConfig);
  if (!config.discordToken) {
    process.stderr.write(NO_TOKEN);
    process.exit(EXIT_USAGE);
  }
  const logger = createLogger(config.logLevel);
  process.on("unhandledRejection", (reason) => logger.error("unhandled promise rejection", { error: reason }));

  // Until the shards exist a signal has nothing to stop; afterwards it is forwarded to every shard.
  let stop = (signal: NodeJS.Signals): void => {
    logger.info(`received ${signal}, stopping`);
    process.exit(0);
  };
  const onSignal = (signal: NodeJS.Signals) => stop(signal);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  // Build (or check) the snapshot once here, so that the shards all load it rather than all building at once.
  // This also stops a bad KNOWLEDGE_DIR here with one message, instead of once per shard.
  const engine = await openEngineOrExit(config.knowledgeDir, { logger, cacheDir: config.indexCacheDir });
  logger.info(`knowledge: ${config.knowledgeDir}: ${describeLoad(engine.lastLoad)}`);
  await engine.close();
  if (!config.indexCacheDir) logger.warn("INDEX_CACHE_DIR=off: every shard builds the index itself; set a cache folder so they load one snapshot");

  const { planShards, startShards, ShardStartError } = await import("./shards.ts");
  let plan;
  try {
    plan = await planShards(config);
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error));
    process.exit(error instanceof ShardStartError ? error.exitCode : 1);
  }
  logger.info(`shards: running ${plan.ids.length === plan.total ? `all ${plan.total}` : `${plan.ids.length} of ${plan.total} (${plan.ids.join(",")})`} shards`, {
    recommended: plan.recommended,
    setting: config.shards,
    maxConcurrency: plan.maxConcurrency,
  });
  if (plan.remainingStarts < plan.ids.length) {
    logger.warn("shards: Discord's daily session starts are nearly used up; some shards may not connect until it resets", { remaining: plan.remainingStarts });
  }
  if (config.shards !== "auto" && plan.total < plan.recommended) {
    logger.warn(`shards: SHARDS=${plan.total} is below Discord's recommendation of ${plan.recommended}; Discord refuses too few shards for the bot's guilds`);
  }

  const fleet = startShards({ config, logger, plan });
  let stopping: Promise<void> | undefined;
  stop = (signal) => {
    stopping ??= (async () => {
      logger.info(`received ${signal}, stopping ${fleet.pids().size} shard process(es)`);
      const clean = await fleet.stop(signal);
      logger.info("shards: all stopped");
      process.exit(clean ? 0 : 1);
    })();
  };
  try {
    await fleet.ready;
    logger.info(`shards: all ${plan.ids.length} connected`);
  } catch (error) {
    if (stopping) return;
    logger.error(error instanceof Error ? error.message : String(error));
    await fleet.stop("SIGTERM");
    process.exit(error instanceof ShardStartError ? error.exitCode : 1);
  }
}

await main();
