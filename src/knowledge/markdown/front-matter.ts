import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";

/** Thrown for a Markdown file that cannot be used; the loader reports it and skips the file. */
export class MarkdownError extends Error {
  override name = "MarkdownError";
}

/**
 * Cuts the front matter out of a Markdown source without moving any line, and parses it: YAML between
 * `---` lines (ended by `---` or `...`), or Hugo's TOML between `+++` lines. markdown-it-front-matter
 * would cover only the first of these, so the cutting stays here; the parsing is yaml's and smol-toml's.
 */
export function cutFrontMatter(source: string, path: string): { body: string; frontMatter: Record<string, unknown> } {
  const marker = /^(---|\+\+\+)[ \t]*(?:\n|$)/.exec(source)?.[1];
  if (!marker) return { body: source, frontMatter: {} };
  const lines = source.split("\n");
  const end = lines.findIndex((l, i) => i > 0 && (l.trim() === marker || (marker === "---" && l.trim() === "...")));
  if (end < 0) return { body: source, frontMatter: {} };
  const frontMatter = parseFrontMatter(lines.slice(1, end).join("\n"), path, marker === "---" ? "yaml" : "toml");
  for (let i = 0; i <= end; i++) lines[i] = "";
  return { body: lines.join("\n"), frontMatter };
}

function parseFrontMatter(text: string, path: string, format: "yaml" | "toml"): Record<string, unknown> {
  let data: unknown;
  try {
    data = format === "yaml" ? parseYaml(text) : parseToml(text);
  } catch (error) {
    throw new MarkdownError(`markdown: invalid front matter in ${path}: ${(error as Error).message.split("\n")[0]?.replace(/:\s*$/, "")}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new MarkdownError(`markdown: Expected front matter in ${path} to be a mapping of keys to values, got ${Array.isArray(data) ? "a list" : JSON.stringify(data)}`);
  }
  return data as Record<string, unknown>;
}
