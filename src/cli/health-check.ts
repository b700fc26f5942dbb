/**
 * `npm run health-check`, and the Dockerfile's HEALTHCHECK: asks the running bot's health endpoint
 * (HEALTH_PORT, on this host) once, prints what it answered, and exits 0 when the bot is ready and 1
 * otherwise: not ready, not answering, or no HEALTH_PORT to ask (Docker reserves exit code 2). It imports
 * no engine code: a container runs it every 30 s.
 */
import { ConfigError, loadConfig } from "../config.ts";
import { HEALTH_PATH, probeHealth } from "../health.ts";

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

let port: number | undefined;
try {
  port = loadConfig().healthPort;
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
if (port === undefined) fail("health-check: HEALTH_PORT is not set, so the bot serves no health endpoint to ask.");
const { healthy, line } = await probeHealth(`http://127.0.0.1:${port}${HEALTH_PATH}`);
(healthy ? process.stdout : process.stderr).write(line + "\n");
process.exitCode = healthy ? 0 : 1;
