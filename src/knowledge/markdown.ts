/**
 * Markdown files (.md, .markdown, .mdx) to a title, sections and blocks, reading each dialect's
 * constructs as the rendered page shows them (see the plugins in ./markdown/ and README "Adding knowledge").
 */
import type { Block, ParsedDocument } from "./blocks.ts";
import { DocumentBuilder } from "./document-builder.ts";
import { htmlEvents, type HtmlEvent } from "./html-blocks.ts";
import { codeText, MDBOOK_DIRECTIVE } from "./markdown/code.ts";
import type { ContainerMeta } from "./markdown/containers.ts";
import { alignMdx, componentPieces, dedent, htmlBlockKind } from "./markdown/components.ts";
import { cutFrontMatter } from "./markdown/front-matter.ts";
import { inlineCode, inlineText } from "./markdown/inline.ts";
import { isMyst } from "./markdown/myst.ts";
import { stripComments, type EmbedTarget } from "./markdown/obsidian.ts";
import { parserFor, type Token } from "./markdown/parser.ts";
import { collapseSpaces, joinLines, titleFromPath } from "./normalize.ts";
import type { PassageKind } from "./types.ts";

export { MarkdownError } from "./markdown/front-matter.ts";
export type { EmbedTarget } from "./markdown/obsidian.ts";

export interface MarkdownOptions {
  mdx?: boolean;
  /** The source of a note that an Obsidian embed (`![[Note]]`) names, when it is in the knowledge folder. */
  embed?: (note: string) => { path: string; source: string } | undefined;
}

/** Top-level ES module lines of MDX. */
const MDX_ESM = /^\s*(import|export)\s/;
/** How deep embeds of embeds are followed; a note embedding itself stops at the first repeat anyway. */
const MAX_EMBED_DEPTH = 3;
/** Component text parsed again holds no tags, so one level is the rule; this only guards against a pattern the tag grammar misses. */
const MAX_COMPONENT_DEPTH = 4;

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

/**
 * A list as blocks of lines: "- item", "1. item", nested lists indented by two spaces per level. Code of
 * one line stays on its item's line as inline code; longer code ends the list block, follows as a code
 * block, and the list goes on after it.
 */
function listBlocks(tokens: readonly Token[], from: number, to: number, emphasis: string[], label: string | undefined): { kind: PassageKind; text: string }[] {
  const out: { kind: PassageKind; text: string }[] = [];
  let lines: string[] = [];
  let depth = -1;
  const markers: { ordered: boolean; next: number }[] = [];
  let itemStarted = false;
  // A box inside an item (`:::caution` under a step) leads into its first line, as a box does elsewhere.
  let lead = "";
  let tab: string | undefined;
  const line = (raw: string) => {
    const text = lead ? `${/[:.!?…]$/.test(lead) ? lead : lead + ":"} ${raw}` : raw;
    lead = "";
    const indent = "  ".repeat(Math.max(0, depth));
    if (itemStarted) {
      const m = markers[depth];
      lines.push(`${indent}${m?.ordered ? `${m.next++}.` : "-"} ${text}`);
      itemStarted = false;
    } else lines.push(`${indent}  ${text}`);
  };
  for (let i = from; i <= to; i++) {
    const t = tokens[i];
    if (!t) continue;
    if (t.type === "bullet_list_open" || t.type === "ordered_list_open") {
      depth++;
      markers[depth] = { ordered: t.type === "ordered_list_open", next: Number(t.attrGet("start") ?? 1) };
    } else if (t.type === "bullet_list_close" || t.type === "ordered_list_close") depth--;
    else if (t.type === "list_item_open") itemStarted = true;
    else if (t.type === "container_open" && (t.meta as ContainerMeta | null)?.lead) lead = (t.meta as ContainerMeta).lead ?? "";
    // An MDX tab inside an item captions its code, as it does outside lists.
    else if (t.type === "component_open" && (t.meta as ContainerMeta | null)?.label) tab = (t.meta as ContainerMeta).label;
    else if (t.type === "component_close") tab = undefined;
    else if (t.type === "inline") {
      const text = joinInline(inlineText(t.children, emphasis)).text;
      if (text) line(text);
    } else if (t.type === "fence" || t.type === "code_block") {
      const code = codeText(t.content, t.type === "fence" ? t.info : "", tab ?? label);
      const parts = code.split("\n");
      if (parts.length === 3 && parts[0]?.startsWith("```")) {
        line(inlineCode(parts[1] ?? ""));
        continue;
      }
      if (!code) continue;
      if (lines.length) out.push({ kind: "list", text: lines.join("\n") });
      lines = [];
      out.push({ kind: "code", text: code });
      itemStarted = false;
    }
  }
  if (lines.length) out.push({ kind: "list", text: lines.join("\n") });
  return out;
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
 * A heading's text without the custom id or attributes that many tools let authors add at its end
 * (`## Setup {#setup}` in Docusaurus, MkDocs and kramdown, `{/setup/}` on react.dev, `{: .class}`);
 * an id is the section's anchor.
 */
function headingText(children: Token[] | null): { text: string; id?: string } {
  const raw = joinInline(inlineText(children)).text;
  const m = /\s*\{(?:#([\w-]+)|\/([\w-]+)\/|:[^}]*)[^}]*\}$/.exec(raw);
  if (!m || m.index === 0) return { text: raw };
  const id = m[1] ?? m[2];
  return { text: raw.slice(0, m.index), ...(id ? { id } : {}) };
}

/** Where each `^block-id` of Obsidian sits: the block that ends with it. */
type BlockIds = Map<string, Block>;

interface Walk {
  md: ReturnType<typeof parserFor>;
  options: MarkdownOptions;
  builder: DocumentBuilder;
  env: Record<string, unknown>;
  titleToken: number;
  ids: BlockIds;
  /** Paths of the notes being embedded, to stop a loop. */
  visiting: string[];
  /** How many component blocks deep the walk is: their text is parsed again, and that must end. */
  depth: number;
}

/** Lines before `offset` in `text`. */
const linesBefore = (text: string, offset: number) => text.slice(0, Math.max(0, offset)).split("\n").length - 1;

function applyHtml(w: Walk, events: HtmlEvent[], html: string, line: number): void {
  for (const e of events) {
    if (e.type === "block") w.builder.add(e.kind === "prose" && w.builder.quoted ? "quote" : e.kind, e.text, line + linesBefore(html, e.offset), [0], e.emphasis);
    else if (e.type === "heading") w.builder.heading(e.depth, e.text);
    else if (e.type === "open") w.builder.open({ ...e.meta, tag: e.tag, line: line + linesBefore(html, e.offset) });
    else w.builder.close(e.tag);
  }
}

/** Inline Markdown inside an HTML element's text (template tags, wiki links), as passage text. */
function inlineMarkdown(w: Walk, text: string): string {
  return inlineText(w.md.parseInline(text, w.env)[0]?.children ?? null).replace(/\s*\n\s*/g, " ");
}

function htmlBlock(w: Walk, t: Token, line: number, lineBase: number): void {
  const html = t.content;
  switch (htmlBlockKind(html, Boolean(w.options.mdx))) {
    case "drop":
      return;
    case "code":
    case "html":
      applyHtml(w, htmlEvents(html, { inline: (text) => inlineMarkdown(w, text) }), html, line);
      return;
    case "components":
      if (w.depth >= MAX_COMPONENT_DEPTH) return;
      for (const piece of componentPieces(html)) {
        if ("text" in piece) {
          w.depth++;
          walk(w, w.md.parse(dedent(piece.text), w.env), lineBase + (t.map?.[0] ?? 0) + linesBefore(html, piece.offset));
          w.depth--;
        }
        else if ("open" in piece) w.builder.open({ ...piece.open, tag: piece.tag });
        else w.builder.close(piece.close);
      }
  }
}

/** An embedded note's blocks: all of them, a heading's section, or the block with an id. */
function embedded(w: Walk, target: EmbedTarget): Block[] {
  const found = w.options.embed?.(target.note);
  if (!found || w.visiting.includes(found.path) || w.visiting.length > MAX_EMBED_DEPTH) return [];
  const inner = parse(found.source, found.path, w.options, [...w.visiting, found.path]);
  if (target.block) {
    const block = inner.ids.get(target.block);
    return block ? [block] : [];
  }
  if (target.heading) {
    const wanted = target.heading.toLowerCase();
    return inner.doc.blocks.filter((b) => b.section.some((s) => s.toLowerCase() === wanted));
  }
  return inner.doc.blocks;
}

/** Records the block just added as the one that `^block-id`s in these tokens name (see obsidian.ts). */
function noteBlockIds(w: Walk, tokens: readonly Token[]): void {
  const block = w.builder.blocks[w.builder.blocks.length - 1];
  if (!block) return;
  for (const t of tokens) {
    const id = (t.meta as { blockId?: string } | null)?.blockId;
    if (id) w.ids.set(id, block);
  }
}

function walk(w: Walk, tokens: readonly Token[], lineBase: number): void {
  const { builder } = w;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t) continue;
    const line = lineBase + (t.map?.[0] ?? 0) + 1;
    switch (t.type) {
      case "heading_open": {
        const { text, id } = headingText(tokens[i + 1]?.children ?? null);
        if (lineBase === 0 && i === w.titleToken) builder.titleHeading(text);
        else builder.heading(Number(t.tag.slice(1)), text, id);
        i = closing(tokens, i);
        break;
      }
      case "paragraph_open": {
        const inline = tokens[i + 1];
        i = closing(tokens, i);
        if (w.options.mdx && (inline?.content ?? "").split("\n").every((l) => !l.trim() || MDX_ESM.test(l))) break;
        const children = inline?.children ?? [];
        const embeds = children.filter((c) => c.type === "embed");
        if (embeds.length && children.every((c) => c.type === "embed" || c.type === "softbreak" || (c.type === "text" && !c.content.trim()))) {
          for (const e of embeds) for (const b of embedded(w, e.meta as unknown as EmbedTarget)) builder.add(b.kind, b.text, line, [0], b.emphasis);
          break;
        }
        const emphasis: string[] = [];
        const { text, lineOffsets } = joinInline(inlineText(children, emphasis));
        // A container marker that closes nothing (a mis-nested `:::`) is not text.
        if (/^:{3,}$/.test(text)) break;
        builder.add(builder.quoted ? "quote" : "prose", text, line, lineOffsets, emphasis);
        noteBlockIds(w, tokens.slice(i - 1, i));
        break;
      }
      case "fence":
      case "code_block":
        builder.add("code", codeText(t.content, t.type === "fence" ? t.info : "", builder.label), line, [0]);
        break;
      case "bullet_list_open":
      case "ordered_list_open": {
        const end = closing(tokens, i);
        const emphasis: string[] = [];
        for (const b of listBlocks(tokens, i, end, emphasis, builder.label)) builder.add(b.kind, b.text, line, [0], b.kind === "list" ? emphasis : []);
        noteBlockIds(w, tokens.slice(i, end));
        i = end;
        break;
      }
      case "table_open": {
        const end = closing(tokens, i);
        builder.add("table", tableText(tokens, i, end), line, [0]);
        i = end;
        break;
      }
      case "blockquote_open":
        builder.open({ quote: true, line });
        break;
      case "container_open":
        builder.open({ ...(t.meta as object), line });
        break;
      case "blockquote_close":
      case "container_close":
        builder.close();
        break;
      case "html_block":
        htmlBlock(w, t, line, lineBase);
        break;
      case "component_open": {
        const meta = t.meta as { name: string; label?: string };
        if (meta.label) builder.open({ label: meta.label, tag: meta.name, line });
        break;
      }
      case "component_close":
        builder.close((t.meta as { name: string }).name);
        break;
      default:
        // Thematic breaks, front matter: not passage text.
        break;
    }
  }
}

function parse(source: string, path: string, options: MarkdownOptions, visiting: string[]): { doc: ParsedDocument; ids: BlockIds } {
  const { body, frontMatter } = cutFrontMatter(source, path);
  const md = parserFor(Boolean(options.mdx));
  // MyST's comment lines are read as comments only in a document that uses MyST (myst.ts).
  const env: Record<string, unknown> = isMyst(body) ? { myst: true } : {};
  const tokens = md.parse(options.mdx ? alignMdx(stripComments(body)) : stripComments(body), env);

  let title = typeof frontMatter.title === "string" && frontMatter.title.trim() ? collapseSpaces(frontMatter.title) : "";
  let titleToken = -1;
  const headings = tokens.map((t, i) => (t.type === "heading_open" ? i : -1)).filter((i) => i >= 0);
  const chosen = headings.find((i) => tokens[i]?.tag === "h1") ?? headings[0];
  const text = chosen === undefined ? "" : headingText(tokens[chosen + 1]?.children ?? null).text;
  // The first heading is the title when there is no other, and also when it repeats the front matter's (VitePress pages often have both).
  if (chosen !== undefined && text && (!title || text === title)) {
    titleToken = chosen;
    title = text;
  }
  if (!title) title = titleFromPath(path);
  const url = typeof frontMatter.url === "string" && frontMatter.url.trim() ? frontMatter.url.trim() : undefined;

  const builder = new DocumentBuilder();
  const w: Walk = { md, options, builder, env, titleToken, ids: new Map(), visiting, depth: 0 };
  walk(w, tokens, 0);
  return { doc: { title, ...(url ? { url } : {}), frontMatter, sections: builder.sections, blocks: builder.blocks }, ids: w.ids };
}

/**
 * Parses Markdown (CommonMark + GFM tables, YAML front matter, and the dialects of VitePress, VuePress,
 * Docusaurus, MkDocs, GitHub, Obsidian, Jekyll/Eleventy, Hugo, MDX and mdBook) into a title, sections and blocks.
 */
export function parseMarkdown(source: string, path: string, options: MarkdownOptions = {}): ParsedDocument {
  return parse(source, path, options, [path]).doc;
}
