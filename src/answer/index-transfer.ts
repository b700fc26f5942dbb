import type { KnowledgeIndexJSON } from "../search/index.ts";

/**
 * Moves a serialised index from the build worker to the bot's thread in slices. A message's data is
 * copied into the receiving thread in one piece when it is delivered, so one message with a large
 * index would stall the event loop (seconds at tens of thousands of passages). Slices are separate
 * messages, and the event loop serves Discord between them.
 */

/** Items per slice: a few milliseconds to copy in. */
const SLICE = 2000;
/** Postings per slice of index terms: a common word alone can have tens of thousands. */
const SLICE_POSTINGS = 20_000;

/** How many postings a serialised MiniSearch term entry holds: [term, { fieldId: { docId: frequency } }]. */
function postingsOf(entry: unknown): number {
  let n = 0;
  const fields = (entry as [string, Record<string, Record<string, number>>])[1] ?? {};
  for (const field of Object.values(fields)) n += Object.keys(field).length;
  return n;
}

type Entries = [string, unknown][];

export type IndexSlice =
  | { part: "head"; json: Omit<KnowledgeIndexJSON, "passages" | "df" | "vocabulary" | "minisearch">; minisearch: Record<string, unknown> }
  | { part: "passages"; items: KnowledgeIndexJSON["passages"] }
  | { part: "terms"; items: unknown[] }
  | { part: "df" | "vocabulary"; items: Entries };

/** The slices of an index, in the order `IndexAssembler` expects them. */
export function* sliceIndex(json: KnowledgeIndexJSON): Generator<IndexSlice> {
  const { index: terms, ...minisearch } = json.minisearch as { index: unknown[] } & Record<string, unknown>;
  const { passages, df, vocabulary, minisearch: _m, ...rest } = json;
  yield { part: "head", json: rest, minisearch };
  for (let i = 0; i < passages.length; i += SLICE) yield { part: "passages", items: passages.slice(i, i + SLICE) };
  let batch: unknown[] = [];
  let postings = 0;
  for (const entry of terms) {
    batch.push(entry);
    postings += postingsOf(entry);
    if (batch.length >= SLICE || postings >= SLICE_POSTINGS) {
      yield { part: "terms", items: batch };
      batch = [];
      postings = 0;
    }
  }
  if (batch.length) yield { part: "terms", items: batch };
  const dfEntries = Object.entries(df);
  for (let i = 0; i < dfEntries.length; i += SLICE) yield { part: "df", items: dfEntries.slice(i, i + SLICE) };
  const vocabularyEntries = Object.entries(vocabulary);
  for (let i = 0; i < vocabularyEntries.length; i += SLICE) yield { part: "vocabulary", items: vocabularyEntries.slice(i, i + SLICE) };
}

/** Collects slices back into the serialised index. */
export class IndexAssembler {
  private head: Extract<IndexSlice, { part: "head" }> | undefined;
  private readonly passages: KnowledgeIndexJSON["passages"] = [];
  private readonly terms: unknown[] = [];
  private readonly df: Record<string, number> = {};
  private readonly vocabulary: Record<string, number> = {};

  add(slice: IndexSlice): void {
    switch (slice.part) {
      case "head":
        this.head = slice;
        break;
      case "passages":
        for (const p of slice.items) this.passages.push(p);
        break;
      case "terms":
        for (const t of slice.items) this.terms.push(t);
        break;
      case "df":
      case "vocabulary":
        for (const [k, v] of slice.items) this[slice.part][k] = v as number;
        break;
    }
  }

  result(): KnowledgeIndexJSON {
    if (!this.head) throw new Error("index-transfer: Expected a head slice before the end, got none");
    return { ...this.head.json, passages: this.passages, df: this.df, vocabulary: this.vocabulary, minisearch: { ...this.head.minisearch, index: this.terms } };
  }
}
