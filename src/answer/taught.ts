/**
 * Taught phrases applied at index time: an operator's statement that a question should find a passage
 * becomes an alias of that passage, so the question and close rewordings of it find it through the
 * indexed alias field. The records live elsewhere (the feedback database); the builder is handed them as
 * plain data, so the answer core stays free of any storage.
 */
import { createHash } from "node:crypto";
import type { KnowledgeDocument, Passage } from "../knowledge/types.ts";
import { passageKey } from "./ask.ts";

/** The phrases that should find one passage, or every passage of its section when the passage was edited since. */
export interface TaughtAlias {
  path: string;
  section: string[];
  passageKey?: string;
  phrases: string[];
}

/** Hands a build the current taught phrases; read on every build, so a reload picks up new ones. */
export type TaughtSource = () => readonly TaughtAlias[] | Promise<readonly TaughtAlias[]>;

/** A hash of the taught phrases, for the content hash: another set of phrases is another index. */
export function taughtDigest(taught: readonly TaughtAlias[]): string {
  return createHash("sha256")
    .update(JSON.stringify(taught.map((t) => [t.path, t.section, t.passageKey ?? "", t.phrases])))
    .digest("hex");
}

function sameSection(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((heading, i) => heading === b[i]);
}

/**
 * The documents with the taught phrases added to their passages' aliases: to the passage of the record's
 * key when it is still there, else to every passage of the record's section. A record whose document and
 * section are both gone applies nowhere. The documents given are not changed.
 */
export function applyTaught(documents: readonly KnowledgeDocument[], taught: readonly TaughtAlias[]): KnowledgeDocument[] {
  if (!taught.length) return [...documents];
  const byPath = new Map<string, TaughtAlias[]>();
  for (const alias of taught) byPath.set(alias.path, [...(byPath.get(alias.path) ?? []), alias]);
  return documents.map((document) => {
    const aliases = byPath.get(document.path);
    if (!aliases) return document;
    const added = new Map<Passage, string[]>();
    const keys = document.passages.map((p) => passageKey(p));
    for (const alias of aliases) {
      const exact = alias.passageKey === undefined ? -1 : keys.indexOf(alias.passageKey);
      const targets = exact >= 0 ? [document.passages[exact] as Passage] : document.passages.filter((p) => sameSection(p.source.section, alias.section));
      for (const passage of targets) added.set(passage, [...(added.get(passage) ?? []), ...alias.phrases]);
    }
    if (!added.size) return document;
    const passages = document.passages.map((p) => {
      const phrases = added.get(p);
      // `text` by name: a stored passage keeps it behind a getter, which a spread would drop. A set: a document kept from the served index (its file broken now) already holds its taught phrases.
      return phrases ? { ...p, text: p.text, aliases: [...new Set([...(p.aliases ?? []), ...phrases])] } : p;
    });
    return { ...document, passages };
  });
}
