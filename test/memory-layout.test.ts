/**
 * How the engine keeps knowledge in memory: passages with their text UTF-8 encoded in one buffer
 * (search/passages.ts), shared source strings, and bounded per-passage caches (lru.ts). None of it may
 * change what a passage says or how it serialises.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import type { Passage } from "../src/knowledge/types.ts";
import { LruCache } from "../src/lru.ts";
import { KnowledgeIndex, PassageTerms } from "../src/search/index.ts";
import { plainPassages, storePassages, storePassagesAsync } from "../src/search/passages.ts";

function passage(n: number, text: string, path = "guide.md", section = ["Intro"]): Passage {
  return { id: `${path}#${n}`, text, kind: "prose", source: { path, title: "Guide", section, passage: n, line: n * 3 } };
}

describe("LruCache", () => {
  test("forgets what was used least recently, keeping what was used since", () => {
    const cache = new LruCache<string, number>(4);
    cache.set("a", 1);
    cache.set("b", 2);
    assert.equal(cache.get("a"), 1);
    cache.set("c", 3);
    cache.set("d", 4);
    assert.equal(cache.get("a"), 1);
    assert.equal(cache.get("b"), undefined);
  });

  test("getOrSet computes once and then returns the cached value", () => {
    const cache = new LruCache<number, string>(4);
    let calls = 0;
    const compute = () => `value ${++calls}`;
    assert.equal(cache.getOrSet(7, compute), "value 1");
    assert.equal(cache.getOrSet(7, compute), "value 1");
    assert.equal(calls, 1);
  });

  test("never holds more than its capacity, whatever the order of use", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (capacity, keys) => {
        const cache = new LruCache<number, number>(capacity);
        for (const key of keys) {
          cache.getOrSet(key, () => key * 2);
          assert.ok(cache.size <= capacity, `size ${cache.size} over capacity ${capacity}`);
        }
        const last = keys.at(-1);
        if (last !== undefined) assert.equal(cache.get(last), last * 2);
      }),
    );
  });

  test("a capacity that is not a positive integer is refused, naming the value", () => {
    assert.throws(() => new LruCache(0), { name: "RangeError", message: "lru: Expected a capacity that is a positive integer, got 0" });
    assert.throws(() => new LruCache(2.5), { message: "lru: Expected a capacity that is a positive integer, got 2.5" });
  });
});

describe("stored passages", () => {
  test("give back every text exactly, whatever characters it holds", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 300 }), { minLength: 1, maxLength: 40 }), (texts) => {
        const plain = texts.map((text, i) => passage(i + 1, text));
        const { passages } = storePassages(plain);
        assert.deepEqual(
          passages.map((p) => p.text),
          texts,
        );
        // Read twice and out of order: the decode cache must not mix passages up.
        for (let i = passages.length - 1; i >= 0; i--) assert.equal(passages[i]?.text, texts[i]);
      }),
    );
  });

  test("serialise to JSON and to plain objects exactly as the passages they were made from", () => {
    const plain = [
      passage(1, "Don’t panic — it’s “fine”."),
      {
        ...passage(2, "Ownership 所有権 🦀", "book/ch04.md", ["Ownership", "Rules"]),
        keywords: ["ownership"],
        source: { ...passage(2, "", "book/ch04.md").source, url: "https://example.org/ch04#rules" },
      },
    ];
    const { passages } = storePassages(plain);
    assert.deepEqual(JSON.parse(JSON.stringify(passages)), plain);
    assert.deepEqual(plainPassages(passages), plain);
    assert.deepEqual(structuredClone(plainPassages(passages)), plain);
  });

  test("keep each text as its UTF-8 bytes: about one byte per character of mostly-ASCII text, not two", () => {
    const text = "A reference’s lifetime is the scope for which it is valid. ".repeat(20);
    const { textBytes } = storePassages([passage(1, text), passage(2, text)]);
    assert.equal(textBytes, 2 * (text.length + 2 * 20));
  });

  test("share one copy of the path, title and section path among a document's passages", () => {
    const fromJson = JSON.parse(JSON.stringify([passage(1, "one"), passage(2, "two")])) as Passage[];
    const { passages } = storePassages(fromJson);
    assert.equal(passages[0]?.source.section, passages[1]?.source.section);
    assert.deepEqual(passages[1]?.source, fromJson[1]?.source);
  });

  test("stored asynchronously, a large set lets the event loop run in between and comes out the same", async () => {
    const plain = Array.from({ length: 10_000 }, (_, i) => passage(i + 1, `Passage number ${i + 1}, with a curly apostrophe’s worth of text.`));
    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    const stored = await storePassagesAsync(plain).finally(() => clearInterval(counting));
    assert.ok(turns > 0, "no timer ran while 10,000 passages were stored");
    assert.deepEqual(plainPassages(stored.passages), plain);
    assert.equal(stored.textBytes, storePassages(plain).textBytes);
  });

  test("an index restored from its JSON answers with the same passages", () => {
    const documents = [
      {
        path: "guide.md",
        title: "Guide",
        sections: ["Intro"],
        flagged: [],
        passages: [passage(1, "Cargo’s build command compiles the crate."), passage(2, "Tests run with cargo test.")],
      },
    ];
    const index = KnowledgeIndex.build(documents);
    const restored = KnowledgeIndex.fromJSON(JSON.parse(JSON.stringify(index.toJSON())) as ReturnType<typeof index.toJSON>);
    assert.deepEqual(plainPassages(restored.passages), documents[0]?.passages);
    assert.deepEqual(
      restored.search([{ term: "cargo", weight: 1 }]).map((h) => h.index),
      index.search([{ term: "cargo", weight: 1 }]).map((h) => h.index),
    );
  });
});

describe("PassageTerms", () => {
  test("answers get, has and keys exactly as the Map it was made from", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 12 }), fc.constantFrom(0.5, 1)),
        fc.array(fc.string({ maxLength: 12 }), { maxLength: 30 }),
        (entries, probes) => {
          const map = new Map(Object.entries(entries));
          const terms = PassageTerms.from(map);
          assert.equal(terms.size, map.size);
          assert.deepEqual([...terms.keys()].sort(), [...map.keys()].sort());
          for (const probe of [...probes, ...map.keys()]) {
            assert.equal(terms.get(probe), map.get(probe), probe);
            assert.equal(terms.has(probe), map.has(probe), probe);
          }
        },
      ),
    );
  });
});
