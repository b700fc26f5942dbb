/**
 * `npm run start:sharded`: the bot for many servers. Asks Discord (through DISCORD_API_URL) how many shards
 * to run, then:
 * - up to SHARDS_PER_PROCESS (16) shards on this host: runs them all in this process (discord.js internal
 *   sharding; the bot of `main.ts` with one engine and one index for every shard);
 * - more: one process per group of up to SHARDS_PER_PROCESS shards (discord.js's ShardingManager, in
 *   shards.ts). This process builds or checks the index snapshot once, spawns the processes, logs their
 *   lifecycle, and on SIGINT/SIGTERM stops them all and exits 0 once they are gone.
 */
import { describeLoad } from "../answer/engine.ts";
import { READY, Readiness } from "../health.ts";
import { createLogger } from "../log.ts";
import { EXIT_USAGE, failOnConfig, loadConfigOr, openEngineOrExit, serveHealthOrExit } from "../startup.ts";
import { describeShards, planShards, shardGroups, ShardStartError, startShards, type ShardPlan } from "./shards.ts";

const NO_TOKEN = `start:sharded: DISCORD_TOKEN is not set. The sharded bot only runs on Discord: put the bot token
in .env as DISCORD_TOKEN=… (see .env.example), or use \`npm start\` to ask questions in the terminal.
`;

async function main(): Promise<void> {
  const config = loadConfigOr(failOnConfig);
  if (!config.discordToken) {
    process.stderr.write(NO_TOKEN);
    process.exit(EXIT_USAGE);
  }
  const logger = createLogger(config.logLevel, { format: config.logFormat });
  process.on("unhandledRejection", (reason) => logger.error("unhandled promise rejection", { error: reason }));

  // Until the shards exist a signal has nothing to stop; afterwards it is forwarded to every shard.
  let stop = (signal: NodeJS.Signals): void => {
    logger.info(`received ${signal}, stopping`);
    process.exit(0);
  };
  const onSignal = (signal: NodeJS.Signals) => stop(signal);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  let plan: ShardPlan;
  try {
    plan = await planShards(config);
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error));
    process.exit(error instanceof ShardStartError ? error.exitCode : 1);
  }
  const groups = shardGroups(plan.ids, config.shardsPerProcess);
  const which = plan.ids.length === plan.total ? `all ${plan.total}` : `${plan.ids.length} of ${plan.total} (${describeShards(plan.ids)})`;
  const where = groups.length === 1 ? "in this process" : `in ${groups.length} processes of up to ${config.shardsPerProcess}`;
  logger.info(`shards: running ${which} shards ${where}`, { recommended: plan.recommended, setting: config.shards, maxConcurrency: plan.maxConcurrency });
  if (plan.remainingStarts < plan.ids.length) {
    logger.warn("shards: Discord's daily session starts are nearly used up; some shards may not connect until it resets", { remaining: plan.remainingStarts });
  }
  if (config.shards !== "auto" && plan.total < plan.recommended) {
    logger.warn(`shards: SHARDS=${plan.total} is below Discord's recommendation of ${plan.recommended}; Discord refuses too few shards for the bot's guilds`);
  }

  if (groups.length === 1) {
    // The bot itself, with this plan as its settings: SHARDS and SHARD_LIST are what main.ts gives discord.js.
    process.env.SHARDS = String(plan.total);
    process.env.SHARD_LIST = plan.ids.join(",");
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await import("../main.ts");
    return;
  }

  // The manager answers HEALTH_PORT for the whole fleet: ready once the index is checked and every shard is connected.
  const readiness = new Readiness();
  readiness.set("index", "loading");
  readiness.set("gateway", "connecting");
  if (config.healthPort !== undefined) await serveHealthOrExit(config.healthPort, readiness, logger);

  // Build (or check) the snapshot once here, so that the processes all load it rather than all building at once.
  // This also stops a bad KNOWLEDGE_DIR here with one message, instead of once per process.
  const engine = await openEngineOrExit(config.knowledgeDir, { logger, cacheDir: config.indexCacheDir });
  logger.info(`knowledge: ${config.knowledgeDir}: ${describeLoad(engine.lastLoad)}`);
  await engine.close();
  readiness.set("index", READY);
  if (!config.indexCacheDir) logger.warn("INDEX_CACHE_DIR=off: every shard process builds the index itself; set a cache folder so they load one snapshot");

  const fleet = startShards({ config, logger, plan, perProcess: config.shardsPerProcess });
  readiness.set("gateway", () => {
    const waiting = [...fleet.manager.shards.values()].filter((shard) => !shard.ready).flatMap((shard) => fleet.groups[shard.id] ?? [shard.id]);
    return waiting.length ? `shard ${waiting.join(",")} not connected` : READY;
  });
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
