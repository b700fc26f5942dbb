/**
 * `npm run deploy-commands`: registers the slash commands from `commands.ts`, to DISCORD_GUILD_ID when set
 * (instant; for testing) or globally. A PUT replaces the whole set, so running it twice changes nothing.
 */
import { pathToFileURL } from "node:url";
import { DiscordAPIError, REST, Routes, type RESTGetAPIApplicationCommandsResult, type RESTGetCurrentApplicationResult } from "discord.js";
import { ConfigError, loadConfig } from "../config.ts";
import { createLogger, ExpectedError, type Logger } from "../log.ts";
import { describeApiError as describe, isTokenRejected, TOKEN_REJECTED } from "./api-errors.ts";
import { commandData } from "./commands.ts";

export class DeployError extends ExpectedError {
  override name = "DeployError";
}

export interface DeployOptions {
  token: string | undefined;
  apiUrl: string;
  guildId: string | undefined;
  maxQuestionLength: number;
  logger: Logger;
}

export interface DeployResult {
  applicationId: string;
  scope: "guild" | "global";
  guildId?: string;
  commands: string[];
}

export async function deployCommands(options: DeployOptions): Promise<DeployResult> {
  const { token, apiUrl, guildId, logger } = options;
  if (!token) throw new DeployError("DISCORD_TOKEN is not set: put the bot token in .env (see .env.example) to register commands.");

  // No retries: a bad token or an unreachable API should fail now with its message, not after a minute.
  const rest = new REST({ api: apiUrl, retries: 0, timeout: 15_000 }).setToken(token);

  let application: RESTGetCurrentApplicationResult;
  try {
    application = (await rest.get(Routes.currentApplication())) as RESTGetCurrentApplicationResult;
  } catch (error) {
    if (isTokenRejected(error)) throw new DeployError(TOKEN_REJECTED);
    throw new DeployError(`Could not read the application of DISCORD_TOKEN from ${apiUrl} (GET /applications/@me): ${describe(error)}`);
  }
  if (!application?.id) throw new DeployError(`${apiUrl} returned no application id for DISCORD_TOKEN (GET /applications/@me).`);

  const body = commandData({ maxQuestionLength: options.maxQuestionLength });
  const route = guildId ? Routes.applicationGuildCommands(application.id, guildId) : Routes.applicationCommands(application.id);
  let registered: RESTGetAPIApplicationCommandsResult;
  try {
    registered = (await rest.put(route, { body })) as RESTGetAPIApplicationCommandsResult;
  } catch (error) {
    if (guildId && error instanceof DiscordAPIError && (error.status === 403 || error.status === 404)) {
      throw new DeployError(
        `Discord refused to register commands in DISCORD_GUILD_ID=${JSON.stringify(guildId)} (${describe(error)}): invite the bot to that server with the applications.commands scope, or check the id.`,
      );
    }
    throw new DeployError(`Registering the commands failed: ${describe(error)}`);
  }
  const commands = registered.map((command) => command.name);
  logger.info(guildId ? "deploy-commands: registered in guild (live now)" : "deploy-commands: registered globally (may take up to an hour to appear)", {
    application: application.id,
    ...(guildId ? { guild: guildId } : {}),
    commands: commands.map((name) => `/${name}`).join(" "),
  });
  return { applicationId: application.id, scope: guildId ? "guild" : "global", ...(guildId ? { guildId } : {}), commands };
}

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, { format: config.logFormat });
  try {
    await deployCommands({
      token: config.discordToken,
      apiUrl: config.discordApiUrl,
      guildId: config.discordGuildId,
      maxQuestionLength: config.maxQuestionLength,
      logger,
    });
    return 0;
  } catch (error) {
    logger.error(error instanceof DeployError ? error.message : `deploy-commands: ${describe(error)}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Exit explicitly: the REST client's keep-alive sockets would otherwise hold the process open for a while.
  void main().then((code) => process.exit(code));
}
