/**
 * A small levelled logger on stderr, so that stdout stays clean for answers and JSON Lines.
 * Structured context goes after the message as `key=value` pairs.
 */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

function formatContext(context: Record<string, unknown> | undefined): string {
  if (!context) return "";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(context)) {
    if (value === undefined) continue;
    const text = value instanceof Error ? (value.stack ?? value.message) : typeof value === "string" ? value : JSON.stringify(value);
    parts.push(`${key}=${text}`);
  }
  return parts.length ? " " + parts.join(" ") : "";
}

export function createLogger(level: LogLevel = "info", write: (line: string) => void = (line) => process.stderr.write(line + "\n")): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (lvl: Exclude<LogLevel, "silent">) => (message: string, context?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(lvl) < threshold) return;
    write(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${message}${formatContext(context)}`);
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

export const silentLogger: Logger = createLogger("silent");

/** A logger that puts `prefix` before every message, e.g. `[shard 1/4] ` in a shard process. */
export function prefixedLogger(logger: Logger, prefix: string): Logger {
  return {
    debug: (message, context) => logger.debug(prefix + message, context),
    info: (message, context) => logger.info(prefix + message, context),
    warn: (message, context) => logger.warn(prefix + message, context),
    error: (message, context) => logger.error(prefix + message, context),
  };
}

/** A log line on its way from a worker thread to the thread that writes the log. */
export interface PostedLog {
  log: Exclude<LogLevel, "silent">;
  message: string;
}

/** A logger for a worker thread: each line (its context folded in) is posted for the parent thread to log. */
export function postingLogger(post: (line: PostedLog) => void): Logger {
  const at = (log: PostedLog["log"]) => (message: string, context?: Record<string, unknown>) => post({ log, message: message + formatContext(context) });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
