/**
 * The search libraries a user might pick instead, each built over the same passages as the engine
 * (fields: text, section, title) with the library's own default English setup, and searched with the
 * question as typed. They return ranked passages and never abstain.
 */
import { create, insertMultiple, search as oramaSearch, type Orama } from "@orama/orama";
import { Document } from "flexsearch";
import lunr from "lunr";
import MiniSearch from "minisearch";
import { splitCode } from "../src/knowledge/fence.ts";
import type { Passage } from "../src/knowledge/types.ts";
import { MINISEARCH_OPTIONS } from "../src/search/index.ts";

export interface PeerIndex {
  /** Positions (in the passage list) of the best passages, best first. */
  search(question: string, limit: number): number[];
}

export interface Peer {
  name: string;
  /** How it was set up, for the README and the JSON file. */
  setup: string;
  build(passages: readonly Passage[]): PeerIndex | Promise<PeerIndex>;
}

interface Fields {
  id: number;
  text: string;
  section: string;
  title: string;
}

function fields(passages: readonly Passage[]): Fields[] {
  return passages.map((p, id) => ({ id, text: p.text, section: p.source.section.join(" › "), title: p.source.title }));
}

export const lunrPeer: Peer = {
  name: "Lunr",
  setup: "lunr 2.3 defaults (trimmer, English stop words, Porter stemmer); query = the question's tokens, trimmed, OR",
  build(passages) {
    const docs = fields(passages);
    const index = lunr(function () {
      this.ref("id");
      this.field("text");
      this.field("section");
      this.field("title");
      for (const d of docs) this.add(d);
    });
    return {
      // The query builder with lunr's own tokenizer and trimmer: like index.search(question) without its query
      // syntax (a question holding ":" or "~" would throw) and without "rust?" missing "rust" (the default
      // search pipeline only stems; indexing also trims punctuation).
      search: (question, limit) =>
        index
          .query((q) =>
            q.term(
              lunr.tokenizer(question).map((t) => lunr.trimmer(t)),
              {},
            ),
          )
          .slice(0, limit)
          .map((r) => Number(r.ref)),
    };
  },
};

export const flexsearchPeer: Peer = {
  name: "FlexSearch",
  setup: "flexsearch 0.8 Document, default encoder and tokenizer; search with suggest (any word may be missing) and merged fields",
  build(passages) {
    const index = new Document<{ id: number; text: string; section: string; title: string }>({ document: { id: "id", index: ["text", "section", "title"] } });
    for (const d of fields(passages)) index.add(d);
    return {
      // Without `suggest` FlexSearch returns only passages holding every word of the question ("what", "is", …),
      // which is nothing for most questions.
      search: (question, limit) => index.search(question, { limit, suggest: true, merge: true }).map((r) => Number(r.id)),
    };
  },
};

export const oramaPeer: Peer = {
  name: "Orama",
  setup: "@orama/orama 3 defaults (English tokenizer, no stemming, BM25, threshold 1: any word)",
  async build(passages) {
    const db: Orama<{ text: "string"; section: "string"; title: "string" }> = create({
      schema: { text: "string", section: "string", title: "string" } as const,
    });
    await insertMultiple(
      db,
      fields(passages).map((d) => ({ id: String(d.id), text: d.text, section: d.section, title: d.title })),
    );
    return {
      search: (question, limit) => {
        const result = oramaSearch(db, { term: question, limit });
        if (result instanceof Promise) throw new Error("Orama answered asynchronously; the bench times synchronous searches");
        return result.hits.map((h) => Number(h.id));
      },
    };
  },
};

export const PEERS: readonly Peer[] = [lunrPeer, flexsearchPeer, oramaPeer];

/**
 * A plain MiniSearch over the engine's passages with the engine's own options (analysis, boosts, BM25),
 * queried with the analysed terms: what MiniSearch costs without the engine around it.
 */
export function plainMiniSearch(passages: readonly Passage[]): MiniSearch {
  const mini = new MiniSearch(MINISEARCH_OPTIONS as ConstructorParameters<typeof MiniSearch>[0]);
  mini.addAll(
    passages.map((p, id) => {
      const { prose: text, code } = splitCode(p.text);
      return { id, text, code: code.join("\n"), section: p.source.section.join(" › "), title: p.source.title, keywords: (p.keywords ?? []).join(" ; ") };
    }),
  );
  return mini;
}
