/** A fixture knowledge folder loaded once per test file, with passage sizes fixed for the tests. */
import assert from "node:assert/strict";
import path from "node:path";
import { before } from "node:test";
import { loadKnowledge } from "../../src/knowledge/load.ts";
import type { KnowledgeDocument, KnowledgeSet } from "../../src/knowledge/types.ts";

/** Fixed passage sizes, so that these tests check parsing and not the current tuning of split.ts's defaults. */
export const SPLIT = { maxLength: 900, targetLength: 550, minLength: 120, maxMergedLength: 1400 };

/** Loads test/fixtures/engine/NAME before the file's tests; `set()` and `doc(path)` read the result. */
export function knowledgeFixture(name: string): { dir: string; set: () => KnowledgeSet; doc: (relativePath: string) => KnowledgeDocument } {
  const dir = path.join(import.meta.dirname, "..", "fixtures", "engine", name);
  let loaded: KnowledgeSet | undefined;
  before(async () => {
    loaded = await loadKnowledge(dir, { split: SPLIT });
  });
  const set = () => {
    assert.ok(loaded, "the fixture is loaded before the tests");
    return loaded;
  };
  const doc = (relativePath: string) => {
    const found = set().documents.find((d) => d.path === relativePath);
    assert.ok(
      found,
      `${relativePath} should have loaded; loaded: ${set()
        .documents.map((d) => d.path)
        .join(", ")}`,
    );
    return found;
  };
  return { dir, set, doc };
}
