/**
 * The question log: what was asked, where, how the engine answered and what it showed, and the votes and
 * feedback that came later. Every call is best-effort (see store.ts): the bot answers whatever the log does.
 * A question's row id is what a vote or feedback button carries, so the buttons need no state of their own.
 */
import type { Answer, AnswerResult } from "../answer/types.ts";
import type { FeedbackStore } from "./store.ts";

/** Where a question was asked. */
export type Surface = "slash" | "mention" | "dm" | "terminal";
export const SURFACES: readonly Surface[] = ["slash", "mention", "dm", "terminal"];

/** How the engine answered; the outcomes the log keeps (an empty question is not logged). */
export type Outcome = "answered" | "unsure" | "no-match";
export const OUTCOMES: readonly Outcome[] = ["answered", "unsure", "no-match"];

export type Vote = "up" | "down";

/** Longest feedback text kept, in characters (Unicode code points). A Discord modal can use it as its max_length. */
export const FEEDBACK_MAX_LENGTH = 1000;

export interface QuestionRecord {
  surface: Surface;
  /** The server, when the question was asked in one. */
  guildId?: string | undefined;
  answer: Answer;
  /** How long answering took. */
  durationMs: number;
  /** The passages the asker was shown, best first; default: all of the answer's results. */
  shown?: readonly AnswerResult[];
}

/** What a vote did. `unknown-question`: no such row (its retention ran out, or a bad id). `unavailable`: the log is off or failing. */
export type VoteResult = "recorded" | "changed" | "unchanged" | "unknown-question" | "unavailable";
/** What feedback did; `empty` and `too-long` store nothing. */
export type FeedbackResult = "recorded" | "replaced" | "empty" | "too-long" | "unknown-question" | "unavailable";

/** The outcome of an answer, or undefined for an empty question, which is not logged. */
export function outcomeOf(answer: Answer): Outcome | undefined {
  if (answer.answered) return "answered";
  return answer.reason === "unsure" || answer.reason === "no-match" ? answer.reason : undefined;
}

const VOTE_VALUE: Record<Vote, number> = { up: 1, down: -1 };

export class QuestionLog {
  readonly store: FeedbackStore;
  private readonly now: () => number;

  constructor(store: FeedbackStore, now: () => number = Date.now) {
    this.store = store;
    this.now = now;
  }

  /** Logs a question; returns its row id, or undefined when it was not logged (an empty question, the log unavailable). */
  recordQuestion(record: QuestionRecord): number | undefined {
    const outcome = outcomeOf(record.answer);
    if (!outcome) return undefined;
    const shown = record.shown ?? record.answer.results;
    return this.store.run("log a question", (db, statement) =>
      db.transaction(() => {
        const { lastInsertRowid } = statement(
          "INSERT INTO questions (asked_at, surface, guild_id, question, outcome, confidence, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
        ).run(
          this.now(),
          record.surface,
          record.guildId ?? null,
          record.answer.question,
          outcome,
          record.answer.confidence,
          Math.round(record.durationMs * 1000) / 1000,
        );
        const id = Number(lastInsertRowid);
        const insertShown = statement("INSERT INTO shown (question_id, rank, passage_key, path, section) VALUES (?, ?, ?, ?, ?)");
        shown.forEach((result, rank) => insertShown.run(id, rank, result.key, result.source.path, JSON.stringify(result.source.section)));
        return id;
      })(),
    );
  }

  /** One vote per person per answer: voting again replaces it. */
  recordVote(questionId: number, voterId: string, vote: Vote): VoteResult {
    const voter = this.store.voterHash(voterId);
    if (!voter) return "unavailable";
    const value = VOTE_VALUE[vote];
    return (
      this.store.run("record a vote", (db, statement) =>
        db
          .transaction((): VoteResult => {
            if (!statement("SELECT 1 FROM questions WHERE id = ?").get(questionId)) return "unknown-question";
            const before = statement("SELECT vote FROM votes WHERE question_id = ? AND voter = ?").get(questionId, voter) as
              { vote: number | null } | undefined;
            if (before?.vote === value) return "unchanged";
            statement(
              "INSERT INTO votes (question_id, voter, vote, voted_at) VALUES (?, ?, ?, ?) ON CONFLICT (question_id, voter) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
            ).run(questionId, voter, value, this.now());
            return before?.vote ? "changed" : "recorded";
          })
          .immediate(),
      ) ?? "unavailable"
    );
  }

  /** One feedback text per person per answer, of at most FEEDBACK_MAX_LENGTH characters: giving it again replaces it. */
  recordFeedback(questionId: number, voterId: string, text: string): FeedbackResult {
    const feedback = text.trim();
    if (!feedback) return "empty";
    if ([...feedback].length > FEEDBACK_MAX_LENGTH) return "too-long";
    const voter = this.store.voterHash(voterId);
    if (!voter) return "unavailable";
    return (
      this.store.run("record feedback", (db, statement) =>
        db
          .transaction((): FeedbackResult => {
            if (!statement("SELECT 1 FROM questions WHERE id = ?").get(questionId)) return "unknown-question";
            const before = statement("SELECT feedback FROM votes WHERE question_id = ? AND voter = ?").get(questionId, voter) as
              { feedback: string | null } | undefined;
            statement(
              "INSERT INTO votes (question_id, voter, feedback, feedback_at) VALUES (?, ?, ?, ?) ON CONFLICT (question_id, voter) DO UPDATE SET feedback = excluded.feedback, feedback_at = excluded.feedback_at",
            ).run(questionId, voter, feedback, this.now());
            return before?.feedback ? "replaced" : "recorded";
          })
          .immediate(),
      ) ?? "unavailable"
    );
  }
}

/** A logged question as the report reads it. */
export interface LoggedQuestion {
  id: number;
  askedAt: number;
  surface: Surface;
  question: string;
  outcome: Outcome;
  /** The passages shown, best first. */
  shown: { key: string; path: string; section: string[] }[];
  /** Votes up and down, and the feedback texts given. */
  up: number;
  down: number;
  feedback: string[];
}

/** The questions asked since `since` (ms since the epoch), oldest first, or undefined when the log cannot be read. */
export function questionsSince(store: FeedbackStore, since: number): LoggedQuestion[] | undefined {
  return store.run("read the question log", (db, statement) =>
    db.transaction(() => {
      const rows = statement("SELECT id, asked_at AS askedAt, surface, question, outcome FROM questions WHERE asked_at >= ? ORDER BY asked_at, id").all(
        since,
      ) as Omit<LoggedQuestion, "shown" | "up" | "down" | "feedback">[];
      const byId = new Map<number, LoggedQuestion>(rows.map((row) => [row.id, { ...row, shown: [], up: 0, down: 0, feedback: [] }]));
      const shown = statement(
        "SELECT s.question_id AS id, s.passage_key AS key, s.path, s.section FROM shown s JOIN questions q ON q.id = s.question_id WHERE q.asked_at >= ? ORDER BY s.question_id, s.rank",
      ).all(since) as { id: number; key: string; path: string; section: string }[];
      for (const s of shown) byId.get(s.id)?.shown.push({ key: s.key, path: s.path, section: JSON.parse(s.section) as string[] });
      const votes = statement(
        "SELECT v.question_id AS id, v.vote, v.feedback FROM votes v JOIN questions q ON q.id = v.question_id WHERE q.asked_at >= ? ORDER BY v.question_id, v.feedback_at",
      ).all(since) as { id: number; vote: number | null; feedback: string | null }[];
      for (const v of votes) {
        const question = byId.get(v.id);
        if (!question) continue;
        if (v.vote === 1) question.up++;
        if (v.vote === -1) question.down++;
        if (v.feedback) question.feedback.push(v.feedback);
      }
      return [...byId.values()];
    })(),
  );
}
