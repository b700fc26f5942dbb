/**
 * Keeps log lines off the terminal prompt. While the interactive terminal shows its prompt (and maybe a
 * half-typed question), a log line written as it is would land in the middle of it. Whatever writes the
 * log sends its text through `writeAbovePrompt`, which clears the prompt, writes the text, and draws
 * the prompt again with what was typed. A logger only needs a write function for this (createLogger's
 * `write`, or `{ write }` as pino's destination): it knows nothing of the terminal, nor this of the logger.
 */
import { clearScreenDown, cursorTo, moveCursor, type Interface } from "node:readline";
import type { Writable } from "node:stream";

interface ShownPrompt {
  rl: Interface;
  output: Writable;
}

let shown: ShownPrompt | undefined;

/** Shows the prompt of `rl` on `output`, and marks it as shown until `promptAnswered`. */
export function showPrompt(rl: Interface, output: Writable & { isTTY?: boolean }): void {
  // Only a terminal has a prompt line to redraw; a pipe just gets the text in order.
  shown = output.isTTY ? { rl, output } : undefined;
  rl.prompt();
}

/** The prompt has been answered (a line was entered) or closed: text can be written as it is. */
export function promptAnswered(): void {
  shown = undefined;
}

/** Writes `text` to `stream` (stderr, for the log) above the prompt, if one is shown. */
export function writeAbovePrompt(stream: Writable, text: string): void {
  const prompt = shown;
  if (!prompt) {
    stream.write(text);
    return;
  }
  // Back to where the prompt starts (the typed line may have wrapped), and clear it.
  moveCursor(prompt.output, 0, -prompt.rl.getCursorPos().rows);
  cursorTo(prompt.output, 0);
  clearScreenDown(prompt.output);
  stream.write(text.endsWith("\n") ? text : `${text}\n`);
  // The prompt and what was typed so far, with the cursor where it was.
  prompt.rl.prompt(true);
}

/** A log line to stderr that never lands on the prompt: the `write` to give a logger. */
export function writeLogLine(line: string): void {
  writeAbovePrompt(process.stderr, `${line}\n`);
}
