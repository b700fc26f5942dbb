/**
 * How code appears in passage text: the one grammar that the parsers write and that indexing, answer
 * selection and the renderers read. Passage text is shown as Markdown, so a code block is a CommonMark
 * fence, written in one canonical form:
 *
 *     `vite.config.js`:      optional caption line, directly above the fence (no blank line between)
 *     ```js                  opening fence: a run of N ≥ 3 backticks at the start of a line, then the language
 *     export default {}      the code, verbatim; no line of it starts with N backticks
 *     ```                    closing fence: the same N backticks, alone on their line
 *
 * N is 3 unless the code itself has a line starting with three or more backticks (Markdown shown as
 * code), then one more than the longest such run, as CommonMark requires. The language is only
 * `[\w+#.-]` characters (`sh:no-line-numbers`, `js {9}` and `ts twoslash` all become their language),
 * so every reader can tell the fence line from code. The caption is the code's file name or tab name
 * ("npm:"), as prose ending with a colon, a file name in backticks; being prose, it is searched and
 * shown like any sentence, and it reads naturally in Discord and in a terminal. Kept free of imports:
 * the search and answer modules load it when the engine opens from a snapshot.
 */

/** Characters a fence's language may have; anything else in a Markdown info string is left out. */
const LANGUAGE = /^[\w+#.-]+/;

/**
 * Regular-expression source matching one whole code block (opening fence to closing fence) in passage
 * text. It holds one capture group (the backtick run), so combine it only as the first alternative.
 */
export const FENCED_CODE = "(?<![^\\n])(`{3,})[\\w+#.-]*\\n(?:[\\s\\S]*?\\n)?\\1(?![^\\n])";

/** Regular-expression source matching a fence marker with its language: what a tokeniser must keep whole. */
export const FENCE_MARKER = "`{3,}[\\w+#.-]*";

const FENCED = new RegExp(FENCED_CODE, "g");
const FENCED_HERE = new RegExp(FENCED_CODE, "y");

/** The language of a code block from a Markdown info string: `js {9}`, `sh:no-line-numbers`, `rust,ignore` → js, sh, rust. */
export function fenceLanguage(info: string): string {
  return LANGUAGE.exec(info.trim())?.[0] ?? "";
}

/** The caption line for a code block's file or tab name: a file name (no spaces, a dot or slash) as inline code. */
export function captionLine(label: string): string {
  const name = label.trim();
  const shown = /^[^\s`]*[./][^\s`]*$/.test(name) ? "`" + name + "`" : name;
  return /[:.!?]$/.test(shown) ? shown : `${shown}:`;
}

/** A code block as passage text (see the grammar above); empty when there is no code. */
export function codeBlockText(code: string, language = "", caption?: string): string {
  const body = code.replace(/^\n+|\s+$/g, "");
  if (!body) return "";
  let longest = 2;
  for (const m of body.matchAll(/^`{3,}/gm)) longest = Math.max(longest, m[0].length);
  const fence = "`".repeat(longest + 1);
  const lang = fenceLanguage(language);
  return (caption?.trim() ? captionLine(caption) + "\n" : "") + fence + lang + "\n" + body + "\n" + fence;
}

export interface Fence {
  /** Offset of the opening fence. */
  start: number;
  /** Offset just after the closing fence. */
  end: number;
  language: string;
  /** The code between the fences. */
  code: string;
}

/** Every code block in a passage text, in order. */
export function findFences(text: string): Fence[] {
  if (!text.includes("```")) return [];
  const out: Fence[] = [];
  for (const m of text.matchAll(FENCED)) {
    const run = m[1] ?? "```";
    const firstLine = m[0].indexOf("\n");
    const language = m[0].slice(run.length, firstLine);
    const code = m[0].slice(firstLine + 1, Math.max(firstLine + 1, m[0].length - run.length - 1));
    out.push({ start: m.index, end: m.index + m[0].length, language, code });
  }
  return out;
}

/** Whether a code block opens at `offset` of the text, at the start of a line (callers pass the start of a block or unit). */
export function fenceAt(text: string, offset: number): boolean {
  if (!text.startsWith("```", offset)) return false;
  FENCED_HERE.lastIndex = offset;
  return FENCED_HERE.test(text);
}

/** Whether the text holds a code block. */
export function hasFence(text: string): boolean {
  return findFences(text).length > 0;
}

/** A passage text split for indexing: the prose (each code block replaced by a space) and the code of each block. */
export function splitCode(text: string): { prose: string; code: string[] } {
  const code: string[] = [];
  let prose = "";
  let at = 0;
  for (const f of findFences(text)) {
    prose += text.slice(at, f.start) + " ";
    code.push(f.code);
    at = f.end;
  }
  return { prose: prose + text.slice(at), code };
}
