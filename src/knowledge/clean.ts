import type { Block } from "./blocks.ts";
import { checkDocument, type HygieneOptions } from "./hygiene/index.ts";
import type { BlockCleaner } from "./load.ts";
import type { Passage } from "./types.ts";

/** Per-document hygiene options from Markdown front matter: `hygiene: off` and `keep: [text, …]`. */
export function frontMatterHygiene(frontMatter: Record<string, unknown>): HygieneOptions {
  const options: HygieneOptions = {};
  const flag = frontMatter.hygiene;
  if (flag === false || flag === "off" || flag === "false") options.disabled = true;
  // "on" in a document overrides an "off" for its folder in .hygiene.json.
  if (flag === true || flag === "on" || flag === "true") options.disabled = false;
  const keep = frontMatter.keep;
  if (typeof keep === "string") options.keep = [keep];
  else if (Array.isArray(keep)) options.keep = keep.filter((k): k is string => typeof k === "string");
  return options;
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
 * The loader's hygiene step: judges each document's blocks together (see hygiene.ts), drops what does
 * not belong, and reports it. `folder` holds per-file options from the folder's config, keyed by path.
 */
export function hygieneCleaner(folder: Record<string, HygieneOptions> = {}): BlockCleaner {
  return (blocks, doc, relativePath) => {
    const own = frontMatterHygiene(doc.frontMatter);
    const options: HygieneOptions = { ...folder[relativePath], ...own };
    const keep = [...(folder[relativePath]?.keep ?? []), ...(own.keep ?? [])];
    if (keep.length) options.keep = keep;
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
