/** Helpers for the feedback tests: a temporary DATA_DIR, a logger that keeps its lines, and answers to log. */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";
import type { SourceSummary } from "../../src/answer/engine.ts";
import type { Answer, AnswerResult } from "../../src/answer/types.ts";
import type { LoggedQuestion } from "../../src/feedback/question-log.ts";
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
  return {
    key,
    text,
    answer: text,
    answerKind: "sentence",
    answerStart: 0,
    score: 1,
    source: { path, title: path, section, passage: 1, line: 1 },
    highlights: [],
  };
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

const LIBRARY = { key: "L1", path: "riverside.md", section: ["Orchard Library"] };
const OBSERVATORY = { key: "O1", path: "observatory.txt", section: [] };
const MUSEUM = { key: "M1", path: "riverside.md", section: ["Harbor Museum"] };
const GONE = { key: "G1", path: "old.md", section: ["Gone"] };

function q(id: number, askedAt: string, question: string, outcome: LoggedQuestion["outcome"], more: Partial<LoggedQuestion> = {}): LoggedQuestion {
  return { id, askedAt: Date.parse(askedAt), surface: "slash", question, outcome, shown: [], up: 0, down: 0, feedback: [], ...more };
}

/** A week of questions for the report tests (now: 2026-05-20T12:00Z); the first is outside a 3-day window. */
export const QUESTIONS: LoggedQuestion[] = [
  q(5, "2026-05-17T23:59:59Z", "rent a kayak", "no-match"),
  q(1, "2026-05-18T10:00:00Z", "How do I rent a kayak?", "no-match"),
  q(2, "2026-05-19T09:00:00Z", "how do i rent kayaks", "no-match"),
  q(6, "2026-05-19T10:00:00Z", "Who runs the library?", "answered", {
    shown: [LIBRARY, OBSERVATORY],
    up: 1,
    down: 2,
    feedback: ["It does not say who exactly"],
  }),
  q(3, "2026-05-20T08:00:00Z", "Kayak rental prices?", "unsure", { shown: [MUSEUM] }),
  q(4, "2026-05-20T09:00:00Z", "rent kayak", "unsure"),
  q(7, "2026-05-20T10:00:00Z", "Who runs the library on Sundays?", "answered", { shown: [LIBRARY], down: 1, feedback: ["Sundays?"] }),
  q(8, "2026-05-20T11:00:00Z", "When was the museum founded?", "answered", { shown: [{ ...MUSEUM }, GONE], up: 1 }),
];

/** The knowledge the report tests report against: one document is never shown, and one shown document is gone. */
export const KNOWLEDGE: SourceSummary[] = [
  { path: "riverside.md", title: "Riverside Town Guide", sections: ["Riverside Declaration", "Orchard Library", "Harbor Museum"], passages: 4 },
  { path: "observatory.txt", title: "Hilltop Observatory", sections: [], passages: 1 },
  { path: "notices.md", title: "Notices", sections: ["Notices"], passages: 1 },
];
