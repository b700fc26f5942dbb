/**
 * What every entry point (npm start, the CLI commands, the sharded launcher) does to start: read the
 * settings and open the engine, or explain on stderr why not, with the exit code that says whose fault it is.
 */
import { snapshotPathFor } from "./answer/builder.ts";
import { AnswerEngine, KnowledgeError, type EngineOptions } from "./answer/engine.ts";
import { ThreadedEngine } from "./answer/threaded.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { HEALTH_PATH, HealthError, serveHealth, type HealthServer, type Readiness } from "./health.ts";
import type { Logger } from "./log.ts";

/** Exit code for a usage or knowledge-folder problem, as opposed to 1 for a failure while running. */
export const EXIT_USAGE = 2;

/**
 * A reader that stops early (`ask … | head`) closes the pipe; that is not an error worth a stack trace.
 * Call once at the start of a command that writes to stdout.
 */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

/** For the long-running entry points: a bad setting is explained on stderr, with exit code 2. */
export function failOnConfig(message: string): never {
  process.stderr.write(`${message}\nFix it in .env or the environment (see .env.example).\n`);
  process.exit(EXIT_USAGE);
}

/** The settings, or `fail` (which exits) with the message naming the bad variable and value. */
export function loadConfigOr(fail: (message: string) => never): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

type OpenOptions = EngineOptions & { cacheDir?: string | undefined; threaded?: boolean };

/**
 * Opens the engine — in this thread, or with `threaded` in a worker thread (the bot) — or explains on
 * stderr why it cannot, with exit code 2.
 */
export async function openEngineOrExit(dir: string, options: OpenOptions & { threaded: true }): Promise<ThreadedEngine>;
export async function openEngineOrExit(dir: string, options?: OpenOptions): Promise<AnswerEngine>;
export async function openEngineOrExit(dir: string, options: OpenOptions = {}): Promise<AnswerEngine | ThreadedEngine> {
  const { cacheDir, threaded, ...rest } = options;
  const engineOptions = { ...rest, ...(cacheDir ? { snapshot: snapshotPathFor(cacheDir, dir) } : {}) };
  try {
    return await (threaded ? ThreadedEngine.open(dir, engineOptions) : AnswerEngine.open(dir, engineOptions));
  } catch (error) {
    if (error instanceof KnowledgeError) {
      process.stderr.write(`${error.message}\nSet --knowledge DIR or KNOWLEDGE_DIR to a folder of .md or .txt files.\n`);
      process.exit(EXIT_USAGE);
    }
    throw error;
  }
}

/** Serves the health endpoint on `port` (HEALTH_PORT), or logs why it cannot, with exit code 2. */
export async function serveHealthOrExit(port: number, readiness: Readiness, logger: Logger): Promise<HealthServer> {
  try {
    const server = await serveHealth(readiness, port);
    logger.info(`health: serving http://localhost:${server.port}${HEALTH_PATH}`);
    return server;
  } catch (error) {
    if (!(error instanceof HealthError)) throw error;
    logger.error(error.message);
    process.exit(EXIT_USAGE);
  }
}
