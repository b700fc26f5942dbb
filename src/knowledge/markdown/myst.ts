/**
 * MyST Markdown (Sphinx's myst-parser, Jupyter Book, MyST-MD), read as its rendered page shows it:
 * - directives in backtick or colon fences (```` ```{note} ````, `:::{tip}`), their options (`:class: x`
 *   lines or a `---` YAML block) left out: admonitions are boxes led by their title ("See also: …"), tabs
 *   caption their code, `{code-block} py` is code, and directives that show no text of the page (a toctree,
 *   an include, an image, reStructuredText) show nothing;
 * - roles (`` {ref}`the guide <guide-label>` ``) show their text, as text or, for code roles, as code;
 * - targets (`(label)=`) show nothing, and neither do `%` comment lines and `+++` block breaks.
 * Comments and block breaks are only read so in a document that uses MyST's other syntax: elsewhere a line
 * may well start with "%".
 */
import type { MarkdownIt, StateBlock, StateCore, Token } from "markdown-it";
import { boxMeta, pushBox, pushCode, type ContainerMeta, type TitleRenderer } from "./containers.ts";

/** A directive's opening line: the fence, the directive's name in braces, and its argument. */
const OPENER = /^(`{3,}|:{3,})\{([\w:.+-]+)\}[ \t]*(.*)$/;
/** A directive option at the start of its body: `:class: tip`, `:open:`. */
const OPTION = /^:[\w-]+:(?:\s|$)/;
/** A reference target on a line of its own: `(syntax/frontmatter)=`. */
const TARGET = /^\([^\s()]+\)=\s*$/;
/** A role: `{name}` right before inline code. */
const ROLE = /\{([\w:.+-]+)\}$/;

/** Directives whose body is code; the argument is its language. */
const CODE = new Set(["code", "code-block", "sourcecode", "code-cell"]);
/** Executable chunks of R Markdown and Quarto (```` ```{r} ````) share the syntax: code in the language named. */
const CHUNKS = new Set(["r", "python", "julia", "bash", "sh", "sql", "ojs", "js", "javascript", "ruby", "rust", "c", "cpp", "stan", "octave"]);
/** Directives that show none of the page's own text: navigation, inclusions, media, other markup languages. */
const HIDDEN = new Set(
  "toctree include literalinclude image eval-rst raw only contents tableofcontents bibliography mermaid graphviz plot iframe video audio csv-table embed glue".split(
    " ",
  ),
);
/** Sphinx's version notes, led as the built page leads them. */
const VERSIONS: Record<string, string> = {
  versionadded: "New in version",
  versionchanged: "Changed in version",
  deprecated: "Deprecated since version",
  versionremoved: "Removed in version",
};
/** Directives whose argument is not a title: a figure's image, a tab set's or grid's layout. */
const UNTITLED = new Set(["figure", "figure-md", "tab-set", "grid", "div", "container", "math", "glossary"]);
/** Roles that show code (Sphinx's domain roles and literal text roles). */
const CODE_ROLES = /^(?:code|command|file|samp|envvar|option|program|kbd|math|literal|regexp|mimetype|makevar|token|keyword|(?:[\w]+:)?(?:func|meth|class|attr|mod|obj|data|const|exc|type|member|var|function|macro|struct|enum|prop|interface))$/;

/** What a directive's box shows besides its content. */
function directiveMeta(name: string, argument: string, title: TitleRenderer, env: unknown): ContainerMeta {
  const version = VERSIONS[name];
  if (version) return { lead: argument ? `${version} ${argument}` : version };
  if (name === "seealso") return { lead: "See also" };
  if (UNTITLED.has(name)) return {};
  const rendered = argument ? title(argument, env) : undefined;
  return boxMeta(name === "tab-item" ? "tab" : name, rendered);
}

function lineAt(state: StateBlock, line: number): string {
  return state.src.slice(state.bMarks[line]! + state.tShift[line]!, state.eMarks[line]);
}

/** The first line of the body after the directive's options, from the line after the opener. */
function afterOptions(state: StateBlock, from: number, close: number): number {
  if (from < close && lineAt(state, from) === "---") {
    for (let line = from + 1; line < close; line++) if (lineAt(state, line) === "---") return line + 1;
    return from;
  }
  let line = from;
  while (line < close && OPTION.test(lineAt(state, line))) line++;
  return line;
}

function directive(title: TitleRenderer) {
  return (state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean => {
    if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
    const m = OPENER.exec(lineAt(state, startLine));
    if (!m) return false;
    if (silent) return true;
    const fence = m[1] ?? "```";
    const name = (m[2] ?? "").toLowerCase();
    const argument = (m[3] ?? "").trim();
    // Closed by a run of the same character at least as long; inner directives use shorter runs.
    const closer = new RegExp(`^\\${fence[0]}{${fence.length},}\\s*$`);
    let close = startLine + 1;
    while (close < endLine && !(state.sCount[close]! < state.blkIndent && !state.isEmpty(close)) && !closer.test(lineAt(state, close))) close++;
    const next = close < endLine && closer.test(lineAt(state, close)) ? close + 1 : close;
    const body = afterOptions(state, startLine + 1, close);
    state.line = next;
    if (HIDDEN.has(name) || name.startsWith("auto")) return true;
    if (CODE.has(name) || CHUNKS.has(name) || name === "math") {
      pushCode(state, name === "math" ? "latex" : CHUNKS.has(name) ? name : argument, [startLine, next], body, close, state.sCount[startLine]!);
      return true;
    }
    pushBox(state, directiveMeta(name, argument, title, state.env), [startLine, next], body, close);
    state.line = next;
    return true;
  };
}

/** A line that shows nothing: a target anywhere; a comment or block break in a MyST document. */
function silentLine(state: StateBlock, startLine: number, _endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  const line = lineAt(state, startLine);
  const myst = (state.env as { myst?: boolean } | undefined)?.myst === true;
  if (!TARGET.test(line) && !(myst && (/^%(?!%)/.test(line) || /^\+{3}(?:\s|$)/.test(line)))) return false;
  if (!silent) state.line = startLine + 1;
  return true;
}

/** What a role's content shows: the text of `text <target>`, the last part of `~module.name`. */
function roleText(content: string): string {
  const titled = /^([\s\S]*?)\s*<[^<>]*>$/.exec(content);
  if (titled?.[1]) return titled[1];
  const bare = content.replace(/^[~!]/, "");
  return content.startsWith("~") ? (bare.split(".").pop() ?? bare) : bare;
}

function roles(state: StateCore): void {
  for (const t of state.tokens) {
    if (t.type !== "inline" || !t.children) continue;
    const children: Token[] = t.children;
    for (let i = 0; i + 1 < children.length; i++) {
      const text = children[i]!;
      const code = children[i + 1]!;
      if (text.type !== "text" || code.type !== "code_inline") continue;
      const m = ROLE.exec(text.content);
      if (!m) continue;
      const name = (m[1] ?? "").toLowerCase();
      text.content = text.content.slice(0, m.index);
      if (name === "octicon" || name === "fa") {
        // An icon shows no text: the space before it goes too when punctuation follows ("Save {octicon}`check`,").
        if (/^[\s,.;:!?)]|^$/.test(children[i + 2]?.content ?? "")) text.content = text.content.replace(/[ \t]+$/, "");
        code.type = "text";
        code.content = "";
      } else if (CODE_ROLES.test(name)) {
        const shown = roleText(code.content);
        // Sphinx shows a function or method reference with its parentheses (add_function_parentheses).
        code.content = /(?:^|:)(?:func|meth|function)$/.test(name) && !shown.endsWith(")") ? `${shown}()` : shown;
      } else {
        code.type = "text";
        let shown = roleText(code.content);
        if (name === "guilabel") shown = shown.replace(/&(?=\S)/g, "");
        if (name === "menuselection") shown = shown.replace(/\s*-->\s*/g, " › ");
        if (name === "abbr") shown = shown.replace(/\s*\([^)]*\)$/, "");
        code.content = shown;
      }
    }
  }
}

/** Whether a document is written in MyST: it has a directive, a target or a role. */
export function isMyst(source: string): boolean {
  return /^[ \t]*(?:`{3,}|:{3,})\{[\w:.+-]+\}/m.test(source) || /^\([^\s()]+\)=[ \t]*$/m.test(source) || /\{[\w:.+-]+\}`[^`\n]+`/.test(source);
}

export function mystPlugin(md: MarkdownIt, title: TitleRenderer): void {
  md.block.ruler.before("fence", "myst_directive", directive(title), { alt: ["paragraph", "reference", "blockquote", "list"] });
  md.block.ruler.before("paragraph", "myst_silent_line", silentLine, { alt: ["paragraph", "reference", "blockquote", "list"] });
  md.core.ruler.after("inline", "myst_roles", roles);
}
