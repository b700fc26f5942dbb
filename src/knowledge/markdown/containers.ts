/**
 * Boxes around Markdown: VitePress/VuePress and Docusaurus `:::` containers (markdown-it-container),
 * MkDocs `!!!`/`???` admonitions, and GitHub alerts / Obsidian callouts (`> [!NOTE] Title`). Each becomes
 * a `container_open` … `container_close` token pair carrying what a reader sees of the box
 * (see ContainerMeta), so the document walker handles them all alike.
 */
import type { MarkdownIt } from "markdown-it";
import type { StateBlock, StateCore } from "markdown-it";
import container from "markdown-it-container";

/** What a box shows besides its content. */
export type ContainerMeta = {
  /** The title shown above the content ("Tip", or the author's own), put before its first block. */
  lead?: string;
  /** A tab's name (code-group item): the caption of code inside that has none of its own. */
  label?: string;
};

/** Admonition types of VitePress, Docusaurus, MkDocs, GitHub and Obsidian: without a title of their own, they show the type. */
const ADMONITIONS = new Set(
  "note tip info warning danger caution important details abstract summary tldr success check done question help faq failure fail missing bug example quote cite attention error hint todo seealso".split(" "),
);
/** Containers that only arrange their content: no title. */
const WRAPPERS = new Set(["code-group", "tabs", "code-tabs", "v-pre", "raw", "center", "left", "right", "justify", "demo"]);
/** Containers that are one tab of a group: their title names the tab. */
const TABS = new Set(["code-group-item", "tab", "code-tab"]);

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** Meta for a box of `type` with the title its author gave (possibly none). */
export function boxMeta(type: string, title: string | undefined, defaultTitle = true): ContainerMeta {
  const kind = type.toLowerCase();
  const own = title?.trim();
  if (TABS.has(kind)) return own ? { label: own.replace(/:active$/, "") } : {};
  if (WRAPPERS.has(kind)) return {};
  if (own) return { lead: own };
  return defaultTitle && ADMONITIONS.has(kind) ? { lead: capitalise(kind) } : {};
}

/**
 * A box around source lines `from` to `to` (exclusive), read as Markdown inside it: the container_open …
 * container_close pair the document walker reads. `map` is the box's own lines, opening and closing marks included.
 */
export function pushBox(state: StateBlock, meta: ContainerMeta, map: [number, number], from: number, to: number): void {
  const open = state.push("container_open", "div", 1);
  open.meta = meta;
  open.map = map;
  const oldParent = state.parentType;
  const oldMax = state.lineMax;
  state.parentType = "container";
  state.lineMax = to;
  state.md.block.tokenize(state, from, to);
  state.parentType = oldParent;
  state.lineMax = oldMax;
  state.push("container_close", "div", -1);
}

/** A code block of source lines `from` to `to` (exclusive), unindented by `indent` columns, in language `info`. */
export function pushCode(state: StateBlock, info: string, map: [number, number], from: number, to: number, indent: number): void {
  const code = state.push("fence", "code", 0);
  code.info = info;
  code.content = state.getLines(from, to, indent, true);
  code.map = map;
}

/** `:::` params: `tip`, `tip Custom title`, `note[Title]` (Docusaurus), `note{title="Title"}`, `code-group-item npm:active`. */
const CONTAINER_PARAMS = /^\s*([\w-]+)\s*(?:\[([^\]]*)\]|\{\s*title\s*=\s*"([^"]*)"\s*\})?\s*(.*)$/;

export function containerMeta(params: string): ContainerMeta {
  const m = CONTAINER_PARAMS.exec(params);
  if (!m) return {};
  return boxMeta(m[1] ?? "", m[2] ?? m[3] ?? m[4]);
}

/** `!!! note "Title"`, `??? tip`, `???+ warning ""` (an empty title hides it), `!!! note annotate "Title"` (Material's modifiers). */
const MKDOCS = /^(!!!|\?\?\?\+?)[ \t]+([\w-]+)(?:[ \t]+[\w-]+)*?(?:[ \t]+(?:"([^"]*)"|'([^']*)'))?[ \t]*$/;

/** MkDocs admonitions: the body is the following lines indented by four spaces (or a tab), blank lines included. */
function mkdocsAdmonition(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  const start = state.bMarks[startLine]! + state.tShift[startLine]!;
  const m = MKDOCS.exec(state.src.slice(start, state.eMarks[startLine]));
  if (!m) return false;
  if (silent) return true;
  const indent = state.blkIndent + 4;
  let last = startLine;
  for (let line = startLine + 1; line < endLine; line++) {
    if (state.isEmpty(line)) continue;
    if (state.sCount[line]! < indent) break;
    last = line;
  }
  const title = m[3] ?? m[4];
  const open = state.push("container_open", "div", 1);
  open.meta = title === "" ? {} : boxMeta(m[2] ?? "", title);
  open.map = [startLine, last + 1];
  const oldIndent = state.blkIndent;
  const oldParent = state.parentType;
  state.blkIndent = indent;
  state.parentType = "container";
  state.md.block.tokenize(state, startLine + 1, last + 1);
  state.blkIndent = oldIndent;
  state.parentType = oldParent;
  state.push("container_close", "div", -1);
  state.line = last + 1;
  return true;
}

/** `[!type]` at the start of a blockquote, with Obsidian's fold marker and the rest of the line as the title. */
const CALLOUT = /^\\?\[!([\w-]+)\]([+-]?)[ \t]*([^\n]*)(?:\n|$)/;

/** Renders a title's Markdown as passage text (inline code kept, links reduced to their text). */
export type TitleRenderer = (source: string, env: unknown) => string;

/**
 * GitHub alerts and Obsidian callouts. Hand-written rather than markdown-it-github-alerts: that plugin
 * pairs a callout's opening with the first blockquote close after it, which breaks nested callouts.
 */
function callouts(title: TitleRenderer): (state: StateCore) => void {
  return (state) => {
    const tokens = state.tokens;
    const open: boolean[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.type === "blockquote_open") {
        const paragraph = tokens[i + 1];
        const inline = paragraph?.type === "paragraph_open" ? tokens[i + 2] : undefined;
        const m = inline?.type === "inline" ? CALLOUT.exec(inline.content) : null;
        if (paragraph && inline && m) {
          inline.content = inline.content.slice(m[0].length);
          // The paragraph now starts on the line after the title.
          if (m[0].endsWith("\n") && paragraph.map) paragraph.map = [paragraph.map[0] + 1, paragraph.map[1]];
          t.type = "container_open";
          t.meta = { ...boxMeta(m[1] ?? "", m[3]?.trim() ? title(m[3], state.env) : undefined), callout: true };
        }
        open.push(Boolean(m));
      } else if (t.type === "blockquote_close" && open.pop()) t.type = "container_close";
    }
  };
}

/** Installs every box syntax. */
export function containersPlugin(md: MarkdownIt, title: TitleRenderer): void {
  md.use(container, "box", { validate: (params: string) => CONTAINER_PARAMS.test(params) });
  md.block.ruler.before("paragraph", "mkdocs_admonition", mkdocsAdmonition, { alt: ["paragraph", "reference", "blockquote", "list"] });
  md.core.ruler.after("block", "callouts", callouts(title));
  // markdown-it-container names its tokens after the container; one name for all the boxes.
  md.core.ruler.after("callouts", "box_tokens", (state) => {
    for (const t of state.tokens) {
      if (t.type === "container_box_open") {
        t.type = "container_open";
        const meta = containerMeta(t.info);
        if (meta.lead) meta.lead = title(meta.lead, state.env);
        t.meta = meta;
      } else if (t.type === "container_box_close") t.type = "container_close";
    }
  });
}
