/** Helpers for the feedback tests: a temporary DATA_DIR, a logger that keeps its lines, and answers to log. */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";
import type { Answer, AnswerResult } from "../../src/answer/types.ts";
import { createLogger, type Logger } from "../../src/log.ts";

export async function tempDir(t: TestContext, prefix = "kb-feedback-"): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A logger at debug level whose lines (without the timestamp) are kept in `lines`. */
export function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger("debug", (line) => lines.push(line.replace(/^\S+ /, "")));
  return Object.assign(logger, { lines });
}

export function result(key: string, path: string, section: string[], text = "Some passage text."): AnswerResult {
  return { key, text, answer: text, answerKind: "sentence", answerStart: 0, score: 1, source: { path, title: path, section, passage: 1, line: 1 }, highlights: [] };
}

export function answered(question: string, results: AnswerResult[] = [result("k1", "guide.md", ["Install"])]): Answer {
  return { question, answered: true, confidence: 0.9, results };
}

export function unsure(question: string, results: AnswerResult[] = [result("k2", "guide.md", ["Usage"])]): Answer {
  return { question, answered: false, reason: "unsure", confidence: 0.2, results };
}

export function noMatch(question: string): Answer {
  return { question, answered: false, reason: "no-match", confidence: 0, results: [] };
}
