/**
 * Aliases: other phrasings that should find a document or a section, from its front matter. Obsidian's
 * `aliases` (a list: other names of the note) work as they are; a mapping gives phrasings per section.
 *
 *   aliases: [envoy, diplomat]                 the whole document
 *   aliases:
 *     "": [summit]                             the whole document
 *     Rate limits: [throttling, "429 errors"]  the section with that heading (or "Parent › Child")
 */

export interface Aliases {
  document: string[];
  /** Folded heading (the last heading, or the whole path joined with " › ") → phrases. */
  sections: Map<string, string[]>;
}

export const NO_ALIASES: Aliases = Object.freeze({ document: [], sections: new Map() });

/** How a heading path is named in an alias mapping: case and spaces folded, " > " and " / " as " › ". */
function headingKey(heading: string): string {
  return heading.toLowerCase().replace(/\s*(?:›|>|\/)\s*/g, " › ").replace(/\s+/g, " ").trim();
}

function phrasesOf(value: unknown, where: string): string[] | string {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list)) return `Expected ${where} to be a phrase or a list of phrases, got ${JSON.stringify(value)}`;
  const out: string[] = [];
  for (const item of list) {
    if (typeof item !== "string" && typeof item !== "number") return `Expected ${where} to hold phrases, got ${JSON.stringify(item)}`;
    const phrase = String(item).replace(/\s+/g, " ").trim();
    if (phrase) out.push(phrase);
  }
  return out;
}

/**
 * The aliases in a document's front matter. Never throws: a bad value is an issue (naming the key and
 * the value) and is left out; `sections` lists the document's heading paths, to report names that match none.
 */
export function frontMatterAliases(frontMatter: Record<string, unknown>, sections: readonly string[][]): { aliases: Aliases; issues: string[] } {
  const value = frontMatter.aliases ?? frontMatter.alias;
  if (value === undefined || value === null) return { aliases: NO_ALIASES, issues: [] };
  const issues: string[] = [];
  if (typeof value === "string" || Array.isArray(value)) {
    const phrases = phrasesOf(value, "aliases");
    if (typeof phrases === "string") return { aliases: NO_ALIASES, issues: [phrases] };
    return { aliases: { document: phrases, sections: new Map() }, issues };
  }
  if (typeof value !== "object") return { aliases: NO_ALIASES, issues: [`Expected aliases to be a list of phrases or a mapping from section headings to phrases, got ${JSON.stringify(value)}`] };
  const known = new Set(sections.flatMap((path) => [headingKey(path.join(" › ")), headingKey(path[path.length - 1] ?? "")]));
  const aliases: Aliases = { document: [], sections: new Map() };
  for (const [heading, list] of Object.entries(value as Record<string, unknown>)) {
    const phrases = phrasesOf(list, `aliases.${JSON.stringify(heading)}`);
    if (typeof phrases === "string") {
      issues.push(phrases);
      continue;
    }
    const key = headingKey(heading);
    if (!key || key === "*") aliases.document.push(...phrases);
    else if (!known.has(key)) issues.push(`Expected aliases to name a section of the document, got ${JSON.stringify(heading)}`);
    else aliases.sections.set(key, [...(aliases.sections.get(key) ?? []), ...phrases]);
  }
  return { aliases, issues };
}

/** The alias phrases of a passage in a section: the document's, and those of the section and its parents. */
export function aliasesFor(aliases: Aliases, section: readonly string[]): string[] {
  if (!aliases.document.length && !aliases.sections.size) return [];
  const out = [...aliases.document];
  for (let depth = 1; depth <= section.length; depth++) {
    const path = section.slice(0, depth);
    for (const key of new Set([headingKey(path.join(" › ")), headingKey(path[path.length - 1] ?? "")])) out.push(...(aliases.sections.get(key) ?? []));
  }
  return [...new Set(out)];
}
