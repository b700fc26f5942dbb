import MarkdownIt from "markdown-it";
import type { Token } from "markdown-it";
import { parse as parseYaml } from "yaml";
import type { Block, ParsedDocument } from "./blocks.ts";
import { collapseSpaces, joinLines, slugify, titleFromPath } from "./normalize.ts";
import type { PassageKind } from "./types.ts";

/** Thrown for a Markdown file that cannot be used; the loader reports it and skips the file. */
export class MarkdownError extends Error {
  override name = "MarkdownError";
}

/**
 * markdown-it: CommonMark with GFM tables, a token stream with line maps, and fast (tens of MB/s),
 * which matters when a docs folder is reloaded on every save. HTML is recognised so it can be dropped
 * rather than shown as text.
 */
const md = new MarkdownIt("default", { html: true, linkify: false, typographer: false });

/** mdBook preprocessor lines such as `{{#include ../listings/x.rs}}`: directives, not text. */
const MDBOOK_DIRECTIVE = /^\s*\{\{#[a-z_]+[^}]*\}\}\s*$/;
/** Top-level ES module lines of MDX. */
const MDX_ESM = /^\s*(import|export)\s/;
/** A line that is only a component tag: `<Note>`, `</Note>`, `<Listing number="1-2" caption="…">`. */
const COMPONENT_LINE = /^ {0,3}<\/?[A-Z][\w.]*(?:\s[^<>]*)?\/?>\s*$/;
/** Fences at any indentation: inside list items they are indented past the item's marker. */
const FENCE = /^\s*(`{3,}|~{3,})/;

interface HeadingEntry {
  depth: number;
  text: string;
  anchor: string;
}

/** Anchors as GitHub and mdBook make them: a repeated heading gets `-1`, `-2`, … */
function anchorMaker(): (heading: string) => string {
  const seen = new Map<string, number>();
  return (heading) => {
    const base = slugify(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0 ? base : `${base}-${count}`;
  };
}

/**
 * Prepares the source without moving any line: front matter is cut out (and returned), and lines that
 * are only a component tag (MDX, or mdBook's `<Listing>`) are blanked outside code fences — CommonMark
 * would read such a tag as the start of an HTML block and swallow the text after it.
 */
function prepare(source: string, path: string): { body: string; frontMatter: Record<string, unknown> } {
  const lines = source.split("\n");
  let frontMatter: Record<string, unknown> = {};
  if (lines[0]?.trim() === "---" || lines[0]?.trim() === "+++") {
    const marker = lines[0].trim();
    const end = lines.findIndex((l, i) => i > 0 && (l.trim() === marker || (marker === "---" && l.trim() === "...")));
    if (end > 0) {
      if (marker === "---") frontMatter = parseFrontMatter(lines.slice(1, end).join("\n"), path);
      for (let i = 0; i <= end; i++) lines[i] = "";
    }
  }
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const marker = FENCE.exec(line)?.[1];
    if (marker && (!fence || (marker[0] === fence[0] && marker.length >= fence.length))) {
      fence = fence ? undefined : marker;
      continue;
    }
    if (!fence && COMPONENT_LINE.test(line)) lines[i] = "";
  }
  return { body: lines.join("\n"), frontMatter };
}

function parseFrontMatter(yaml: string, path: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = parseYaml(yaml);
  } catch (error) {
    throw new MarkdownError(`markdown: invalid front matter in ${path}: ${(error as Error).message.split("\n")[0]?.replace(/:\s*$/, "")}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new MarkdownError(`markdown: Expected front matter in ${path} to be a mapping of keys to values, got ${Array.isArray(data) ? "a list" : JSON.stringify(data)}`);
  }
  return data as Record<string, unknown>;
}

/**
 * Plain text of inline tokens for display, with "\n" where the source had a line break: inline code
 * keeps its backticks; emphasis, links, images and inline HTML lose their syntax. Emphasised text is
 * also collected into `emphasis`: authors mark the terms they define that way.
 */
function inlineText(tokens: readonly Token[] | null, emphasis?: string[]): string {
  if (!tokens) return "";
  let out = "";
  const open: number[] = [];
  for (const t of tokens) {
    switch (t.type) {
      case "text":
        out += t.content;
        break;
      case "code_inline":
        out += t.content.includes("`") ? "`` " + t.content + " ``" : "`" + t.content + "`";
        break;
      case "softbreak":
      case "hardbreak":
        out += "\n";
        break;
      case "em_open":
      case "strong_open":
        open.push(out.length);
        break;
      case "em_close":
      case "strong_close": {
        const start = open.pop();
        const inner = start === undefined ? "" : collapseSpaces(out.slice(start).replace(/\n/g, " "));
        if (emphasis && inner && inner.length <= 60) emphasis.push(inner);
        break;
      }
      case "image":
        // The alt text is not shown, but its line breaks still count for line numbers.
        out += "\n".repeat(t.children?.filter((c) => c.type === "softbreak").length ?? 0);
        break;
      case "html_inline":
        out += "\n".repeat(t.content.split("\n").length - 1);
        break;
      default:
        break;
    }
  }
  return out;
}

/** An inline run of Markdown as one line (see joinLines); a line that is only an mdBook directive counts as empty. */
function joinInline(raw: string): { text: string; lineOffsets: number[] } {
  return joinLines(raw.split("\n"), (line) => MDBOOK_DIRECTIVE.test(line));
}

/** Index of the token that closes the one opened at `start` (same nesting level). */
function closing(tokens: readonly Token[], start: number): number {
  const level = tokens[start]?.level ?? 0;
  const type = tokens[start]?.type.replace(/_open$/, "_close");
  for (let i = start + 1; i < tokens.length; i++) if (tokens[i]?.type === type && tokens[i]?.level === level) return i;
  return tokens.length - 1;
}

function codeText(token: Token): string {
  const body = token.content
    .split("\n")
    .filter((l) => !MDBOOK_DIRECTIVE.test(l))
    .join("\n")
    .replace(/^\n+|\s+$/g, "");
  const lang = token.info.trim().split(/\s+/)[0] ?? "";
  return body ? "```" + lang + "\n" + body + "\n```" : "";
}

/** A list as lines: "- item", "1. item", nested lists indented by two spaces per level. */
function listText(tokens: readonly Token[], from: number, to: number, emphasis: string[]): string {
  const lines: string[] = [];
  let depth = -1;
  const markers: { ordered: boolean; next: number }[] = [];
  let itemStarted = false;
  for (let i = from; i <= to; i++) {
    const t = tokens[i];
    if (!t) continue;
    if (t.type === "bullet_list_open" || t.type === "ordered_list_open") {
      depth++;
      markers[depth] = { ordered: t.type === "ordered_list_open", next: Number(t.attrGet("start") ?? 1) };
    } else if (t.type === "bullet_list_close" || t.type === "ordered_list_close") depth--;
    else if (t.type === "list_item_open") itemStarted = true;
    else if (t.type === "inline" || t.type === "fence" || t.type === "code_block") {
      const text = t.type === "inline" ? joinInline(inlineText(t.children, emphasis)).text : "`" + t.content.trim().replace(/\n/g, " ") + "`";
      if (!text) continue;
      const indent = "  ".repeat(Math.max(0, depth));
      if (itemStarted) {
        const m = markers[depth];
        const marker = m?.ordered ? `${m.next++}.` : "-";
        lines.push(`${indent}${marker} ${text}`);
        itemStarted = false;
      } else lines.push(`${indent}  ${text}`);
    }
  }
  return lines.join("\n");
}

function tableText(tokens: readonly Token[], from: number, to: number): string {
  const rows: string[] = [];
  let cells: string[] = [];
  for (let i = from; i <= to; i++) {
    const t = tokens[i];
    if (t?.type === "tr_open") cells = [];
    else if (t?.type === "inline") cells.push(joinInline(inlineText(t.children)).text.replace(/\|/g, "\\|"));
    else if (t?.type === "tr_close") {
      rows.push("| " + cells.join(" | ") + " |");
      if (rows.length === 1) rows.push("|" + " --- |".repeat(cells.length));
    }
  }
  return rows.join("\n");
}

/**
 * Parses Markdown (CommonMark + GFM tables, YAML front matter; MDX and mdBook files as Markdown with
 * their ESM lines, JSX/HTML tags and `{{#…}}` directives left out) into a title, sections and blocks.
 */
export function parseMarkdown(source: string, path: string, options: { mdx?: boolean } = {}): ParsedDocument {
  const { body, frontMatter } = prepare(source, path);
  const tokens = md.parse(body, {});

  let title = typeof frontMatter.title === "string" && frontMatter.title.trim() ? collapseSpaces(frontMatter.title) : "";
  let titleToken = -1;
  if (!title) {
    const headings = tokens.map((t, i) => (t.type === "heading_open" ? i : -1)).filter((i) => i >= 0);
    const h1 = headings.find((i) => tokens[i]?.tag === "h1");
    const chosen = h1 ?? headings[0];
    const text = chosen === undefined ? "" : joinInline(inlineText(tokens[chosen + 1]?.children ?? null)).text;
    if (chosen !== undefined && text) {
      titleToken = chosen;
      title = text;
    }
  }
  if (!title) title = titleFromPath(path);
  const url = typeof frontMatter.url === "string" && frontMatter.url.trim() ? frontMatter.url.trim() : undefined;

  const blocks: Block[] = [];
  const sections: string[][] = [];
  const anchorOf = anchorMaker();
  let stack: HeadingEntry[] = [];
  let titleAnchor: string | undefined;
  const saved: HeadingEntry[][] = [];

  const push = (kind: PassageKind, text: string, line: number, lineOffsets: number[], emphasis: string[] = []) => {
    if (!text.trim()) return;
    const deepest = stack[stack.length - 1];
    const anchor = deepest ? deepest.anchor : titleAnchor;
    const terms = [...new Set(emphasis.filter(Boolean))];
    blocks.push({ kind, text, line, lineOffsets, section: stack.map((h) => h.text), ...(anchor ? { anchor } : {}), ...(terms.length ? { emphasis: terms } : {}) });
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t) continue;
    const line = (t.map?.[0] ?? 0) + 1;
    switch (t.type) {
      case "heading_open": {
        const text = joinInline(inlineText(tokens[i + 1]?.children ?? null)).text;
        if (i === titleToken) {
          titleAnchor = anchorOf(text);
          stack = [];
        } else if (text) {
          const depth = Number(t.tag.slice(1));
          stack = stack.filter((h) => h.depth < depth);
          stack.push({ depth, text, anchor: anchorOf(text) });
          sections.push(stack.map((h) => h.text));
        }
        i = closing(tokens, i);
        break;
      }
      case "paragraph_open": {
        const inline = tokens[i + 1];
        i = closing(tokens, i);
        if (options.mdx && (inline?.content ?? "").split("\n").every((l) => !l.trim() || MDX_ESM.test(l))) break;
        const emphasis: string[] = [];
        const { text, lineOffsets } = joinInline(inlineText(inline?.children ?? null, emphasis));
        push(saved.length ? "quote" : "prose", text, line, lineOffsets, emphasis);
        break;
      }
      case "fence":
      case "code_block":
        push("code", codeText(t), line, [0]);
        break;
      case "bullet_list_open":
      case "ordered_list_open": {
        const end = closing(tokens, i);
        const emphasis: string[] = [];
        push("list", listText(tokens, i, end, emphasis), line, [0], emphasis);
        i = end;
        break;
      }
      case "table_open": {
        const end = closing(tokens, i);
        push("table", tableText(tokens, i, end), line, [0]);
        i = end;
        break;
      }
      case "blockquote_open":
        saved.push(stack);
        break;
      case "blockquote_close":
        stack = saved.pop() ?? stack;
        break;
      default:
        // HTML blocks (and JSX in MDX), thematic breaks: not passage text.
        break;
    }
  }
  return { title, ...(url ? { url } : {}), frontMatter, sections, blocks };
}
