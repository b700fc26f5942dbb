/**
 * Code blocks as the rendered page shows them: the language and file name from the fence's info string,
 * and the code without what the site's highlighter hides (twoslash directives, `// [!code …]` notation,
 * Docusaurus highlight comments, mdBook include lines, Liquid `{% raw %}` markers).
 */
import { codeBlockText, fenceLanguage } from "../fence.ts";

/**
 * Fences in Markdown source, for the passes that run before markdown-it (comments, component
 * indentation) and must leave code alone: the opening marker of a line, and whether a line closes it.
 */
export function fenceMarker(line: string): { marker: string; indent: number } | undefined {
  const m = /^([ \t]*)(`{3,}|~{3,})/.exec(line);
  return m?.[2] ? { marker: m[2], indent: m[1]?.length ?? 0 } : undefined;
}

export function closesFence(line: string, marker: string): boolean {
  const m = fenceMarker(line);
  return Boolean(m && m.marker[0] === marker[0] && m.marker.length >= marker.length && !line.slice(m.indent + m.marker.length).trim());
}

/** mdBook preprocessor lines such as `{{#include ../listings/x.rs}}`: directives, not text. */
export const MDBOOK_DIRECTIVE = /^\s*\{\{#[a-z_]+[^}]*\}\}\s*$/;

/**
 * A file or tab name in an info string: VitePress `[vite.config.js]`, Docusaurus/MkDocs `title="x.ts"`,
 * Nextra `filename="x"`. A bracket holding quotes or commas is line-highlight data (react.dev's `[[1, 1, "x"]]`), not a name.
 */
const CAPTION = /\[([^[\]\n"',]+)\]|\b(?:title|filename|file)=(?:"([^"\n]*)"|'([^'\n]*)'|([^\s"'{}]+))/;

/** The caption an info string gives its code, if any. */
export function captionOf(info: string): string | undefined {
  const meta = info.trim().replace(/^[\w+#.-]*/, "");
  const m = CAPTION.exec(meta);
  const caption = (m?.[1] ?? m?.[2] ?? m?.[3] ?? m?.[4] ?? "").trim();
  return caption || undefined;
}

/** Twoslash hides what comes before `// ---cut---` (or `---cut-before---`), after `---cut-after---`, and its `// @flag` lines. */
function twoslash(lines: string[]): string[] {
  const cut = lines.findLastIndex((l) => /^\s*\/\/ ?-{3}cut(?:-before)?-{3}\s*$/.test(l));
  let shown = cut >= 0 ? lines.slice(cut + 1) : lines;
  const after = shown.findIndex((l) => /^\s*\/\/ ?-{3}cut-after-{3}\s*$/.test(l));
  if (after >= 0) shown = shown.slice(0, after);
  return shown.filter((l) => !/^\s*\/\/ ?@\w+/.test(l) && !/^\s*\/\/\s*\^[?|!]/.test(l));
}

/** The code of a fence as shown on the page. */
export function shownCode(content: string, info: string): string {
  let lines = content.split("\n").filter((l) => !MDBOOK_DIRECTIVE.test(l));
  if (/\btwoslash\b/.test(info)) lines = twoslash(lines);
  lines = lines
    // Docusaurus line-highlight comments are never shown.
    .filter((l) => !/^\s*(?:\/\/|#|<!--|\/\*)\s*highlight-(?:next-line|start|end)\b.*$/.test(l))
    // Shiki notation (VitePress): `// [!code ++]`, `// [!code focus]`, …
    .map((l) => l.replace(/\s*(?:\/\/|#|<!--|\/\*)\s*\[!code [^\]]*\](?:\s*(?:-->|\*\/))?\s*$/, ""));
  return literalTemplates(lines.join("\n"));
}

/**
 * Template syntax in code as the site shows it: Liquid's `{% raw %}` markers and Hugo's escaped
 * shortcodes (a comment inside the brackets) are how authors show template tags, and are not shown themselves.
 */
export function literalTemplates(code: string): string {
  return code
    .replace(/\{%-?\s*(?:end)?raw\s*-?%\}/g, "")
    .replace(/\{\{<\s*\/\*\s*([\s\S]*?)\s*\*\/\s*>\}\}/g, "{{< $1 >}}")
    .replace(/\{\{%\s*\/\*\s*([\s\S]*?)\s*\*\/\s*%\}\}/g, "{{% $1 %}}");
}

/** A fence or indented code block as passage text; `label` captions it when its info string has no name (a code-group tab). */
export function codeText(content: string, info: string, label?: string): string {
  return codeBlockText(shownCode(content, info), fenceLanguage(info), captionOf(info) ?? label);
}
