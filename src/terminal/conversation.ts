/**
 * The terminal adapter: answers typed or piped questions, for `npm start` without a Discord token and for
 * `npm run ask`. Works with any AnswerService (the engine in this thread or in a worker).
 */
import { createInterface } from "node:readline";
import type { Writable, Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { plural, someTopics } from "../answer/display.ts";
import type { AnswerService } from "../answer/service.ts";
import type { Answer } from "../answer/types.ts";
import { promptAnswered, showPrompt } from "./prompt-guard.ts";
import { ansiStyle, plainStyle, renderAnswer } from "./render.ts";

/** Where answers go: a terminal (styled, wrapped to its columns) or a pipe (plain, one line per paragraph). */
export type Output = Writable & { isTTY?: boolean; columns?: number };

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

/**
 * One JSON Lines record. JSON.stringify escapes every control character but leaves U+0085, U+2028 and
 * U+2029 as they are: valid JSON, yet line breaks to many line readers (Python's splitlines, editors), so
 * a question holding one would read as two records. Escaped, the value is the same.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
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
 * Formats one answer for output: one JSON object per line, or text for a person. On a terminal the text is
 * styled and wrapped to its width; in a pipe it is plain and not wrapped, so other programs get whole lines.
 */
export async function formatAnswer(
  engine: AnswerService,
  question: string,
  options: Pick<TerminalOptions, "json" | "top" | "output" | "onAnswer">,
  context?: string,
): Promise<string> {
  const started = performance.now();
  const answer = await engine.ask(question, { top: options.top, ...(context ? { context } : {}) });
  options.onAnswer?.(answer, performance.now() - started);
  if (options.json) return jsonLine(answer);
  const { output } = options;
  const topics = answer.reason === "no-match" ? someTopics(await engine.sources()) : undefined;
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
export async function answerLines(engine: AnswerService, options: TerminalOptions): Promise<void> {
  const { output } = options;
  // A person at a terminal gets readline (editing, a prompt); a pipe gets its lines split at "\n" only.
  const rl = options.interactive ? createInterface({ input: options.input, output, prompt: "? ", terminal: Boolean(output.isTTY) }) : undefined;
  let previous: string | undefined;
  if (rl) {
    const { documents, passages } = engine.lastLoad;
    output.write(`Ask a question about the knowledge in ${engine.dir} (${plural(documents, "document")}, ${plural(passages, "passage")}). Ctrl+D to quit.\n`);
    showPrompt(rl, output);
  }
  for await (const line of rl ?? inputLines(options.input)) {
    promptAnswered();
    const question = line.trim();
    if (question) {
      output.write(
        (await formatAnswer(engine, question, options, options.interactive ? previous : undefined)) + "\n" + (options.json || !options.interactive ? "" : "\n"),
      );
      if (!options.json && !options.interactive) output.write("\n");
      previous = question;
    } else if (options.json && !options.interactive) {
      output.write(jsonLine(await engine.ask("")) + "\n");
    }
    if (rl) showPrompt(rl, output);
  }
  promptAnswered();
  if (options.interactive) output.write("\n");
}
