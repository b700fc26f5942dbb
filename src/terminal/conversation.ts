/**
 * The terminal adapter: answers typed or piped questions, for `npm start` without a Discord token and for
 * `npm run ask`. Works with any AnswerService (the engine in this thread or in a worker).
 */
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { AnswerService } from "../answer/service.ts";
import { ansiStyle, plainStyle, renderAnswer } from "./render.ts";

export interface TerminalOptions {
  json: boolean;
  top: number;
  /** Show a prompt and a greeting (a person at a terminal) rather than just answering lines (a pipe). */
  interactive: boolean;
  input: Readable;
  output: Writable & { isTTY?: boolean };
}

/** Formats one answer for output: one JSON object per line, or text for a person. */
export async function formatAnswer(engine: AnswerService, question: string, options: Pick<TerminalOptions, "json" | "top" | "output">, context?: string): Promise<string> {
  const answer = await engine.ask(question, { top: options.top, ...(context ? { context } : {}) });
  if (options.json) return JSON.stringify(answer);
  return renderAnswer(answer, options.output.isTTY ? ansiStyle : plainStyle);
}

/**
 * Answers one question per input line until the input ends. In interactive mode it greets, prompts,
 * and treats a short follow-up as part of the previous question's conversation.
 */
export async function answerLines(engine: AnswerService, options: TerminalOptions): Promise<void> {
  const { output } = options;
  const rl = createInterface({ input: options.input, ...(options.interactive ? { output, prompt: "? " } : {}), terminal: options.interactive && Boolean(output.isTTY) });
  let previous: string | undefined;
  if (options.interactive) {
    const { documents, passages } = engine.lastLoad;
    output.write(`Ask a question about the knowledge in ${engine.dir} (${documents} documents, ${passages} passages). Ctrl+D to quit.\n`);
    rl.prompt();
  }
  for await (const line of rl) {
    const question = line.trim();
    if (question) {
      output.write((await formatAnswer(engine, question, options, options.interactive ? previous : undefined)) + "\n" + (options.json || !options.interactive ? "" : "\n"));
      if (!options.json && !options.interactive) output.write("\n");
      previous = question;
    } else if (options.json && !options.interactive) {
      output.write(JSON.stringify(await engine.ask("")) + "\n");
    }
    if (options.interactive) rl.prompt();
  }
  if (options.interactive) output.write("\n");
}
