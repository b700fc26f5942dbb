import type { PassageKind } from "./types.ts";

/**
 * A structural unit of a parsed document, before it is cut into passages:
 * a paragraph, a list, a code block, a table or a quoted paragraph.
 */
export interface Block {
  kind: PassageKind;
  /** Display text: normalised; hard-wrapped prose joined; lists, code and tables keep their lines. */
  text: string;
  /** 1-based line in the file where the block starts. */
  line: number;
  /** Offsets in `text` where each source line begins (first is 0), to give exact lines to pieces of the block. */
  lineOffsets: number[];
  /** Heading path of the section that holds the block, outermost first. */
  section: string[];
  /** Anchor of that section (Markdown only), for links. */
  anchor?: string;
  /** Emphasised terms in the block (Markdown only). */
  emphasis?: string[];
}

/** What a format parser returns for one file. */
export interface ParsedDocument {
  title: string;
  url?: string;
  /** Front matter values (Markdown only), for per-document options. */
  frontMatter: Record<string, unknown>;
  /** Every section heading path in order, including ones with no text of their own. */
  sections: string[][];
  blocks: Block[];
}

/** Line of a character offset inside a block. */
export function lineAt(block: Pick<Block, "line" | "lineOffsets">, offset: number): number {
  let line = block.line;
  for (let i = 1; i < block.lineOffsets.length; i++) {
    if ((block.lineOffsets[i] ?? Infinity) > offset) break;
    line = block.line + i;
  }
  return line;
}
