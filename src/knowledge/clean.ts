import path from "node:path";
import type { Block } from "./blocks.ts";
import { MARKDOWN_EXTENSIONS } from "./files.ts";
import { checkDocument, type HygieneOptions, type Tuning } from "./hygiene/index.ts";
import type { BlockCleaner } from "./load.ts";
import { booleanError, parseBoolean } from "../settings.ts";
import type { LoadIssue, Passage } from "./types.ts";

/**
 * Per-document hygiene options from Markdown front matter: `hygiene: off` and `keep: [text, …]`.
 * `hygiene` takes the same spellings as every on/off setting (settings.ts); `problems` names a value
 * that is none of them, or a `keep` that is no text, and the check then runs as if it were unset.
 */
export function frontMatterHygiene(frontMatter: Record<string, unknown>): { options: HygieneOptions; problems: string[] } {
  const options: HygieneOptions = {};
  const problems: string[] = [];
  if (frontMatter.hygiene !== undefined && frontMatter.hygiene !== null) {
    // "on" in a document overrides an "off" for its folder in .hygiene.json.
    const enabled = parseBoolean(frontMatter.hygiene);
    if (enabled === undefined) problems.push(booleanError("hygiene", 'front matter "hygiene"', frontMatter.hygiene));
    else options.disabled = !enabled;
  }
  const keep = frontMatter.keep;
  if (typeof keep === "string") options.keep = [keep];
  else if (Array.isArray(keep) && keep.every((k) => typeof k === "string")) options.keep = keep;
  else if (keep !== undefined && keep !== null) problems.push(`hygiene: Expected front matter "keep" to be a text or a list of texts, got ${JSON.stringify(keep)}`);
  return { options, problems };
}

/** Where each source line starts after spans were cut out of the text, so lines stay right after cleaning. */
function shiftOffsets(offsets: number[], removed: { start: number; end: number }[], length: number): number[] {
  return offsets.map((offset) => {
    let shift = 0;
    for (const r of removed) if (r.end <= offset) shift += r.end - r.start;
    return Math.max(0, Math.min(length, offset - shift));
  });
}

/**
 * The loader's hygiene step: judges each document's blocks together (see hygiene/index.ts), drops what
 * does not belong, and reports it. `folder` holds per-file options from the folder's config, keyed by
 * path; `report` is told of front matter settings it cannot read; `tuning` overrides tunables (benches).
 */
export function hygieneCleaner(
  folder: Record<string, HygieneOptions> = {},
  report: (issue: LoadIssue) => void = () => {},
  tuning?: Partial<Tuning>,
): BlockCleaner {
  return (blocks, doc, relativePath) => {
    const { options: own, problems } = frontMatterHygiene(doc.frontMatter);
    for (const problem of problems) report({ path: relativePath, reason: `${problem}; checked as if it were unset` });
    const options: HygieneOptions = { ...folder[relativePath], ...own };
    const keep = [...(folder[relativePath]?.keep ?? []), ...(own.keep ?? [])];
    if (keep.length) options.keep = keep;
    if (tuning) options.tuning = tuning;
    if ((MARKDOWN_EXTENSIONS as readonly string[]).includes(path.extname(relativePath).toLowerCase())) options.format = "markdown";
    const verdicts = checkDocument(blocks, options);
    const cleaned: Block[] = [];
    blocks.forEach((block, i) => {
      const verdict = verdicts[i];
      if (!verdict || verdict.removed.length === 0) {
        cleaned.push(block);
        return;
      }
      if (!verdict.text.trim()) return;
      cleaned.push({ ...block, text: verdict.text, lineOffsets: shiftOffsets(block.lineOffsets, verdict.removed, verdict.text.length) });
    });
    return { blocks: cleaned, flagged: verdicts.flatMap((v) => v.flagged) };
  };
}

/** How many passages of a document loaded without the check are not among its passages with it: what the check changed or removed. */
export function passagesChangedByCleaning(raw: readonly Passage[], cleaned: readonly Passage[]): number {
  const kept = new Set(cleaned.map((p) => p.text));
  return raw.filter((p) => !kept.has(p.text)).length;
}
