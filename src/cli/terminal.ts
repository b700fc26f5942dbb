import { createInterface } from "node:readline";
import { StringDecoder } from "node:string_decoder";
import type { Readable, Writable } from "node:stream";
import { snapshotPathFor } from "../answer/builder.ts";
import { ConfigError, loadConfig, type Config } from "../config.ts";
import { AnswerEngine, KnowledgeError, type EngineOptions } from "../answer/engine.ts";
import { ThreadedEngine } from "../answer/threaded.ts";
import { ansiStyle, plainStyle, renderAnswer } from "./render.ts";

export interface TerminalOptions {
  json: boolean;
  top: number;
  /** Show a prompt and a greeting (a person at a terminal) rather than just answering lines (a pipe). */
  interactive: boolean;
  input: Readable;
  output: Writable & { isTTY?: boolean };
}

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

/**
 * One JSON Lines record. JSON.stringify escapes every control character but leaves U+0085, U+2028 and
 * U+2029 as they are: valid JSON, yet line breaks to many line readers (Python's splitlines, editors), so
 * a question holding one would read as two records. Escaped, the value is the same.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Formats one answer for output: one JSON object per line, or text for a person. */
export function formatAnswer(engine: AnswerEngine, question: string, options: Pick<TerminalOptions, "json" | "top" | "output">, context?: string): string {
  const answer = engine.ask(question, { top: options.top, ...(context ? { context } : {}) });
  if (options.json) return jsonLine(answer);
  return renderAnswer(answer, options.output.isTTY ? ansiStyle : plainStyle);
}

/**
 * The lines of a stream, split at "\n" only (a "\r" before it is dropped). readline also ends a line at
 * a lone "\r", so a question holding one would get two answers; the batch contract is one answer per
 * line. Searching only the newly arrived text keeps a huge line linear.
 */
export async function* inputLines(input: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  for await (const chunk of input) {
    let searched = pending.length;
    pending += typeof chunk === "string" ? chunk : decoder.write(chunk as Buffer);
    let end: number;
    while ((end = pending.indexOf("\n", searched)) >= 0) {
      yield pending.slice(0, end).replace(/\r$/, "");
      pending = pending.slice(end + 1);
      searched = 0;
    }
  }
  pending += decoder.end();
  if (pending) yield pending.replace(/\r$/, "");
}

/**
 * Answers one question per input line until the input ends. In interactive mode it greets, prompts,
 * and treats a short follow-up as part of the previous question's conversation.
 */
export async function answerLines(engine: AnswerEngine, options: TerminalOptions): Promise<void> {
  const { output } = options;
  const rl = options.interactive ? createInterface({ input: options.input, output, prompt: "? ", terminal: Boolean(output.isTTY) }) : undefined;
  let previous: string | undefined;
  if (rl) {
    const { documents, passages } = engine.lastLoad;
    output.write(`Ask a question about the knowledge in ${engine.dir} (${documents} documents, ${passages} passages). Ctrl+D to quit.\n`);
    rl.prompt();
  }
  for await (const line of rl ?? inputLines(options.input)) {
    const question = line.trim();
    if (question) {
      output.write(formatAnswer(engine, question, options, options.interactive ? previous : undefined) + "\n" + (options.json || !options.interactive ? "" : "\n"));
      if (!options.json && !options.interactive) output.write("\n");
      previous = question;
    } else if (options.json && !options.interactive) {
      output.write(jsonLine(engine.ask("")) + "\n");
    }
    rl?.prompt();
  }
  if (options.interactive) output.write("\n");
}
