import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { snapshotPathFor } from "../answer/builder.ts";
import { ConfigError, loadConfig, type Config } from "../config.ts";
import { AnswerEngine, KnowledgeError, type EngineOptions } from "../answer/engine.ts";
import { ThreadedEngine } from "../answer/threaded.ts";
import type { Answer } from "../answer/types.ts";
import { plural, someTopics } from "../answer/display.ts";
import { showPrompt, promptAnswered } from "./prompt-guard.ts";
import { HEALTH_PATH, HealthError, serveHealth, type HealthServer, type Readiness } from "../health.ts";
import type { Logger } from "../log.ts";
import { ansiStyle, plainStyle, renderAnswer } from "./render.ts";

export interface TerminalOptions {
  json: boolean;
  top: number;
  /** Show a prompt and a greeting (a person at a terminal) rather than just answering lines (a pipe). */
  interactive: boolean;
  input: Readable;
  output: Output;
  /** Called with each answer and how long it took (the question log). */
  onAnswer?: ((answer: Answer, durationMs: number) => void) | undefined;
}

/** Where answers go: a terminal (styled, wrapped to its columns) or a pipe (plain, one line per paragraph). */
export type Output = Writable & { isTTY?: boolean; columns?: number };

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

/** Exit code for a usage or knowledge-folder problem, as opposed to 1 for a failure while running. */
export const EXIT_USAGE = 2;

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

/**
 * Formats one answer for output: one JSON object per line, or text for a person. On a terminal the text is
 * styled and wrapped to its width; in a pipe it is plain and not wrapped, so other programs get whole lines.
 */
export function formatAnswer(engine: AnswerEngine, question: string, options: Pick<TerminalOptions, "json" | "top" | "output" | "onAnswer">, context?: string): string {
  const started = performance.now();
  const answer = engine.ask(question, { top: options.top, ...(context ? { context } : {}) });
  options.onAnswer?.(answer, performance.now() - started);
  if (options.json) return JSON.stringify(answer);
  const { output } = options;
  const topics = answer.reason === "no-match" ? someTopics(engine.sources()) : undefined;
  return renderAnswer(answer, {
    style: output.isTTY ? ansiStyle : plainStyle,
    ...(output.isTTY && output.columns ? { width: output.columns } : {}),
    ...(topics ? { topics } : {}),
  });
}

/**
 * Answers one question per input line until the input ends. In interactive mode it greets, prompts,
 * and treats a short follow-up as part of the previous question's conversation.
 */
export async function answerLines(engine: AnswerEngine, options: TerminalOptions): Promise<void> {
  const { output } = options;
  const rl = createInterface({ input: options.input, ...(options.interactive ? { output, prompt: "? " } : {}), terminal: options.interactive && Boolean(output.isTTY) });
  let previous: string | undefined;
  if (options.interactive) {
    const { documents, passages } = engine.lastLoad;
    output.write(`Ask a question about the knowledge in ${engine.dir} (${plural(documents, "document")}, ${plural(passages, "passage")}). Ctrl+D to quit.\n`);
    showPrompt(rl, output);
  }
  for await (const line of rl) {
    promptAnswered();
    const question = line.trim();
    if (question) {
      output.write(formatAnswer(engine, question, options, options.interactive ? previous : undefined) + "\n" + (options.json || !options.interactive ? "" : "\n"));
      if (!options.json && !options.interactive) output.write("\n");
      previous = question;
    } else if (options.json && !options.interactive) {
      output.write(JSON.stringify(engine.ask("")) + "\n");
    }
    if (options.interactive) showPrompt(rl, output);
  }
  promptAnswered();
  if (options.interactive) output.write("\n");
}
