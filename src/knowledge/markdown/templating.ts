/**
 * Template tags of static-site generators, which the built site replaces before anyone reads it:
 * Liquid/Jekyll/Eleventy `{% … %}`, Hugo shortcodes `{{< … >}}` and `{{% … %}}`, and `{{ … }}`
 * interpolations (Liquid, Vue). A reader sees what they produce, so:
 * - link-like tags (`{% page "/x/" %}`, `{% link %}`, Hugo `ref`/`relref`) give a link, whose text is kept;
 * - paired block tags (`{% alert "Title" %}…{% endalert %}`, `{{< notice >}}…{{< /notice >}}`) are a box
 *   around their content, titled like a container; `{% raw %}` shows its content as it is; comments and
 *   captures show nothing; `{% highlight go %}` is a code block;
 * - any other tag or interpolation is removed, never shown raw.
 * Code is left alone (code.ts only strips `{% raw %}` markers there).
 */
import type { MarkdownIt } from "markdown-it";
import type { StateBlock, StateInline } from "markdown-it";
import { boxMeta, pushBox, pushCode } from "./containers.ts";

interface Tag {
  /** `liquid` for `{% %}`, `angle` for `{{< >}}`, `percent` for `{{% %}}`. */
  style: "liquid" | "angle" | "percent";
  name: string;
  /** Whether it closes a pair: `{% endname %}`, `{{< /name >}}`. */
  closing: boolean;
  /** Everything after the name. */
  args: string;
  /** Hugo's `{{< name />}}`: a tag with no content and no close. */
  selfClosing: boolean;
  /** Hugo's escaped form (a comment inside the brackets), shown literally as the tag it escapes. */
  escaped: boolean;
  /** Offset just after the tag. */
  end: number;
}

const CLOSERS = { liquid: "%}", angle: ">}}", percent: "%}}" } as const;

/** The tag starting at `pos`, if there is a complete one. */
function readTag(src: string, pos: number, max = src.length): Tag | undefined {
  if (src.charCodeAt(pos) !== 0x7b) return undefined;
  const style = src.startsWith("{%", pos) ? "liquid" : src.startsWith("{{<", pos) ? "angle" : src.startsWith("{{%", pos) ? "percent" : undefined;
  if (!style) return undefined;
  const open = style === "liquid" ? 2 : 3;
  const closeAt = src.indexOf(CLOSERS[style], pos + open);
  if (closeAt < 0 || closeAt >= max) return undefined;
  let inner = src.slice(pos + open, closeAt).replace(/^-|-$/g, "").trim();
  const escaped = style !== "liquid" && inner.startsWith("/*") && inner.endsWith("*/");
  if (escaped) inner = inner.slice(2, -2).trim();
  const m = /^(\/)?([\w.-]+)([\s\S]*)$/.exec(inner);
  if (!m) return { style, name: "", closing: false, args: inner, selfClosing: false, escaped, end: closeAt + CLOSERS[style].length };
  let name = m[2] ?? "";
  let closing = Boolean(m[1]);
  if (style === "liquid" && /^end\w/.test(name)) {
    closing = true;
    name = name.slice(3);
  }
  const args = (m[3] ?? "").trim();
  const selfClosing = style !== "liquid" && args.endsWith("/");
  return { style, name, closing, args: selfClosing ? args.slice(0, -1).trim() : args, selfClosing, escaped, end: closeAt + CLOSERS[style].length };
}

/** The quoted strings and `key=value` pairs of a tag's arguments. */
function argsOf(args: string): { quoted: string[]; named: Record<string, string>; words: string[] } {
  const quoted: string[] = [];
  const named: Record<string, string> = {};
  const words: string[] = [];
  for (const m of args.matchAll(/([\w-]+)\s*[=:]\s*(?:"([^"]*)"|'([^']*)'|([^\s,"']+))|"([^"]*)"|'([^']*)'|([^\s,"']+)/g)) {
    if (m[1]) named[m[1].toLowerCase()] = m[2] ?? m[3] ?? m[4] ?? "";
    else if (m[5] !== undefined || m[6] !== undefined) quoted.push(m[5] ?? m[6] ?? "");
    else if (m[7]) words.push(m[7]);
  }
  return { quoted, named, words };
}

/** Tags that produce a link or a reference: their first argument is what the page shows in running text. */
const LINK_TAGS = new Set(["page", "link", "post_url", "url", "relref", "ref", "download"]);

/** What an inline tag shows in running text. */
function shownText(tag: Tag): string {
  if (tag.escaped) return `{{${tag.style === "angle" ? "<" : "%"} ${tag.closing ? "/" : ""}${tag.name}${tag.args ? " " + tag.args : ""} ${tag.style === "angle" ? ">" : "%"}}}`;
  if (tag.closing) return "";
  const { quoted, words } = argsOf(tag.args);
  const first = quoted[0] ?? words[0] ?? "";
  if (tag.name === "slack_channel" && first) return `#${first.replace(/^#/, "")}`;
  return LINK_TAGS.has(tag.name) ? first : "";
}

/** `{{ … }}` on one line, with no braces inside: an interpolation, never text. */
const INTERPOLATION = /^\{\{(?![<%])[^{}\n]*\}\}/;

function templateInline(state: StateInline, silent: boolean): boolean {
  const { src, pos } = state;
  if (src.charCodeAt(pos) !== 0x7b) return false;
  const tag = readTag(src, pos, state.posMax);
  if (tag) {
    let end = tag.end;
    let shown = shownText(tag);
    if (!tag.closing && tag.style === "liquid" && (tag.name === "raw" || tag.name === "comment")) {
      const close = new RegExp(`\\{%-?\\s*end${tag.name}\\s*-?%\\}`, "g");
      close.lastIndex = end;
      const m = close.exec(src);
      if (m && m.index < state.posMax) {
        shown = tag.name === "raw" ? src.slice(end, m.index) : "";
        end = m.index + m[0].length;
      }
    }
    if (!silent && shown) state.push("text", "", 0).content = shown;
    else if (!silent) closeGap(state, end);
    state.pos = end;
    return true;
  }
  const interpolation = INTERPOLATION.exec(src.slice(pos, Math.min(state.posMax, pos + 400)));
  if (!interpolation) return false;
  if (!silent) closeGap(state, pos + interpolation[0].length);
  state.pos += interpolation[0].length;
  return true;
}

/** A tag that shows nothing leaves no space before the punctuation after it ("this page is {{ x }}." → "this page is."). */
function closeGap(state: StateInline, end: number): void {
  if (/^[.,;:!?)]/.test(state.src.slice(end, end + 1))) state.pending = state.pending.replace(/[ \t]+$/, "");
}

/** A link destination that is a template tag (`[text]({% page "/x/" %})`): a link whose target the site fills in. */
function templateDestination(original: MarkdownIt["helpers"]["parseLinkDestination"]): MarkdownIt["helpers"]["parseLinkDestination"] {
  return (str, start, max) => {
    const tag = readTag(str, start, max);
    if (tag) return { ok: true, pos: tag.end, str: "#" };
    const interpolation = str.startsWith("{{", start) ? INTERPOLATION.exec(str.slice(start, max)) : null;
    if (interpolation) return { ok: true, pos: start + interpolation[0].length, str: "#" };
    return original(str, start, max);
  };
}

/** The tag that starts a block line, when the line (or lines, for a tag spanning several) holds nothing else. */
function lineTag(state: StateBlock, line: number, endLine: number): { tag: Tag; lastLine: number } | undefined {
  const start = state.bMarks[line]! + state.tShift[line]!;
  const tag = readTag(state.src, start);
  if (!tag) return undefined;
  let lastLine = line;
  while (lastLine + 1 < endLine && state.eMarks[lastLine]! < tag.end) lastLine++;
  if (state.src.slice(tag.end, state.eMarks[lastLine]).trim()) return undefined;
  return { tag, lastLine };
}

/** Paired tags whose content is code: Jekyll/Hugo `highlight`, Hugo docs' `code-toggle`. */
const CODE_TAGS = new Set(["highlight", "code-toggle", "code", "codeblock"]);

/** Tags whose content is never shown. */
const HIDDEN = new Set(["comment", "capture"]);

function templateBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  const found = lineTag(state, startLine, endLine);
  if (!found || found.tag.escaped) return false;
  if (silent) return true;
  const { tag, lastLine } = found;
  // The matching close tag, at the same nesting.
  let depth = 0;
  let close = -1;
  let closeLast = -1;
  if (!tag.closing && !tag.selfClosing) {
    for (let line = lastLine + 1; line < endLine && close < 0; line++) {
      const other = lineTag(state, line, endLine);
      if (!other || other.tag.name !== tag.name || other.tag.style !== tag.style) continue;
      if (!other.tag.closing) depth++;
      else if (depth-- === 0) {
        close = line;
        closeLast = other.lastLine;
      }
    }
  }
  if (close < 0) {
    // A tag on its own (an include, an image, `{% else %}`) or a stray close: it shows nothing here.
    state.line = lastLine + 1;
    return true;
  }
  if (HIDDEN.has(tag.name)) {
    state.line = closeLast + 1;
    return true;
  }
  const { quoted, named, words } = argsOf(tag.args);
  if (CODE_TAGS.has(tag.name)) {
    // Hugo's code-toggle shows configuration, written in TOML, in each format; its TOML is what is shown first.
    const info = tag.name === "code-toggle" ? "toml" : (named.lang ?? words[0] ?? quoted[0] ?? "");
    pushCode(state, info, [startLine, closeLast + 1], lastLine + 1, close, state.sCount[startLine]!);
    state.line = closeLast + 1;
    return true;
  }
  // The first quoted argument is the title (18F: `{% alert "Title", "warning" %}`, where the second is the style).
  const title = named.title ?? quoted[0];
  pushBox(state, tag.name === "raw" ? {} : boxMeta(tag.name, title, false), [startLine, closeLast + 1], lastLine + 1, close);
  state.line = closeLast + 1;
  return true;
}

export function templatingPlugin(md: MarkdownIt): void {
  md.block.ruler.before("paragraph", "template_block", templateBlock, { alt: ["paragraph", "reference", "blockquote", "list"] });
  md.inline.ruler.before("text", "template", templateInline);
  md.helpers = { ...md.helpers, parseLinkDestination: templateDestination(md.helpers.parseLinkDestination) };
}
