/**
 * The per-folder operator overrides for the hygiene check (see hygiene/index.ts); per-document overrides
 * live in Markdown front matter (`hygiene: off`, `keep: ["…"]`, read by clean.ts).
 *
 * Per knowledge folder, in `.hygiene.json` at its root (hidden, so the loader does not list it as a
 * document). Keys are paths relative to the folder, as globs (picomatch: `*` within one path segment,
 * `**` any number of segments, `?`, `[abc]`, `{a,b}`), and a key ending in `/` covers everything
 * below that folder:
 *   {
 *     "news/sco-astana-summit.txt": { "keep": ["Lan Xue said"] },
 *     "stories/": { "hygiene": "off" }
 *   }
 * Front matter wins over the folder file for `hygiene`; `keep` texts from both apply.
 * Read it on every (re)load: patterns are resolved against the files present at that moment.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import picomatch from "picomatch";
import { booleanError, parseBoolean } from "../settings.ts";
import type { HygieneOptions } from "./hygiene/index.ts";
import { listKnowledgeFiles, readableFile } from "./files.ts";

export const HYGIENE_CONFIG_FILE = ".hygiene.json";

/** Thrown for an unreadable or invalid `.hygiene.json`; the message names the file and the bad value. */
export class HygieneConfigError extends Error {
  override name = "HygieneConfigError";
}

/** Options per document path relative to the knowledge folder (`/`-separated), as the loader's cleaner takes them. */
export type HygieneConfig = Record<string, HygieneOptions>;

const ENTRY_KEYS = ["hygiene", "keep"];

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
  const matchers = Object.entries(patterns).map(([pattern, options]) => ({ matches: matcherOf(pattern), options }));
  for (const file of await listKnowledgeFiles(dir)) {
    const options = optionsFor(file, matchers);
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
        const enabled = parseBoolean(value);
        if (enabled === undefined) throw new HygieneConfigError(booleanError("hygiene-config", `"hygiene" in ${where}`, value));
        options.disabled = !enabled;
      } else {
        const keep = parseKeep(value);
        if (keep === undefined) throw new HygieneConfigError(`hygiene-config: Expected "keep" in ${where} to be a text or a list of texts, got ${JSON.stringify(value)}`);
        options.keep = keep;
      }
    }
    const key = pattern.replace(/^\.\//, "");
    try {
      matcherOf(key);
    } catch (error) {
      throw new HygieneConfigError(`hygiene-config: Expected ${where} to be a path or glob, got ${JSON.stringify(pattern)}: ${(error as Error).message}`);
    }
    config[key] = options;
  }
  return config;
}

/** The matcher of a key: a glob, where a trailing `/` stands for everything below that folder. */
function matcherOf(pattern: string): (relativePath: string) => boolean {
  return picomatch(pattern.endsWith("/") ? `${pattern}**` : pattern, { dot: true });
}

/** Whether a `.hygiene.json` key covers a document path (both relative to the knowledge folder, `/`-separated). */
export function patternMatches(pattern: string, relativePath: string): boolean {
  return matcherOf(pattern)(relativePath);
}

/** Merged options of every pattern covering `relativePath`; later entries win for `hygiene`, `keep` texts add up. */
function optionsFor(relativePath: string, patterns: Array<{ matches: (relativePath: string) => boolean; options: HygieneOptions }>): HygieneOptions | undefined {
  let matched = false;
  let disabled: boolean | undefined;
  const keep: string[] = [];
  for (const { matches, options } of patterns) {
    if (!matches(relativePath)) continue;
    matched = true;
    if (options.disabled !== undefined) disabled = options.disabled;
    keep.push(...(options.keep ?? []));
  }
  if (!matched) return undefined;
  return { ...(disabled !== undefined ? { disabled } : {}), ...(keep.length ? { keep } : {}) };
}
