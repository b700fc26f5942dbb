/**
 * The per-folder operator overrides for the hygiene check (see hygiene.ts); per-document overrides
 * live in Markdown front matter (`hygiene: off`, `keep: ["…"]`, read by clean.ts).
 *
 * Per knowledge folder, in `.hygiene.json` at its root (hidden, so the loader does not list it as a
 * document). Keys are paths relative to the folder; `*` matches within one path segment, `**` any
 * number of segments, and a key ending in `/` covers everything below that folder:
 *   {
 *     "news/sco-astana-summit.txt": { "keep": ["Lan Xue said"] },
 *     "stories/": { "hygiene": "off" }
 *   }
 * Front matter wins over the folder file for `hygiene`; `keep` texts from both apply.
 * Read it on every (re)load: patterns are resolved against the files present at that moment.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { HygieneOptions } from "./hygiene.ts";
import { listKnowledgeFiles, readableFile } from "./files.ts";

export const HYGIENE_CONFIG_FILE = ".hygiene.json";

/** Thrown for an unreadable or invalid `.hygiene.json`; the message names the file and the bad value. */
export class HygieneConfigError extends Error {
  override name = "HygieneConfigError";
}

/** Options per document path relative to the knowledge folder (`/`-separated), as the loader's cleaner takes them. */
export type HygieneConfig = Record<string, HygieneOptions>;

const ENTRY_KEYS = ["hygiene", "keep"];

/** `off`/`false` → disabled, `on`/`true` → enabled, anything else → undefined (invalid). */
function parseSwitch(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return !value;
  if (typeof value !== "string") return undefined;
  const lower = value.trim().toLowerCase();
  if (["off", "false", "no"].includes(lower)) return true;
  if (["on", "true", "yes"].includes(lower)) return false;
  return undefined;
}

function parseKeep(value: unknown): string[] | undefined {
  if (typeof value === "string") return value.trim() ? [value] : [];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.filter((v) => v.trim());
  return undefined;
}

/**
 * Reads `.hygiene.json` from the root of a knowledge folder and resolves its patterns against the
 * folder's files: the result maps each covered document path to its options. A missing file is an
 * empty config; invalid JSON, an unknown key or a bad value throws HygieneConfigError naming the file
 * and the value.
 */
export async function readHygieneConfig(dir: string): Promise<HygieneConfig> {
  const patterns = await readHygienePatterns(dir);
  if (Object.keys(patterns).length === 0) return {};
  const config: HygieneConfig = {};
  for (const file of await listKnowledgeFiles(dir)) {
    const options = optionsFor(file, patterns);
    if (options) config[file] = options;
  }
  return config;
}

/** The entries of `.hygiene.json` as written, keyed by pattern. */
export async function readHygienePatterns(dir: string): Promise<HygieneConfig> {
  const file = path.join(dir, HYGIENE_CONFIG_FILE);
  // Contained like the knowledge files: a parse error would otherwise quote a linked-in secret's first bytes.
  const readable = await readableFile(dir, HYGIENE_CONFIG_FILE);
  if ("missing" in readable) return {};
  if ("reason" in readable) throw new HygieneConfigError(`hygiene-config: ${file} is ${readable.reason}`);
  let raw: string;
  try {
    raw = await readFile(readable.path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new HygieneConfigError(`hygiene-config: cannot read ${file}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (error) {
    throw new HygieneConfigError(`hygiene-config: ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new HygieneConfigError(`hygiene-config: Expected ${file} to be an object of paths to options, got ${JSON.stringify(data)}`);
  }
  const config: HygieneConfig = {};
  for (const [pattern, entry] of Object.entries(data as Record<string, unknown>)) {
    const where = `${file}: "${pattern}"`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw new HygieneConfigError(`hygiene-config: Expected ${where} to be an object like {"hygiene": "off"} or {"keep": ["…"]}, got ${JSON.stringify(entry)}`);
    }
    const options: HygieneOptions = {};
    for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
      if (!ENTRY_KEYS.includes(key)) throw new HygieneConfigError(`hygiene-config: Unknown key "${key}" in ${where} (expected ${ENTRY_KEYS.join(" or ")})`);
      if (key === "hygiene") {
        const disabled = parseSwitch(value);
        if (disabled === undefined) throw new HygieneConfigError(`hygiene-config: Expected "hygiene" in ${where} to be "off" or "on", got ${JSON.stringify(value)}`);
        options.disabled = disabled;
      } else {
        const keep = parseKeep(value);
        if (keep === undefined) throw new HygieneConfigError(`hygiene-config: Expected "keep" in ${where} to be a text or a list of texts, got ${JSON.stringify(value)}`);
        options.keep = keep;
      }
    }
    config[pattern.replace(/^\.\//, "")] = options;
  }
  return config;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split(/(\*\*\/?|\*)/)
    .map((part) => (part === "**" || part === "**/" ? ".*" : part === "*" ? "[^/]*" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}${pattern.endsWith("/") ? ".*" : ""}$`);
}

/** Whether a `.hygiene.json` key covers a document path (both relative to the knowledge folder, `/`-separated). */
export function patternMatches(pattern: string, relativePath: string): boolean {
  return globToRegExp(pattern).test(relativePath);
}

/** Merged options of every pattern covering `relativePath`; later entries win for `hygiene`, `keep` texts add up. */
function optionsFor(relativePath: string, patterns: HygieneConfig): HygieneOptions | undefined {
  let matched = false;
  let disabled: boolean | undefined;
  const keep: string[] = [];
  for (const [pattern, options] of Object.entries(patterns)) {
    if (!patternMatches(pattern, relativePath)) continue;
    matched = true;
    if (options.disabled !== undefined) disabled = options.disabled;
    keep.push(...(options.keep ?? []));
  }
  if (!matched) return undefined;
  return { ...(disabled !== undefined ? { disabled } : {}), ...(keep.length ? { keep } : {}) };
}
