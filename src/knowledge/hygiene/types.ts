/** The hygiene check's data: what it is given, what it returns, and the units it judges. */
import type { FlaggedSpan, PassageKind } from "../types.ts";
import type { Tuning } from "./tuning.ts";
import type { Vocabulary } from "./vocabulary.ts";

export interface HygieneBlock {
  /** Block text, whitespace-normalised, hard-wrapped lines joined with single spaces. */
  text: string;
  /** 1-based line in the file where the block starts. */
  line: number;
  /** Offsets in `text` where each following source line begins (lineOffsets[0] = 0 is the first line), for exact line numbers of flagged spans; may be omitted, then every span gets `line`. */
  lineOffsets?: number[];
  /** Only prose, list and quote blocks are judged; code and tables are never touched. */
  kind: PassageKind;
  /** Heading path of the block's section; headings themselves are not passed as blocks. */
  section: string[];
}

/** What the document was written in: in Markdown, the parser has already taken out real HTML. */
export type SourceFormat = "markdown" | "text";

export interface HygieneOptions {
  /** Default "text": every detector runs. */
  format?: SourceFormat;
  /** Overrides of the tunables (see tuning.ts), for benches that sweep them. */
  tuning?: Partial<Tuning>;
  /** Text that operators want kept even if flagged: any flagged span that overlaps one of these substrings is kept. */
  keep?: string[];
  /** Turn the check off for this document. */
  disabled?: boolean;
}

export interface Removal {
  start: number;
  end: number;
  reason: string;
}

export interface BlockVerdict {
  /** The cleaned text (flagged spans removed, punctuation and spacing at the seams tidied); "" when the whole block was debris. */
  text: string;
  removed: Removal[];
  /** Flagged spans reported to the operator (line from lineOffsets, the removed text, the reason). */
  flagged: FlaggedSpan[];
}

import type { Range } from "../range.ts";
export type { Range };

export interface Word {
  start: number;
  end: number;
  /** Lowercase, apostrophes folded to ', possessive 's removed. */
  norm: string;
  stem: string;
  content: boolean;
  capitalised: boolean;
  /** Starts with a digit: a year, an amount, an age. */
  numeric: boolean;
  inQuote: boolean;
}

export type Edge = "block" | "sentence" | "splice";

export type FindingKind = "debris" | "narrative" | "run" | "splice" | "context";

/** Why a span was flagged; merged findings of neighbouring spans make one reason. */
export interface Finding {
  kind: FindingKind;
  signals: string[];
  /** Content words found elsewhere in the document, of `total`. */
  found?: number;
  total?: number;
}

export interface Unit {
  block: number;
  start: number;
  end: number;
  words: Word[];
  /** What separates this unit from its neighbours: a splice mark makes a mixed sentence likelier. */
  leftEdge: Edge;
  rightEdge: Edge;
  debris: boolean;
  flagged?: Finding;
  /** Overlaps an operator's `keep` text: never flagged. */
  keep: boolean;
  /** Part of an otherwise kept unit that was cut off as injected. */
  trim?: Range & { finding: Finding };
  inList: boolean;
  inQuoteBlock: boolean;
  /** Cached part of reportsOn: a number or a person introduced by name, or false. */
  introduces?: string | false;
  /** In a paragraph of a transcript or interview ("Ruiz: …", "A: …"): first person and questions are the speaker's. */
  spoken: boolean;
}

/** Debris found in a block's text, with the detector's signal. */
export interface Debris extends Range {
  signal: string;
}

/** Words of the units flagged when it was taken, and which units those were. */
export interface RemovedWords {
  words: Vocabulary;
  units: ReadonlySet<Unit>;
}

export interface DocumentModel {
  blocks: HygieneBlock[];
  units: Unit[];
  /** Content stems of the whole document with their counts. */
  all: Vocabulary;
  /** Lowercase forms seen anywhere: a capitalised word that also occurs in lowercase is not a name. */
  lowerForms: Set<string>;
  capitalForms: Vocabulary;
  /** Capitalised words inside a sentence (not opening it): names, as far as capitals tell. */
  midNames: Vocabulary;
  tuning: Tuning;
  format: SourceFormat;
}
