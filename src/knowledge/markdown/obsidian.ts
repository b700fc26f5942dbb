/**
 * Obsidian's additions to Markdown, as its reading view shows them:
 * - `[[Page]]`, `[[Page|alias]]`, `[[Page#Heading]]`: a link showing the alias, else the page (and heading);
 * - `![[Note]]`, `![[Note#Heading]]`, `![[Note#^block]]`: an embed, a token the document walker replaces
 *   with the embedded note's text (media embeds show no text);
 * - `%%comment%%`, inline or across lines: hidden (stripComments, before parsing);
 * - `==highlight==`: highlighted text;
 * - `^block-id` at the end of a line: hidden.
 */
import type { MarkdownIt } from "markdown-it";
import type { StateCore, StateInline } from "markdown-it";
import { closesFence, fenceMarker } from "./code.ts";

/** Embeds of files that are not notes: images, audio, video, PDFs, canvases. */
const MEDIA = /\.(?:png|jpe?g|gif|svg|webp|avif|bmp|mp3|wav|ogg|m4a|flac|webm|mp4|mov|mkv|pdf|canvas|base)$/i;

export type EmbedTarget = {
  /** The note as written, without `.md`. */
  note: string;
  /** A heading of it, if the embed names one. */
  heading?: string;
  /** A block id (`^id`), if the embed names one. */
  block?: string;
};

/** What a link target shows when it has no alias: the page, or "page > heading", as Obsidian displays it. */
function linkText(target: string): string {
  const [page = "", ...rest] = target.split("#");
  const anchor = rest.join("#").trim();
  const name = page.trim().replace(/\.md$/i, "");
  if (!anchor || anchor.startsWith("^")) return name;
  return name ? `${name} > ${anchor}` : anchor;
}

function wikilink(state: StateInline, silent: boolean): boolean {
  const { src, pos } = state;
  const embed = src.charCodeAt(pos) === 0x21;
  const open = embed ? pos + 1 : pos;
  if (!src.startsWith("[[", open)) return false;
  const end = src.indexOf("]]", open + 2);
  if (end < 0 || end > state.posMax) return false;
  const inner = src.slice(open + 2, end);
  if (!inner.trim() || inner.includes("\n") || inner.includes("[[")) return false;
  const [target = "", ...aliases] = inner.split("|");
  if (!silent) {
    if (embed) {
      const [note = "", ...rest] = target.split("#");
      const anchor = rest.join("#").trim();
      if (!MEDIA.test(note.trim())) {
        const token = state.push("embed", "", 0);
        const meta: EmbedTarget = { note: note.trim().replace(/\.md$/i, "") };
        if (anchor.startsWith("^")) meta.block = anchor.slice(1);
        else if (anchor) meta.heading = anchor;
        token.meta = meta;
      }
    } else {
      // In a table, Obsidian writes the alias bar escaped: `[[Page\|alias]]`.
      const alias = aliases.join("|").trim();
      state.push("text", "", 0).content = alias || linkText(target.replace(/\\$/, ""));
    }
  }
  state.pos = end + 2;
  return true;
}

/**
 * Obsidian's comments, removed before parsing: `%%` pairs up with the next `%%` wherever it is, within a
 * line or across paragraphs, as Obsidian reads it; only code (fenced, or in backticks) is left alone.
 * Line breaks inside a comment are kept, so line numbers stay right.
 */
export function stripComments(source: string): string {
  if (!source.includes("%%")) return source;
  const lines = source.split("\n");
  let fence: string | undefined;
  let inComment = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const marker = fenceMarker(line)?.marker;
    if (!inComment && fence) {
      if (closesFence(line, fence)) fence = undefined;
      continue;
    }
    if (!inComment && marker) {
      fence = marker;
      continue;
    }
    // A line a comment runs into keeps its indentation: it may be inside a list item or an admonition.
    let out = inComment ? (/^[ \t]*/.exec(line)?.[0] ?? "") : "";
    let at = 0;
    while (at < line.length) {
      if (inComment) {
        const end = line.indexOf("%%", at);
        if (end < 0) break;
        inComment = false;
        at = end + 2;
        continue;
      }
      const code = /`+/g;
      code.lastIndex = at;
      const next = line.indexOf("%%", at);
      const tick = code.exec(line);
      if (tick && (next < 0 || tick.index < next)) {
        const close = line.indexOf(tick[0], tick.index + tick[0].length);
        const stop = close < 0 ? tick.index + tick[0].length : close + tick[0].length;
        out += line.slice(at, stop);
        at = stop;
        continue;
      }
      if (next < 0) {
        out += line.slice(at);
        break;
      }
      // The space before a comment goes with it, unless it is the line's indentation.
      const before = line.slice(at, next);
      out += (out + before).trim() ? before.replace(/[ \t]+$/, "") : before;
      inComment = true;
      at = next + 2;
    }
    lines[i] = out;
  }
  return lines.join("\n");
}

function highlight(state: StateInline, silent: boolean): boolean {
  const { src, pos } = state;
  if (!src.startsWith("==", pos) || src.charCodeAt(pos + 2) === 0x3d || /\s/.test(src[pos + 2] ?? " ")) return false;
  const end = src.indexOf("==", pos + 2);
  if (end < 0 || end > state.posMax || /\s/.test(src[end - 1] ?? " ") || src.slice(pos, end).includes("\n\n")) return false;
  if (!silent) {
    state.push("mark_open", "mark", 1);
    const max = state.posMax;
    state.pos = pos + 2;
    state.posMax = end;
    state.md.inline.tokenize(state);
    state.posMax = max;
    state.push("mark_close", "mark", -1);
  }
  state.pos = end + 2;
  return true;
}

/** A block id ends a line of a paragraph or list item: ` ^abc-123`. */
const BLOCK_ID = /(?:^|[ \t]+)\^([A-Za-z0-9-]+)[ \t]*$/;

/** Hides block ids; the last one of an inline run is kept in its token's meta, for embeds of that block. */
function blockIds(state: StateCore): void {
  for (const t of state.tokens) {
    const children = t.children;
    if (t.type !== "inline" || !children) continue;
    children.forEach((c, i) => {
      const next = children[i + 1];
      if (c.type !== "text" || (next && next.type !== "softbreak" && next.type !== "hardbreak")) return;
      const m = BLOCK_ID.exec(c.content);
      if (!m) return;
      c.content = c.content.slice(0, m.index);
      if (!next) t.meta = { ...(t.meta as object | null), blockId: m[1] };
    });
  }
}

export function obsidianPlugin(md: MarkdownIt): void {
  md.inline.ruler.before("link", "wikilink", wikilink);
  md.inline.ruler.before("image", "wikiembed", wikilink);
  md.inline.ruler.before("emphasis", "highlight", highlight);
  md.core.ruler.after("inline", "block_ids", blockIds);
}
