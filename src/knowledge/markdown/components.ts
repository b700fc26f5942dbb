/**
 * HTML and components (Vue in VitePress/VuePress, JSX in MDX) inside Markdown. What the page shows of a
 * component is the text inside it, so tags are dropped and their content kept; `<script>` and `<style>`
 * show nothing. A self-closing component in running text (`<DocsLink path="Client:Class" />`) renders
 * as a name, so it keeps the name its attributes give; anywhere else it is dropped.
 */
import type { StateBlock, StateInline } from "markdown-it";
import { closesFence, fenceMarker } from "./code.ts";
import type { ContainerMeta } from "./containers.ts";

/** One HTML or JSX tag; attribute values may hold `>` in quotes or `{…}` expressions (JSX), and span lines. */
export const TAG = /<(\/?)([A-Za-z][\w.:-]*)((?:\s+(?:[^\s"'>{}=/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|\{(?:[^{}]|\{[^{}]*\})*\}|[^\s"'=<>`]+))?|\{(?:[^{}]|\{[^{}]*\})*\}))*)\s*(\/?)>|<!--[\s\S]*?-->/g;

const TAG_HERE = new RegExp(TAG.source, "y");

/** A component rather than an HTML element: PascalCase (Vue, JSX), dashed (custom elements) or a Vue `<template>`. */
export function isComponent(name: string): boolean {
  return /^[A-Z]/.test(name) || name.includes("-") || name === "template";
}

/** The value of attribute `name` in a tag's attribute text. */
export function attribute(attrs: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s):?${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, "i").exec(attrs);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

/**
 * The name a self-closing component shows in running text: its `text`, `label` or `title`, or else the
 * last part of its `path`, without a `:Kind` qualifier, as inline code (`path="Client:Class#login"` → `Client#login`).
 */
function componentName(attrs: string): string {
  const text = attribute(attrs, "text") ?? attribute(attrs, "label") ?? attribute(attrs, "title");
  if (text?.trim()) return text.trim();
  const path = attribute(attrs, "path")?.split("/").pop()?.replace(/:\w+/g, "").trim();
  return path ? "`" + path + "`" : "";
}

/** What inline HTML shows in running text: `<br>` a space, `<code>` a backtick, a self-closing component its name, other tags nothing. */
export function inlineHtml(html: string): string {
  const newlines = "\n".repeat(html.split("\n").length - 1);
  TAG_HERE.lastIndex = 0;
  const m = TAG_HERE.exec(html);
  if (!m?.[2]) return newlines;
  const [, closing, name = "", attrs = "", selfClosing] = m;
  const lower = name.toLowerCase();
  if (lower === "br") return " " + newlines;
  if (lower === "code" || lower === "kbd") return lower === "code" ? "`" + newlines : newlines;
  if (!closing && selfClosing && isComponent(name)) return componentName(attrs) + newlines;
  return newlines;
}

/** Components that are one tab of a group (VuePress `<CodeGroupItem title>`, Docusaurus `<TabItem label>`): their name captions code inside. */
const TAB_COMPONENT = /^(?:CodeGroupItem|code-group-item|CodeBlock|code-block|TabItem|Tab|tab)$/;

/** A piece of an HTML block of components: Markdown text (tags removed, lines kept), or a tab opening or closing. */
export type ComponentPiece = { text: string; offset: number } | { open: ContainerMeta; tag: string } | { close: string };

/**
 * A block of components: the text between the tags, as Markdown to parse again (MDX and VuePress both
 * render Markdown inside components), cut where a tab opens or closes.
 */
export function componentPieces(html: string): ComponentPiece[] {
  const pieces: ComponentPiece[] = [];
  let text = "";
  let start = 0;
  let at = 0;
  let skipUntil: string | undefined;
  const flush = (next: number) => {
    if (text.trim()) pieces.push({ text, offset: start });
    text = "";
    start = next;
  };
  for (const m of html.matchAll(TAG)) {
    const [whole, closing, name = "", attrs = "", selfClosing] = m;
    const between = html.slice(at, m.index);
    if (!skipUntil) text += between;
    else text += between.replace(/[^\n]/g, "");
    at = m.index + whole.length;
    const lines = whole.replace(/[^\n]/g, "");
    const lower = name.toLowerCase();
    if (skipUntil) {
      if (closing && lower === skipUntil) skipUntil = undefined;
      text += lines;
      continue;
    }
    if (!closing && !selfClosing && (lower === "script" || lower === "style")) {
      skipUntil = lower;
      text += lines;
      continue;
    }
    if (TAB_COMPONENT.test(name) && !selfClosing) {
      flush(at);
      const label = attribute(attrs, "title") ?? attribute(attrs, "label") ?? attribute(attrs, "value");
      pieces.push(closing ? { close: name } : { open: label ? { label } : {}, tag: name });
      text = lines;
      continue;
    }
    text += lines;
  }
  if (!skipUntil) text += html.slice(at);
  flush(html.length);
  return pieces;
}

/**
 * Markdown taken out of components, ready to parse again: each line's indentation is dropped outside
 * code fences (components nest by indenting, which Markdown would read as code), and fenced code keeps
 * the indentation it has past its fence's.
 */
export function dedent(markdown: string): string {
  let fence: { marker: string; indent: number } | undefined;
  return markdown
    .split("\n")
    .map((line) => {
      const m = fenceMarker(line);
      if (!fence && m) {
        fence = m;
        return line.slice(m.indent);
      }
      if (fence) {
        const closes = closesFence(line, fence.marker);
        const out = line.slice(Math.min(fence.indent, line.length - line.trimStart().length));
        if (closes) fence = undefined;
        return out;
      }
      return line.trimStart();
    })
    .join("\n");
}

/**
 * A tag with a JSX attribute expression (`<img style={{margin: 0}} />`), which CommonMark does not take
 * for HTML: read as inline HTML, so it shows what a tag shows, rather than its attributes as text.
 */
export function jsxTag(state: StateInline, silent: boolean): boolean {
  if (state.src.charCodeAt(state.pos) !== 0x3c) return false;
  TAG_HERE.lastIndex = state.pos;
  const m = TAG_HERE.exec(state.src);
  if (!m?.[2] || !(m[3] ?? "").includes("{") || m.index + m[0].length > state.posMax) return false;
  if (!silent) state.push("html_inline", "", 0).content = m[0];
  state.pos += m[0].length;
  return true;
}

/** MDX's `{expression}`s, comments included: JavaScript, never shown as text. */
export function mdxExpression(state: StateInline, silent: boolean): boolean {
  const { src, pos } = state;
  if (src.charCodeAt(pos) !== 0x7b) return false;
  let depth = 0;
  for (let i = pos; i < state.posMax; i++) {
    const c = src[i];
    if (c === "{") depth++;
    else if (c === "}" && --depth === 0) {
      if (!silent) state.pending = state.pending.replace(/[ \t]+$/, "");
      state.pos = i + 1;
      return true;
    }
  }
  return false;
}

/** How an HTML block is read: dropped, code, components holding Markdown, or HTML elements. */
export function htmlBlockKind(html: string, mdx: boolean): "drop" | "code" | "components" | "html" {
  const first = /^\s*<(\/?)([A-Za-z][\w.:-]*|!--)/.exec(html);
  const name = first?.[2] ?? "";
  if (!first || name === "!--") return html.replace(TAG, "").trim() ? "components" : "drop";
  const lower = name.toLowerCase();
  if (lower === "script" || lower === "style") return "drop";
  if (lower === "pre") return "code";
  return mdx || isComponent(name) ? "components" : "html";
}

/** The component tags that make up a whole run of text from `start` (only tags and spaces), or undefined if there is anything else. */
function tagsOnly(text: string, start: number): { name: string; closing: boolean; selfClosing: boolean; attrs: string }[] | undefined {
  const tags: { name: string; closing: boolean; selfClosing: boolean; attrs: string }[] = [];
  let at = start;
  while (at < text.length) {
    while (at < text.length && /[ \t]/.test(text[at] ?? "")) at++;
    if (at >= text.length) break;
    TAG_HERE.lastIndex = at;
    const m = TAG_HERE.exec(text);
    if (!m?.[2] || !isComponent(m[2])) return undefined;
    tags.push({ name: m[2], closing: Boolean(m[1]), selfClosing: Boolean(m[4]), attrs: m[3] ?? "" });
    at = m.index + m[0].length;
  }
  return tags.length ? tags : undefined;
}

/** Where a run of lines that holds only component tags ends (tags may span lines), or -1. */
function tagLinesEnd(lines: readonly string[], from: number): number {
  if (!/^\s*<[A-Za-z/]/.test(lines[from] ?? "")) return -1;
  let text = lines[from] ?? "";
  for (let i = from; i < Math.min(lines.length, from + 40); i++) {
    if (i > from) text += "\n" + lines[i];
    if (tagsOnly(text, 0)) return i;
    if (!/<[^>]*$/.test(text.replace(/"[^"]*"|'[^']*'|\{[^{}]*\}/g, ""))) return -1;
  }
  return -1;
}

function expandIndent(line: string): string {
  if (!/^ *\t/.test(line)) return line;
  const lead = /^[ \t]*/.exec(line)?.[0] ?? "";
  let column = 0;
  for (const c of lead) column = c === "\t" ? column + 4 - (column % 4) : column + 1;
  return " ".repeat(column) + line.slice(lead.length);
}

/**
 * MDX nests Markdown in JSX by indenting it, and (without indented code) reads it at any depth, so
 * that a fence four spaces in under `<TabItem>` is still a fence. For markdown-it, which reads
 * indentation as CommonMark does, each component's content is moved back to the column of the
 * component's own tag, and a line indented four or more past where it can start a block (the margin,
 * or the content of the list item it is in) is moved back to there. componentLine reads the tag lines.
 * Lines stay put.
 */
export function alignMdx(source: string): string {
  const lines = source.split("\n");
  /** Open components: the column of their tag once moved, and how far their content moves left. */
  const open: { name: string; column: number; cut?: number }[] = [];
  /** Content columns of the list items the current line may be in. */
  const items: number[] = [];
  let fence: { marker: string; cut: number } | undefined;
  const cutNow = () => open.findLast((o) => o.cut !== undefined)?.cut ?? 0;
  const leadOf = (l: string) => /^[ \t]*/.exec(l)?.[0].length ?? 0;
  /** How much further left a line (already moved out of its components) goes to start a block where MDX would. */
  const overhang = (line: string): number => {
    const lead = leadOf(line);
    while (items.length && lead < (items[items.length - 1] ?? 0)) items.pop();
    const base = items[items.length - 1] ?? 0;
    const item = /^[ \t]*(?:[-*+]|\d{1,9}[.)])( {1,4}|\t|$)/.exec(line);
    if (item && lead - base < 4) items.push(item[0].length);
    return lead - base >= 4 ? lead - base : 0;
  };
  for (let i = 0; i < lines.length; i++) {
    if (fence) {
      const line = lines[i] ?? "";
      lines[i] = line.slice(Math.min(fence.cut, leadOf(line)));
      if (closesFence(line, fence.marker)) fence = undefined;
      continue;
    }
    // Indentation is measured in columns below; a tab in it (tab stops of four, as CommonMark) becomes spaces.
    const line = (lines[i] = expandIndent(lines[i] ?? ""));
    const lead = leadOf(line);
    if (!line.trim()) continue;
    const end = tagLinesEnd(lines, i);
    if (end >= 0) {
      const tags = tagsOnly(lines.slice(i, end + 1).join("\n"), 0) ?? [];
      // A closing tag lines up with its opening tag: the cut of what encloses the component.
      for (const tag of tags.filter((t) => t.closing)) {
        const at = open.findLastIndex((o) => o.name === tag.name);
        if (at >= 0) open.length = at;
      }
      const moved = line.slice(Math.min(cutNow(), lead));
      const cut = Math.min(cutNow(), lead) + overhang(moved);
      for (const tag of tags) if (!tag.closing && !tag.selfClosing) open.push({ name: tag.name, column: lead - cut });
      for (let j = i; j <= end; j++) {
        const l = expandIndent(lines[j] ?? "");
        lines[j] = l.slice(Math.min(cut, leadOf(l)));
      }
      i = end;
      continue;
    }
    const top = open[open.length - 1];
    if (top && top.cut === undefined) top.cut = Math.max(0, lead - top.column);
    let cut = Math.min(cutNow(), lead);
    cut += overhang(line.slice(cut));
    lines[i] = line.slice(cut);
    const m = fenceMarker(lines[i] ?? "");
    if (m) fence = { marker: m.marker, cut };
  }
  return lines.join("\n");
}

/** A line (or lines) of only component tags in MDX: `component_open`/`component_close` tokens, no text. */
export function componentLine(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  if (state.src.charCodeAt(state.bMarks[startLine]! + state.tShift[startLine]!) !== 0x3c) return false;
  const lines: string[] = [];
  for (let l = startLine; l < Math.min(endLine, startLine + 40); l++) lines.push(state.src.slice(state.bMarks[l]! + state.tShift[l]!, state.eMarks[l]));
  const end = tagLinesEnd(lines, 0);
  if (end < 0) return false;
  if (silent) return true;
  for (const tag of tagsOnly(lines.slice(0, end + 1).join("\n"), 0) ?? []) {
    if (tag.selfClosing) continue;
    const token = state.push(tag.closing ? "component_close" : "component_open", "", tag.closing ? -1 : 1);
    const label = attribute(tag.attrs, "title") ?? attribute(tag.attrs, "label") ?? attribute(tag.attrs, "value");
    token.meta = { name: tag.name, ...(TAB_COMPONENT.test(tag.name) && label ? { label } : {}) };
    token.map = [startLine, startLine + end + 1];
  }
  state.line = startLine + end + 1;
  return true;
}
