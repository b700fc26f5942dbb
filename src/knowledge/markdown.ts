import { fromMarkdown } from "mdast-util-from-markdown";
import { frontmatterFromMarkdown } from "mdast-util-frontmatter";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { frontmatter } from "micromark-extension-frontmatter";
import { gfm } from "micromark-extension-gfm";
import { parse as parseYaml } from "yaml";
import type { Nodes, Parents, PhrasingContent, Root, RootContent, Table } from "mdast";
import type { Block, ParsedDocument } from "./blocks.ts";
import { collapseSpaces, slugify, titleFromPath } from "./normalize.ts";
import type { PassageKind } from "./types.ts";

/** Thrown for a Markdown file that cannot be used; the loader reports it and skips the file. */
export class MarkdownError extends Error {
  override name = "MarkdownError";
}

/** mdBook preprocessor lines such as `{{#include ../listings/x.rs}}`: directives, not text. */
const MDBOOK_DIRECTIVE = /^\s*\{\{#[a-z_]+[^}]*\}\}\s*$/;
/** Top-level ES module lines of MDX. */
const MDX_ESM = /^\s*(import|export)\s/;

interface HeadingEntry {
  depth: number;
  text: string;
}

/** Joins hard-wrapped lines into one, remembering where each source line starts in the result. */
function joinLines(raw: string): { text: string; lineOffsets: number[] } {
  const lineOffsets: number[] = [];
  let text = "";
  for (const line of raw.split("\n")) {
    const clean = MDBOOK_DIRECTIVE.test(line) ? "" : collapseSpaces(line);
    if (clean && text) text += " ";
    lineOffsets.push(text.length);
    text += clean;
  }
  return { text, lineOffsets };
}

/**
 * Plain text of inline content for display: inline code keeps its backticks, emphasis and link syntax go.
 * Emphasised text is also collected into `emphasis`: authors mark the terms they define that way.
 */
function inlineText(nodes: readonly Nodes[], emphasis?: string[]): string {
  let out = "";
  for (const node of nodes) {
    switch (node.type) {
      case "emphasis":
      case "strong": {
        const inner = inlineText(node.children as Nodes[], emphasis);
        if (emphasis && inner.length <= 60) emphasis.push(inner.replace(/\s+/g, " ").trim());
        out += inner;
        break;
      }
      case "text":
        out += node.value;
        break;
      case "inlineCode":
        out += node.value.includes("`") ? "`` " + node.value + " ``" : "`" + node.value + "`";
        break;
      case "break":
        out += "\n";
        break;
      case "html":
      case "image":
      case "imageReference":
      case "footnoteReference":
        break;
      default:
        if ("children" in node) out += inlineText(node.children as Nodes[], emphasis);
    }
  }
  return out;
}

function phrasing(children: PhrasingContent[], emphasis?: string[]): { text: string; lineOffsets: number[] } {
  return joinLines(inlineText(children, emphasis));
}

function tableText(table: Table): string {
  const rows = table.children.map((row) =>
    "| " + row.children.map((cell) => joinLines(inlineText(cell.children)).text.replace(/\|/g, "\\|")).join(" | ") + " |",
  );
  const width = table.children[0]?.children.length ?? 0;
  if (rows.length > 0) rows.splice(1, 0, "|" + " --- |".repeat(width));
  return rows.join("\n");
}

function listText(list: Extract<RootContent, { type: "list" }>, indent = "", emphasis?: string[]): string {
  const lines: string[] = [];
  let number = list.start ?? 1;
  for (const item of list.children) {
    const marker = list.ordered ? `${number++}.` : "-";
    const check = item.checked === true ? "[x] " : item.checked === false ? "[ ] " : "";
    let first = true;
    for (const child of item.children) {
      if (child.type === "list") {
        lines.push(listText(child, indent + "  ", emphasis));
        continue;
      }
      let text: string;
      if (child.type === "paragraph" || child.type === "heading") text = phrasing(child.children, emphasis).text;
      else if (child.type === "code") text = "`" + child.value.replace(/\n/g, " ") + "`";
      else text = joinLines(inlineText([child as Nodes])).text;
      if (!text) continue;
      lines.push(first ? `${indent}${marker} ${check}${text}` : `${indent}  ${text}`);
      first = false;
    }
  }
  return lines.join("\n");
}

function frontMatterOf(root: Root, path: string): Record<string, unknown> {
  const node = root.children[0];
  if (!node || node.type !== "yaml") return {};
  let data: unknown;
  try {
    data = parseYaml(node.value);
  } catch (error) {
    throw new MarkdownError(`markdown: invalid front matter in ${path}: ${(error as Error).message.split("\n")[0]}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new MarkdownError(`markdown: Expected front matter in ${path} to be a mapping of keys to values, got ${Array.isArray(data) ? "a list" : JSON.stringify(data)}`);
  }
  return data as Record<string, unknown>;
}

/**
 * Parses Markdown (CommonMark + GFM tables, front matter; MDX and mdBook files as Markdown with their
 * ESM lines, JSX/HTML tags and `{{#…}}` directives left out) into a title, sections and blocks.
 */
export function parseMarkdown(source: string, path: string, options: { mdx?: boolean } = {}): ParsedDocument {
  const root = fromMarkdown(source, {
    extensions: [frontmatter(["yaml", "toml"]), gfm()],
    mdastExtensions: [frontmatterFromMarkdown(["yaml", "toml"]), gfmFromMarkdown()],
  });
  const frontMatter = frontMatterOf(root, path);

  let titleNode: Nodes | undefined;
  let title = typeof frontMatter.title === "string" && frontMatter.title.trim() ? collapseSpaces(frontMatter.title) : "";
  if (!title) {
    const headings = root.children.filter((n): n is Extract<RootContent, { type: "heading" }> => n.type === "heading");
    const heading = headings.find((h) => h.depth === 1) ?? headings[0];
    const text = heading ? phrasing(heading.children).text : "";
    if (heading && text) {
      titleNode = heading;
      title = text;
    }
  }
  if (!title) title = titleFromPath(path);
  const url = typeof frontMatter.url === "string" && frontMatter.url.trim() ? frontMatter.url.trim() : undefined;

  const blocks: Block[] = [];
  const sections: string[][] = [];
  let stack: HeadingEntry[] = [];
  let titleAnchor: string | undefined = titleNode ? slugify(title) : undefined;

  const push = (kind: PassageKind, text: string, line: number, lineOffsets: number[], emphasis: string[] = []) => {
    if (!text.trim()) return;
    const deepest = stack[stack.length - 1];
    const anchor = deepest ? slugify(deepest.text) : titleAnchor;
    const terms = emphasis.filter(Boolean);
    blocks.push({ kind, text, line, lineOffsets, section: stack.map((h) => h.text), ...(anchor ? { anchor } : {}), ...(terms.length ? { emphasis: terms } : {}) });
  };

  const walk = (parent: Parents, quoted: boolean) => {
    for (const node of parent.children as RootContent[]) {
      const line = node.position?.start.line ?? 1;
      switch (node.type) {
        case "heading": {
          if (node === titleNode) {
            stack = [];
            break;
          }
          const text = phrasing(node.children).text;
          if (!text) break;
          stack = stack.filter((h) => h.depth < node.depth);
          stack.push({ depth: node.depth, text });
          sections.push(stack.map((h) => h.text));
          break;
        }
        case "paragraph": {
          const emphasis: string[] = [];
          const { text, lineOffsets } = phrasing(node.children, emphasis);
          if (options.mdx && text.split("\n").every((l) => MDX_ESM.test(l))) break;
          const raw = inlineText(node.children);
          if (options.mdx && raw.split("\n").every((l) => !l.trim() || MDX_ESM.test(l))) break;
          push(quoted ? "quote" : "prose", text, line, lineOffsets, emphasis);
          break;
        }
        case "code": {
          const body = node.value
            .split("\n")
            .filter((l) => !MDBOOK_DIRECTIVE.test(l))
            .join("\n")
            .replace(/^\n+|\s+$/g, "");
          if (body) push("code", "```" + (node.lang ?? "") + "\n" + body + "\n```", line, [0]);
          break;
        }
        case "list": {
          const emphasis: string[] = [];
          push("list", listText(node, "", emphasis), line, [0], emphasis);
          break;
        }
        case "table":
          push("table", tableText(node), line, [0]);
          break;
        case "blockquote": {
          const saved = stack;
          walk(node, true);
          stack = saved;
          break;
        }
        case "footnoteDefinition":
          walk(node, quoted);
          break;
        default:
          // html (and JSX in MDX), thematic breaks, definitions, front matter: not passage text.
          break;
      }
    }
  };
  walk(root, false);
  titleAnchor = undefined;
  return { title, ...(url ? { url } : {}), frontMatter, sections, blocks };
}
