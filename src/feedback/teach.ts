/**
 * Teach records: an operator's statement that a question should find a given passage. A record names the
 * passage by document path, section heading path and passage key, so that it survives small edits: when
 * the key is gone (the passage was edited), the section still stands for it.
 *
 * Index building applies them as aliases of their passages (answer/taught.ts, through `taughtSource`); they
 * can also leave as a file of aliases the operator moves into the knowledge folder, under version control.
 */
import type { AnswerService } from "../answer/service.ts";
import type { TaughtAlias, TaughtSource } from "../answer/taught.ts";
import type { FeedbackStore } from "./store.ts";

/** Longest phrase that can be taught, in characters: a question, not a document. */
export const TAUGHT_PHRASE_MAX_LENGTH = 300;

/** How a section heading path is written in the aliases file, as in `/sources` and citations. */
export const SECTION_SEPARATOR = " › ";

export interface TeachRecord {
  id: number;
  question: string;
  path: string;
  section: string[];
  passageKey?: string;
  taughtAt: number;
}

export type { TaughtAlias };

export type TeachResult = { ok: true; id: number } | { ok: false; reason: "empty" | "too-long" | "unavailable" };

export interface TeachTarget {
  path: string;
  section: readonly string[];
  passageKey?: string | undefined;
}

interface TaughtRow {
  id: number;
  question: string;
  path: string;
  section: string;
  passageKey: string | null;
  taughtAt: number;
}

export class TeachRecords {
  private readonly store: FeedbackStore;
  private readonly now: () => number;

  constructor(store: FeedbackStore, now: () => number = Date.now) {
    this.store = store;
    this.now = now;
  }

  teach(question: string, target: TeachTarget): TeachResult {
    const phrase = question.replace(/\s+/g, " ").trim();
    if (!phrase) return { ok: false, reason: "empty" };
    if ([...phrase].length > TAUGHT_PHRASE_MAX_LENGTH) return { ok: false, reason: "too-long" };
    const id = this.store.run("store a teach record", (_db, statement) =>
      Number(
        statement("INSERT INTO taught (question, path, section, passage_key, taught_at) VALUES (?, ?, ?, ?, ?)").run(
          phrase,
          target.path,
          JSON.stringify(target.section),
          target.passageKey ?? null,
          this.now(),
        ).lastInsertRowid,
      ),
    );
    return id === undefined ? { ok: false, reason: "unavailable" } : { ok: true, id };
  }

  /** Undoes one teach record. False when there is none with that id (or the store is unavailable). */
  remove(id: number): boolean {
    return this.store.run("remove a teach record", (_db, statement) => statement("DELETE FROM taught WHERE id = ?").run(id).changes > 0) ?? false;
  }

  /** Every record, oldest first; undefined when the store cannot be read. */
  list(): TeachRecord[] | undefined {
    const rows = this.store.run(
      "read the teach records",
      (_db, statement) =>
        statement("SELECT id, question, path, section, passage_key AS passageKey, taught_at AS taughtAt FROM taught ORDER BY id").all() as TaughtRow[],
    );
    return rows?.map(({ passageKey, section, ...row }) => ({ ...row, section: JSON.parse(section) as string[], ...(passageKey ? { passageKey } : {}) }));
  }

  /** The records grouped by passage: the phrases each should be found by, in the order they were taught. */
  taughtAliases(): TaughtAlias[] | undefined {
    const records = this.list();
    return records && groupAliases(records);
  }
}

/**
 * The teach records as index building reads them. While the database cannot be read, the last records
 * read stand: a rebuild during a database hiccup must not forget what was taught.
 */
export function taughtSource(records: TeachRecords): TaughtSource {
  let last: TaughtAlias[] = [];
  return () => (last = records.taughtAliases() ?? last);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Groups teach records by document, section and passage, dropping repeated phrases (compared without case). */
export function groupAliases(records: readonly TeachRecord[]): TaughtAlias[] {
  const groups = new Map<string, TaughtAlias & { seen: Set<string> }>();
  for (const r of records) {
    const id = JSON.stringify([r.path, r.section, r.passageKey ?? ""]);
    let group = groups.get(id);
    if (!group)
      groups.set(id, (group = { path: r.path, section: r.section, ...(r.passageKey ? { passageKey: r.passageKey } : {}), phrases: [], seen: new Set() }));
    const folded = r.question.toLowerCase();
    if (group.seen.has(folded)) continue;
    group.seen.add(folded);
    group.phrases.push(r.question);
  }
  return [...groups.values()]
    .map(({ seen: _seen, ...alias }) => alias)
    .sort((a, b) => compare(a.path, b.path) || compare(a.section.join(SECTION_SEPARATOR), b.section.join(SECTION_SEPARATOR)));
}

/** Where a taught alias points in the current knowledge: its passage, else its section, else only its document, else nothing. */
export type Resolution = "passage" | "section" | "document" | "gone";

export async function resolveAlias(alias: TaughtAlias, engine: Pick<AnswerService, "passage" | "sources">): Promise<Resolution> {
  if (alias.passageKey) {
    const passage = await engine.passage(alias.passageKey);
    if (passage && passage.source.path === alias.path) return "passage";
  }
  const doc = (await engine.sources()).find((d) => d.path === alias.path);
  if (!doc) return "gone";
  const section = alias.section.join(SECTION_SEPARATOR);
  return alias.section.length === 0 || doc.sections.includes(section) ? "section" : "document";
}
