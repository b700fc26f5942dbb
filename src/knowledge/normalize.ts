/**
 * Text normalisation shared by the parsers. Display text keeps typography (curly quotes, dashes);
 * folding for matching happens in the search analyser, not here.
 */

/** NFKC, no control characters, no zero-width characters, one kind of line break. */
export function normalizeText(text: string): string {
  return text
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .normalize("NFKC")
    // Zero-width and bidi controls make identical words look different to the index.
    .replace(/[\u200B-\u200D\u2060\u202A-\u202E\u2066-\u2069\uFEFF]/g, "")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "");
}

/** Collapses runs of spaces and tabs to one space and trims; keeps line breaks. */
export function collapseSpaces(text: string): string {
  return text.replace(/[ \t]+/g, " ").replace(/ ?\n ?/g, "\n").trim();
}

/**
 * Hard-wrapped lines joined into one line of text, with where each source line starts in it (for
 * line numbers). Lines that `skip` says carry no text count as empty.
 */
export function joinLines(lines: readonly string[], skip: (line: string) => boolean = () => false): { text: string; lineOffsets: number[] } {
  const lineOffsets: number[] = [];
  let text = "";
  for (const line of lines) {
    const clean = skip(line) ? "" : collapseSpaces(line);
    if (clean && text) text += " ";
    lineOffsets.push(text.length);
    text += clean;
  }
  return { text, lineOffsets };
}

/** GitHub/mdBook-style heading anchor. */
export function slugify(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .trim()
    .replace(/\s/g, "-");
}

/** File name to a readable title, for documents that have none. */
export function titleFromPath(relativePath: string): string {
  const base = relativePath.split("/").pop() ?? relativePath;
  return base.replace(/\.[^.]+$/, "").replace(/[-_]+/g, " ").trim() || base;
}
