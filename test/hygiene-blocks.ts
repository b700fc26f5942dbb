/** Test helper shared by the hygiene tests: turns a fixture into hygiene blocks without the real loader. */
import type { HygieneBlock } from "../src/knowledge/hygiene/index.ts";

/**
 * A deliberately small parser for the fixtures, so these tests do not depend on the loader's:
 * blank lines separate blocks; `#` lines are headings; fences, `|` rows, `- ` items and `> ` lines
 * make code, tables, lists and quotes; a first line without closing punctuation is the title.
 */
export function blocksOf(source: string): HygieneBlock[] {
  const lines = source.replace(/^---\n[\s\S]*?\n---\n/, (m) => "\n".repeat(m.split("\n").length - 1)).split("\n");
  const blocks: HygieneBlock[] = [];
  let section: string[] = [];
  let i = 0;
  if (lines[0] && !/[.!?:]$/.test(lines[0]) && !lines[0].startsWith("#")) i = 1;
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.trim()) {
      i++;
      continue;
    }
    const start = i + 1;
    if (line.startsWith("#")) {
      section = [line.replace(/^#+\s*/, "")];
      i++;
      continue;
    }
    if (line.startsWith("```")) {
      let end = i + 1;
      while (end < lines.length && !lines[end]!.startsWith("```")) end++;
      blocks.push({ kind: "code", text: lines.slice(i, end + 1).join("\n"), line: start, section });
      i = end + 1;
      continue;
    }
    const group: string[] = [];
    while (i < lines.length && lines[i]!.trim()) group.push(lines[i++]!);
    if (group.every((l) => l.startsWith("|"))) blocks.push({ kind: "table", text: group.join("\n"), line: start, section });
    else if (group.every((l) => l.startsWith("- "))) blocks.push({ kind: "list", text: group.join("\n"), line: start, section });
    else {
      const quote = group.every((l) => l.startsWith(">"));
      const parts = group.map((l) => l.replace(/^>\s?/, "").trim());
      const lineOffsets: number[] = [];
      let text = "";
      for (const part of parts) {
        if (text) text += " ";
        lineOffsets.push(text.length);
        text += part;
      }
      blocks.push({ kind: quote ? "quote" : "prose", text, line: start, lineOffsets, section });
    }
  }
  return blocks;
}
