/**
 * How a Discord API call that fails at start is told to the operator, in one line that says what to do:
 * the same words for `deploy-commands` and for the bot's login. A rejected token and an API that cannot
 * be reached are expected failures (ExpectedError): no stack trace, a clear exit code.
 */
import { DiscordAPIError, DiscordjsError, DiscordjsErrorCodes } from "discord.js";
import { ExpectedError } from "../log.ts";

export const TOKEN_REJECTED =
  "DISCORD_TOKEN was rejected by Discord (401 Unauthorized): copy the bot token again from the Developer Portal (Bot → Reset Token).";

/** Discord answered 401, whether discord.js reports it as an API error (REST) or as an invalid token (login). */
export function isTokenRejected(error: unknown): boolean {
  return (error instanceof DiscordAPIError && error.status === 401) || (error instanceof DiscordjsError && error.code === DiscordjsErrorCodes.TokenInvalid);
}

/** An API error as its status and message; a network error as its message (e.g. `connect ECONNREFUSED 127.0.0.1:9`). */
export function describeApiError(error: unknown): string {
  if (error instanceof DiscordAPIError) return `${error.status} ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Exit code for a bad setting (as in startup.ts): starting again cannot help until it is fixed. */
const EXIT_USAGE = 2;

/** The bot could not log in. `exitCode` is 2 for a rejected token (a setting to fix) and 1 otherwise. */
export class DiscordStartError extends ExpectedError {
  override name = "DiscordStartError";
  readonly exitCode: number;
  constructor(message: string, exitCode: number, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/** The one-line reason a login through `apiUrl` failed. */
export function loginFailure(error: unknown, apiUrl: string): DiscordStartError {
  if (isTokenRejected(error)) return new DiscordStartError(TOKEN_REJECTED, EXIT_USAGE, { cause: error });
  return new DiscordStartError(`Could not log in to Discord through ${apiUrl} (GET /gateway/bot): ${describeApiError(error)}`, 1, { cause: error });
}
