/**
 * Logging, on stderr, so that stdout stays clean for answers and JSON Lines. A `Logger` takes a message
 * and optional context; each call is one record, written in one of two formats:
 * - `json`: one JSON object per line, through pino, for a log collector (the default when stderr is not a
 *   terminal: a container, a service manager, a pipe);
 * - `pretty`: one readable line per event, `time LEVEL [shard 0/2] [answer worker] message key=value …`
 *   (the default on a terminal).
 * Worker threads have no output of their own: they post their records (postingLogger) to the thread that
 * writes the log, which adds which worker it was (relayLog). Errors in the context carry their causes; an
 * ExpectedError (a bad setting, a missing folder, a rejected token) carries no stack trace.
 */
import { createRequire } from "node:module";
import type pino from "pino";

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
type Level = Exclude<LogLevel, "silent">;

export const LOG_FORMATS = ["pretty", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export type LogContext = Record<string, unknown>;

export interface Logger {
  debug(message: string, context?: LogContext): void;
  info(message: string, context?: LogContext): void;
  warn(message: string, context?: LogContext): void;
  error(message: string, context?: LogContext): void;
}

/**
 * A failure whose message says everything the operator needs (a bad setting, a missing folder, a rejected
 * token): logged without a stack trace, which would only bury the message.
 */
export class ExpectedError extends Error {}

/** An Error as a log record holds it: plain data, so it can be written as JSON and posted between threads. */
export interface SerializedError {
  type: string;
  message: string;
  /** Absent for an ExpectedError. */
  stack?: string;
  cause?: unknown;
  /** The errors of an AggregateError (e.g. each address a connection was tried on). */
  errors?: SerializedError[];
  /** Own fields with a plain value, such as `code`, `status`, `method`, `url`. */
  [field: string]: unknown;
}

const MAX_CAUSES = 8;

export function serializeError(error: Error, depth = 0): SerializedError {
  const out: SerializedError = { type: error.name || error.constructor.name, message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (key !== "name" && key !== "cause" && key !== "errors" && (typeof value === "string" || typeof value === "number" || typeof value === "boolean"))
      out[key] = value;
  }
  if (!(error instanceof ExpectedError) && error.stack) out.stack = error.stack;
  if (depth < MAX_CAUSES) {
    if (error.cause instanceof Error) out.cause = serializeError(error.cause, depth + 1);
    else if (error.cause !== undefined) out.cause = plainValue(error.cause);
    if (error instanceof AggregateError) out.errors = error.errors.filter((e): e is Error => e instanceof Error).map((e) => serializeError(e, depth + 1));
  }
  return out;
}

function isSerializedError(value: unknown): value is SerializedError {
  return (
    typeof value === "object" && value !== null && typeof (value as SerializedError).type === "string" && typeof (value as SerializedError).message === "string"
  );
}

/** A context value as plain data: errors serialized, and anything that JSON cannot hold made a string. */
function plainValue(value: unknown): unknown {
  if (value instanceof Error) return serializeError(value);
  if (typeof value === "bigint" || typeof value === "symbol" || typeof value === "function") return String(value);
  if (typeof value !== "object" || value === null) return value;
  try {
    return JSON.parse(
      JSON.stringify(value, (_key, inner: unknown) => (inner instanceof Error ? serializeError(inner) : typeof inner === "bigint" ? String(inner) : inner)),
    );
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function plainContext(context: LogContext | undefined): LogContext {
  const out: LogContext = {};
  if (!context) return out;
  for (const [key, value] of Object.entries(context)) if (value !== undefined) out[key] = plainValue(value);
  return out;
}

// ---- pretty -------------------------------------------------------------------------------------------

const COLORS: Record<Level, string> = { debug: "\x1b[90m", info: "\x1b[36m", warn: "\x1b[33m", error: "\x1b[31m" };

/** "Type: message (code=…)" and its causes, and for an unexpected error where it was thrown: one line. */
function prettyError(error: SerializedError): string {
  const fields = Object.entries(error)
    .filter(([key]) => !["type", "message", "stack", "cause", "errors"].includes(key))
    .map(([key, value]) => `${key}=${String(value)}`);
  const frame = error.stack?.split("\n").find((line) => line.trimStart().startsWith("at "));
  let text = `${error.type}: ${error.message}${fields.length ? ` (${fields.join(" ")})` : ""}`;
  if (frame) text += ` ${frame.trim().replaceAll(`file://${process.cwd()}/`, "").replaceAll(`${process.cwd()}/`, "")}`;
  if (error.errors?.length) text += ` [${error.errors.map(prettyError).join("; ")}]`;
  if (error.cause !== undefined) text += `; caused by ${isSerializedError(error.cause) ? prettyError(error.cause) : prettyValue(error.cause)}`;
  return text;
}

function prettyValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (isSerializedError(value)) return prettyError(value);
  return JSON.stringify(value);
}

/** Shard and worker lead the line, in brackets, so that interleaved processes and threads read apart. */
function prettyPrefix(record: LogContext): string {
  let prefix = "";
  const { shard, shardCount, worker } = record;
  // Context values are numbers and names; prettyValue writes anything else readably.
  if (shard !== undefined)
    prefix += `[shard ${Array.isArray(shard) ? shard.join(",") : prettyValue(shard)}${shardCount !== undefined ? `/${prettyValue(shardCount)}` : ""}] `;
  if (worker !== undefined) prefix += `[${prettyValue(worker)} worker] `;
  return prefix;
}

/** One pretty line: `2024-05-01T12:00:00.000Z INFO  [shard 0/2] message key=value`. */
export function formatPretty(level: Level, message: string, record: LogContext, color = false, time = new Date()): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (key !== "shard" && key !== "shardCount" && key !== "worker") parts.push(`${key}=${prettyValue(value)}`);
  }
  const label = level.toUpperCase().padEnd(5);
  const stamp = time.toISOString();
  const head = color ? `\x1b[2m${stamp}\x1b[0m ${COLORS[level]}${label}\x1b[0m` : `${stamp} ${label}`;
  // One event, one line, whatever the message or a value holds.
  return `${head} ${prettyPrefix(record)}${message}${parts.length ? " " + parts.join(" ") : ""}`.replace(/\r\n|\r|\n/g, "\\n");
}

// ---- loggers ------------------------------------------------------------------------------------------

export interface LogOutput {
  /** Default: pretty when stderr is a terminal, json otherwise. */
  format?: LogFormat | undefined;
  /** Fields on every line, such as `shard` and `shardCount` in a shard process. */
  bindings?: LogContext;
  /** Where each line goes (without its newline); default stderr. */
  write?: (line: string) => void;
}

const writeStderr = (line: string) => void process.stderr.write(line + "\n");

// pino is loaded only where a log is written as JSON: worker threads post their records instead, and
// should not pay for loading it at every start.
const require = createRequire(import.meta.url);

/** pino's own fields: a context field of the same name is written with a `_` after it instead. */
const RECORD_FIELDS = new Set(["level", "time", "msg"]);

function jsonWriter(write: (line: string) => void, bindings: LogContext): (level: Level, message: string, context: LogContext) => void {
  const createPino = require("pino") as typeof pino;
  const out = createPino(
    {
      level: "debug",
      // No pid or hostname: the container or service manager records where a line came from, and shard
      // processes say which shard they are. The bindings are merged into each record instead, so that a
      // context field of the same name (a shard id) replaces them rather than repeating the key.
      base: null,
      timestamp: createPino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (line: string) => write(line.endsWith("\n") ? line.slice(0, -1) : line) },
  );
  return (level, message, context) => {
    const record: LogContext = { ...bindings };
    for (const [key, value] of Object.entries(context)) record[RECORD_FIELDS.has(key) ? `${key}_` : key] = value;
    out[level](record, message);
  };
}

/**
 * A logger at `level`. `output` is where and how: a function is a line sink for pretty lines (tests and
 * benchmarks collect lines this way); otherwise the format, fixed fields and sink (see LogOutput).
 */
export function createLogger(level: LogLevel = "info", output: LogOutput | ((line: string) => void) = {}): Logger {
  const { format, bindings = {}, write = writeStderr } = typeof output === "function" ? { format: "pretty" as const, write: output } : output;
  const threshold = LOG_LEVELS.indexOf(level);
  const toStderr = write === writeStderr;
  const chosen = format ?? (toStderr && process.stderr.isTTY ? "pretty" : "json");
  let emit: (level: Level, message: string, context: LogContext) => void;
  if (chosen === "json") {
    emit = jsonWriter(write, bindings);
  } else {
    const color = toStderr && Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
    emit = (lvl, message, context) => write(formatPretty(lvl, message, { ...bindings, ...context }, color));
  }
  const at = (lvl: Level) => (message: string, context?: LogContext) => {
    if (LOG_LEVELS.indexOf(lvl) >= threshold) emit(lvl, message, plainContext(context));
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

const ignore = () => undefined;
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** A log record on its way from a worker thread to the thread that writes the log. */
export interface PostedLog {
  log: Level;
  message: string;
  context?: LogContext;
}

/** A logger for a worker thread: each record (its context as plain data) is posted for the parent thread to log. */
export function postingLogger(post: (record: PostedLog) => void): Logger {
  const at = (log: Level) => (message: string, context?: LogContext) => post({ log, message, ...(context ? { context: plainContext(context) } : {}) });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/**
 * Logs a record posted by the `worker` thread ("answer", "build"). A record relayed through several
 * threads keeps the name of the one it came from.
 */
export function relayLog(logger: Logger, record: PostedLog, worker: string): void {
  logger[record.log](record.message, { worker, ...record.context });
}
