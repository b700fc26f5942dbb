/**
 * The gaps report: what people ask that the knowledge does not answer, which answers they vote down,
 * which documents and sections are used and which never are, and the outcomes per day. `gapsReport` is
 * pure (the logged questions and the knowledge's documents in, the report out); `suggestFixes` then asks
 * the engine about each gap and adds the closest passage and the alias or synonym line that would
 * connect them. `buildGapsReport` does both for a store and an engine.
 */
import type { AskOptions, SourceSummary } from "../answer/engine.ts";
import type { Answer } from "../answer/types.ts";
import { questionsSince, type LoggedQuestion, type Outcome } from "./question-log.ts";
import type { FeedbackStore } from "./store.ts";
import { SECTION_SEPARATOR } from "./teach.ts";
import { contentTerms, wordGap } from "./words.ts";

const DAY_MS = 86_400_000;

export type OutcomeCounts = Record<Outcome, number>;

export interface DayCounts extends OutcomeCounts {
  /** YYYY-MM-DD, UTC. */
  day: string;
}

/** Questions left unanswered that share their content words. */
export interface Gap {
  /** The most frequent wording (the latest of equals). */
  question: string;
  /** How often it was asked, in all wordings. */
  count: number;
  /** The more frequent of its outcomes ("no-match" on a tie). */
  outcome: Exclude<Outcome, "answered">;
  outcomes: Record<Exclude<Outcome, "answered">, number>;
  /** Its wordings, most frequent first. */
  wordings: string[];
  /** The content terms (stems) the wordings share. */
  terms: string[];
  /** When it was last asked, ISO 8601. */
  lastAsked: string;
  /** Absent when nothing in the knowledge shares a word with it. */
  suggestion?: Suggestion;
}

export interface Suggestion {
  /** What the engine does with the question now: answers it (the knowledge changed since), is unsure, or finds nothing but this passage sharing some words. */
  now: "answered" | "unsure" | "weak";
  passage: { key: string; path: string; title: string; section: string[]; answer: string };
  /** The question's words the passage lacks. */
  missing: string[];
  /** The words of the passage's answer that the question lacks: the passage's word for a missing one is usually among them. */
  offered: string[];
  /** A front-matter alias for the passage's section that would connect the question to it. */
  alias: { path: string; section: string[]; phrase: string };
  /** A synonyms-file line `user word, doc word`, when the gap is one word against one word. */
  synonym?: string;
}

/** An answer voted down: by the passage that was its first result (or the question, when nothing was shown). */
export interface Disliked {
  passage?: { key: string; path: string; section: string[] };
  down: number;
  up: number;
  /** The questions it answered that were voted on, most frequent first. */
  questions: string[];
  feedback: string[];
}

export interface Usage {
  path: string;
  title: string;
  /** For a section: its heading path. */
  section?: string[];
  /** Times shown in an answer, at any rank. */
  shown: number;
  /** Times shown as the first result. */
  first: number;
  /** Shown in the window but no longer in the knowledge. */
  gone?: true;
}

export interface GapsReport {
  /** First and last day of the window, YYYY-MM-DD, UTC. */
  from: string;
  to: string;
  days: number;
  totals: OutcomeCounts & { questions: number };
  perDay: DayCounts[];
  gaps: Gap[];
  disliked: Disliked[];
  documents: { most: Usage[]; least: Usage[] };
  sections: { most: Usage[]; least: Usage[] };
}

export interface ReportOptions {
  /** Days in the window, today (UTC) included. */
  days: number;
  /** Now, in ms since the epoch. */
  now: number;
  /** Entries per list (default 10). */
  limit?: number;
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The first moment of the window: midnight UTC, `days − 1` days before today. */
export function windowStart(days: number, now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
}

function zero(): OutcomeCounts {
  return { answered: 0, unsure: 0, "no-match": 0 };
}

/** Keys sorted by count (descending), then by the order they were first seen. */
function byCount(counts: Map<string, number>): string[] {
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([key]) => key);
}

function bump(counts: Map<string, number>, key: string, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

function findGaps(questions: readonly LoggedQuestion[], limit: number): Gap[] {
  const groups = new Map<string, { wordings: Map<string, number>; outcomes: Gap["outcomes"]; last: number; terms: string[] }>();
  for (const q of questions) {
    if (q.outcome === "answered") continue;
    const terms = contentTerms(q.question);
    const id = terms.length ? terms.join(" ") : q.question.toLowerCase();
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { wordings: new Map(), outcomes: { unsure: 0, "no-match": 0 }, last: 0, terms }));
    const wording = q.question.replace(/\s+/g, " ").trim();
    // Oldest first: re-inserting moves a wording to the end, so that among equals the latest wins below.
    const seen = group.wordings.get(wording) ?? 0;
    group.wordings.delete(wording);
    group.wordings.set(wording, seen + 1);
    group.outcomes[q.outcome]++;
    group.last = Math.max(group.last, q.askedAt);
  }
  return [...groups.values()]
    .map((g): Gap => {
      const wordings = [...g.wordings.entries()]
        .reverse()
        .sort((a, b) => b[1] - a[1])
        .map(([w]) => w);
      const count = g.outcomes.unsure + g.outcomes["no-match"];
      return {
        question: wordings[0] ?? "",
        count,
        outcome: g.outcomes.unsure > g.outcomes["no-match"] ? "unsure" : "no-match",
        outcomes: g.outcomes,
        wordings,
        terms: g.terms,
        lastAsked: new Date(g.last).toISOString(),
      };
    })
    .sort((a, b) => b.count - a.count || (a.lastAsked < b.lastAsked ? 1 : -1))
    .slice(0, limit);
}

function findDisliked(questions: readonly LoggedQuestion[], limit: number): Disliked[] {
  const groups = new Map<string, Disliked & { asked: Map<string, number> }>();
  for (const q of questions) {
    if (q.up + q.down + q.feedback.length === 0) continue;
    const first = q.shown[0];
    const id = first ? `${first.path}\n${first.key}` : `?${q.question.toLowerCase()}`;
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { ...(first ? { passage: first } : {}), down: 0, up: 0, questions: [], feedback: [], asked: new Map() }));
    group.down += q.down;
    group.up += q.up;
    group.feedback.push(...q.feedback);
    bump(group.asked, q.question);
  }
  return [...groups.values()]
    .filter((g) => g.down > 0)
    .sort((a, b) => b.down - a.down || a.up - b.up)
    .slice(0, limit)
    .map(({ asked, ...g }) => ({ ...g, questions: byCount(asked) }));
}

/** Most used (shown at least once) and least used (the rest of the knowledge, never-shown first), with no entry in both. */
function mostAndLeast(usage: Usage[], limit: number): { most: Usage[]; least: Usage[] } {
  const most = usage
    .filter((u) => u.shown > 0)
    .sort((a, b) => b.shown - a.shown || b.first - a.first)
    .slice(0, limit);
  const inMost = new Set(most);
  const least = usage
    .filter((u) => !inMost.has(u) && !u.gone)
    .sort((a, b) => a.shown - b.shown || a.first - b.first)
    .slice(0, limit);
  return { most, least };
}

function findUsage(questions: readonly LoggedQuestion[], knowledge: readonly SourceSummary[], limit: number): Pick<GapsReport, "documents" | "sections"> {
  const documents = new Map<string, Usage>();
  const sections = new Map<string, Usage>();
  const sectionId = (path: string, section: readonly string[]) => `${path}\n${section.join(SECTION_SEPARATOR)}`;
  for (const doc of knowledge) {
    documents.set(doc.path, { path: doc.path, title: doc.title, shown: 0, first: 0 });
    for (const s of doc.sections)
      sections.set(sectionId(doc.path, s.split(SECTION_SEPARATOR)), {
        path: doc.path,
        title: doc.title,
        section: s.split(SECTION_SEPARATOR),
        shown: 0,
        first: 0,
      });
  }
  for (const q of questions) {
    q.shown.forEach((s, rank) => {
      const doc = documents.get(s.path) ?? documents.set(s.path, { path: s.path, title: s.path, shown: 0, first: 0, gone: true }).get(s.path);
      const id = sectionId(s.path, s.section);
      // Text before a document's first heading has no section of its own: it counts for the document only.
      const section = s.section.length
        ? (sections.get(id) ?? sections.set(id, { path: s.path, title: doc?.title ?? s.path, section: s.section, shown: 0, first: 0, gone: true }).get(id))
        : undefined;
      for (const u of [doc, section]) {
        if (!u) continue;
        u.shown++;
        if (rank === 0) u.first++;
      }
    });
  }
  return { documents: mostAndLeast([...documents.values()], limit), sections: mostAndLeast([...sections.values()], limit) };
}

/** The report over the questions logged in the window (`questionsSince(windowStart(days, now))`), against the knowledge's documents. */
export function gapsReport(questions: readonly LoggedQuestion[], knowledge: readonly SourceSummary[], options: ReportOptions): GapsReport {
  const limit = options.limit ?? 10;
  const start = windowStart(options.days, options.now);
  const inWindow = questions.filter((q) => q.askedAt >= start && q.askedAt <= options.now);
  const perDay: DayCounts[] = [];
  for (let d = 0; d < options.days; d++) perDay.push({ day: dayOf(start + d * DAY_MS), ...zero() });
  const totals = { questions: inWindow.length, ...zero() };
  for (const q of inWindow) {
    const day = perDay[Math.floor((q.askedAt - start) / DAY_MS)];
    if (day) day[q.outcome]++;
    totals[q.outcome]++;
  }
  return {
    from: dayOf(start),
    to: dayOf(options.now),
    days: options.days,
    totals,
    perDay,
    gaps: findGaps(inWindow, limit),
    disliked: findDisliked(inWindow, limit),
    ...findUsage(inWindow, knowledge, limit),
  };
}

/** What suggestFixes needs of an engine: AnswerEngine and ThreadedEngine both have it. */
export interface AskingEngine {
  ask(question: string, options?: AskOptions): Answer | Promise<Answer>;
}

/** The nearest passage sharing any word, even where the engine would show nothing. */
const ANY_SHARED_WORD: AskOptions = { top: 1, nearest: true };

/** The closest passage to a question, and what would connect the two; undefined when no passage shares a word with it. */
export async function suggestFix(question: string, engine: AskingEngine): Promise<Suggestion | undefined> {
  const asked = await engine.ask(question, { top: 1 });
  let best = asked.results[0];
  let now: Suggestion["now"] = asked.answered ? "answered" : "unsure";
  if (!best) {
    best = (await engine.ask(question, ANY_SHARED_WORD)).results[0];
    now = "weak";
  }
  if (!best) return undefined;
  const { path, title, section } = best.source;
  const { missing, offered } = wordGap(question, { text: best.text, title, section }, best.answer);
  const [onlyMissing] = missing;
  const [onlyOffered] = offered;
  return {
    now,
    passage: { key: best.key, path, title, section, answer: best.answer },
    missing,
    offered,
    alias: { path, section, phrase: question },
    ...(missing.length === 1 && offered.length === 1 ? { synonym: `${onlyMissing}, ${onlyOffered}` } : {}),
  };
}

/** The report with a suggestion for each gap (one engine question or two per gap). */
export async function suggestFixes(report: GapsReport, engine: AskingEngine): Promise<GapsReport> {
  const gaps: Gap[] = [];
  for (const gap of report.gaps) {
    const suggestion = await suggestFix(gap.question, engine);
    gaps.push(suggestion ? { ...gap, suggestion } : gap);
  }
  return { ...report, gaps };
}

/** The whole report for the last `days` days: read from the store, suggestions from the engine. Undefined when the log cannot be read. */
export async function buildGapsReport(
  store: FeedbackStore,
  engine: AskingEngine & { sources(): SourceSummary[] | Promise<SourceSummary[]> },
  options: ReportOptions,
): Promise<GapsReport | undefined> {
  const questions = questionsSince(store, windowStart(options.days, options.now));
  if (!questions) return undefined;
  return suggestFixes(gapsReport(questions, await engine.sources(), options), engine);
}
