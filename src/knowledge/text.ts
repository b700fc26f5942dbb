import type { Block, ParsedDocument } from "./blocks.ts";
import { collapseSpaces, joinLines, titleFromPath } from "./normalize.ts";

const LIST_ITEM = /^\s*(?:[-*•‣◦]|\d{1,3}[.)])\s+\S/;
/** Sentence-final punctuation, after any closing quotes or brackets. */
const CLOSES_SENTENCE = /[.!?:;,…。！？；：]["'”’)\]»]*$/u;
const MAX_HEADING_LENGTH = 160;

/**
 * A short line standing alone between blank lines, without closing punctuation, reads as a heading
 * in plain-text articles (news sites lose their heading markup when scraped to text).
 */
function isHeading(lines: string[]): boolean {
  if (lines.length !== 1) return false;
  const line = collapseSpaces(lines[0] ?? "");
  if (line.length < 3 || line.length > MAX_HEADING_LENGTH) return false;
  if (CLOSES_SENTENCE.test(line) || LIST_ITEM.test(line)) return false;
  // Needs words: a lone URL, number or tag fragment is not a heading.
  return (line.match(/\p{L}{2,}/gu) ?? []).length >= 2 && !/[<>{}]|\/\S/.test(line);
}

/**
 * Parses a plain-text file: the first line is the title, blank lines separate blocks,
 * short unpunctuated lines are section headings, and lines of list items stay lines.
 */
export function parseText(source: string, path: string): ParsedDocument {
  const lines = source.split("\n");
  const groups: { line: number; lines: string[] }[] = [];
  let current: { line: number; lines: string[] } | undefined;
  lines.forEach((raw, i) => {
    if (!raw.trim()) {
      current = undefined;
      return;
    }
    if (!current) {
      current = { line: i + 1, lines: [] };
      groups.push(current);
    }
    current.lines.push(raw);
  });

  let title = titleFromPath(path);
  const first = groups[0];
  if (first && first.lines.length >= 1) {
    const candidate = collapseSpaces(first.lines[0] ?? "");
    if (candidate.length <= 200) {
      title = candidate;
      first.lines.shift();
      first.line += 1;
      if (first.lines.length === 0) groups.shift();
    }
  }

  const blocks: Block[] = [];
  const sections: string[][] = [];
  let section: string[] = [];
  for (const group of groups) {
    if (isHeading(group.lines)) {
      section = [collapseSpaces(group.lines[0] ?? "")];
      sections.push(section);
      continue;
    }
    // A list may follow the line that introduces it without a blank line between them.
    const firstItem = group.lines.findIndex((l) => LIST_ITEM.test(l));
    const isListTail = firstItem >= 0 && group.lines.slice(firstItem).every((l) => LIST_ITEM.test(l) || /^\s{2,}\S/.test(l));
    const proseLines = isListTail ? group.lines.slice(0, firstItem) : group.lines;
    const { text, lineOffsets } = joinLines(proseLines);
    if (text) blocks.push({ kind: "prose", text, line: group.line, lineOffsets, section });
    if (isListTail) {
      const list = group.lines.slice(firstItem).map((l) => l.replace(/[ \t]+$/, "")).join("\n");
      blocks.push({ kind: "list", text: list, line: group.line + firstItem, lineOffsets: [0], section });
    }
  }
  return { title, frontMatter: {}, sections, blocks };
}
