/** Where a passage came from: enough to cite it and to find it again in the file. */
export interface PassageSource {
  /** Document path relative to the knowledge folder, with `/` separators. */
  path: string;
  /** Document title (front matter `title`, first `#` heading, or first line of a text file). */
  title: string;
  /** Heading path of the section that holds the passage, outermost first; empty before the first heading. */
  section: string[];
  /** 1-based number of the passage within its document. */
  passage: number;
  /** 1-based line in the file where the passage starts. */
  line: number;
  /** Link to the passage when the document declares one (front matter `url`, plus a section anchor for Markdown). */
  url?: string;
}

/** What kind of block a passage was made from; renderers keep code and tables as they are. */
export type PassageKind = "prose" | "list" | "code" | "table" | "quote";

/** The unit of retrieval and of display: a paragraph-sized piece of a document. */
export interface Passage {
  /** Stable id: `${path}#${passage}`. */
  id: string;
  /** The passage as a person is shown it: cleaned, normalised, injected text removed. */
  text: string;
  kind: PassageKind;
  source: PassageSource;
  /** Terms the author emphasised (Markdown `_term_`, `**term**`): where a document defines or stresses a concept. */
  keywords?: string[];
  /** Other phrasings that should find this passage: front-matter aliases of its document and section, taught questions. */
  aliases?: string[];
}

/** A span of a document's text that the hygiene check judged not to belong to it. */
export interface FlaggedSpan {
  /** 1-based line in the file. */
  line: number;
  /** The text that was removed. */
  text: string;
  /** Why it was flagged, for the operator. */
  reason: string;
}

export interface KnowledgeDocument {
  /** Path relative to the knowledge folder, with `/` separators. */
  path: string;
  title: string;
  url?: string;
  /** Section heading paths in document order, each joined with " › ". */
  sections: string[];
  passages: Passage[];
  /** Spans kept out of the passages by the hygiene check. */
  flagged: FlaggedSpan[];
}

/** A file that was not loaded, or loaded with a problem. Never thrown: reported and skipped. */
export interface LoadIssue {
  path: string;
  reason: string;
}

export interface KnowledgeSet {
  /** Absolute path of the knowledge folder. */
  root: string;
  documents: KnowledgeDocument[];
  /** Files that could not be loaded (unreadable, empty, binary, too large, unparseable). */
  errors: LoadIssue[];
  /** Files that are not knowledge (unsupported extension); one line each in the log. */
  skipped: LoadIssue[];
}
