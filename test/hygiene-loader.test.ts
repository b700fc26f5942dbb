/** Hygiene through the loader, as the bot reads a folder: hand-made clean articles, and articles with injected text. */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { hygieneCleaner } from "../src/knowledge/clean.ts";
import { loadKnowledge } from "../src/knowledge/load.ts";

/** assert.ok with a message always: without one, node rebuilds the message from the transpiled source, which is very slow. */
function ok(value: unknown, message = "expected a truthy value"): void {
  assert.ok(value, message);
}

/** Hand-made articles with nothing injected: every one must come through the loader untouched. */
const CLEAN = path.join(import.meta.dirname, "fixtures", "hygiene-clean");
/** Hand-made articles with injected text of other styles than the seed's. */
const INJECTED = path.join(import.meta.dirname, "fixtures", "hygiene-injected");

/** Loads a folder the way the bot does: the real loader with the hygiene cleaner. */
async function loadCleaned(dir: string) {
  const set = await loadKnowledge(dir, { cleaner: hygieneCleaner() });
  assert.deepEqual(set.errors, []);
  return set;
}

/** Lowercase, curly quotes straightened, whitespace folded: for finding phrases in loaded passages. */
function fold(text: string): string {
  return text.toLowerCase().replace(/[“”]/g, '"').replace(/[’‘]/g, "'").replace(/\s+/g, " ");
}

describe("hygiene: hand-made clean articles, loaded by the loader", () => {
  it("flags nothing in any of them", async () => {
    const set = await loadCleaned(CLEAN);
    ok(set.documents.length >= 25, `expected at least 25 clean articles, found ${set.documents.length}`);
    ok(set.documents.some((d) => d.path.endsWith(".md")) && set.documents.some((d) => d.path.endsWith(".txt")), "both .md and .txt articles");
    const flagged = set.documents.flatMap((d) => d.flagged.map((f) => `${d.path}:${f.line}: ${f.reason}\n    “${f.text}”`));
    assert.equal(flagged.length, 0, `flagged in clean articles:\n${flagged.join("\n")}`);
  });

  it("keeps a biography paragraph whether or not an unrelated section follows it", async () => {
    // The reproduction: with the "Getting there" section the museum's founder paragraph used to go.
    const source = await readFile(path.join(CLEAN, "museum-harbor.md"), "utf8");
    const dir = await mkdtemp(path.join(tmpdir(), "hygiene-museum-"));
    try {
      await writeFile(path.join(dir, "with-section.md"), source);
      await writeFile(path.join(dir, "without-section.md"), source.slice(0, source.indexOf("## Getting there")));
      const set = await loadCleaned(dir);
      assert.deepEqual(
        set.documents.map((d) => [d.path, d.flagged.length]),
        [
          ["with-section.md", 0],
          ["without-section.md", 0],
        ],
      );
      for (const doc of set.documents)
        ok(
          doc.passages.some((p) => p.text.includes("founded in 1923 by the schoolteacher Ada Brook")),
          doc.path,
        );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("hygiene: injected text of other styles, loaded by the loader", () => {
  /**
   * Per article: `injected` must be flagged and gone, `gone` must be gone (the parser may drop it
   * first), `facts` must stay. Every flagged span must contain one of the `injected` texts.
   */
  const CASES: Record<string, { injected: string[]; gone?: string[]; facts: string[] }> = {
    "council-scifi.txt": {
      injected: ["warp core", "Lieutenant Vora shouted"],
      facts: [
        "9,000 more homes by 2030",
        "140 million euros",
        "cut the city's carbon emissions by 4 percent",
        "waste heat from the data centre",
        "fixed fee of 2,500 euros",
      ],
    },
    "council-whisper.txt": {
      injected: ["Stay with me tonight", "scar on his arm"],
      facts: ["average of eight minutes", "cut journey times by a third", "2.4 million euros", "between 7 a.m. and 7 p.m."],
    },
    "court-thriller.txt": {
      injected: ["another cigarette", "The dame had lied"],
      facts: [
        "fined £24,000",
        "six offences under the Housing Act",
        "her two children had suffered from asthma",
        "solicitor Mark Dean said his client had been in poor health",
        "He said Pitt was sorry",
        "£3,200 in costs",
      ],
    },
    "docs-diary.md": {
      injected: ["my father left", "footprints"],
      facts: ["files older than 14 days are deleted", "controls how many old files are kept", "saves about 90 percent of disk space"],
    },
    "finance-fantasy.txt": {
      injected: ["The dragon circled", "old wizard", "knights of Eldmoor"],
      facts: ["unchanged at 3.75 percent", "reach its 2 percent target by the end of next year", "2.41 percent", "Sara Lind", "due on 12 September"],
    },
    "guide-firstperson.md": {
      injected: ["I was nine when my mother died", "old dog"],
      facts: ["2 to 5 cm wider", "tap the rim on the edge of a table", "out of direct sun for a week"],
    },
    "news-number-fiction.txt": {
      injected: ["breaking glass", "his boots on the stairs"],
      facts: ["32 million euros", "up to 65 tonnes", "installed in 1988", "cut energy use by a third"],
    },
    "news-single.txt": {
      injected: ["the cold wall", "footsteps fading"],
      facts: [
        "60 kilometres of water pipes",
        "about a fifth of the town's drinking water",
        "Work there will start in March",
        "48 million euros",
        "about 3 percent a year",
      ],
    },
    "obit-fiction.txt": {
      injected: ["carriage windows", "Isabella screamed", "coachman"],
      facts: ["in 1962", "She was 88", "nine children and two helpers", "now has 120 places", "survived by a son and three grandchildren"],
    },
    "recipe-romance.md": {
      injected: ["last ferry", "cold hands"],
      facts: ["Heat the oven to 180°C", "45 to 50 minutes", "pour the lemon syrup on top", "225 g caster sugar"],
    },
    "science-fairytale.txt": {
      injected: ["Once upon a time", "three daughters", "shone on her face"],
      facts: ["386 million base pairs and 27,000 genes", "copes better with drought than beech", "Professor Lena Ek", "European Nucleotide Archive"],
    },
    "shop-debris.md": {
      injected: ["Newsletter signup"],
      gone: ["ad-slot"],
      facts: ["lugs of 4 to 6 mm", "half a size larger", "drop of 4 to 8 mm"],
    },
    "sports-chatlog.txt": {
      injected: ["xXdarkwolfXx", "ref is blind"],
      facts: [
        "beat Northgate City 3-2",
        "Dean Carter headed in a corner",
        "19-year-old Kofi Mensah",
        "We never stopped believing",
        "host Millbrook on Tuesday",
      ],
    },
    "travel-cookie-nav.md": {
      injected: ["Skip to main content", "Home › Travel", "We use cookies", "Manage preferences", "You may also like"],
      facts: ["20,000 blue and white tiles", "Dom Luís I bridge", "15 to 25 euros", "Tickets cost 10 euros", "about 30 minutes"],
    },
  };

  let loaded: ReturnType<typeof loadCleaned> | undefined;
  const load = () => (loaded ??= loadCleaned(INJECTED));

  it("has expectations for every article in the folder", async () => {
    const set = await load();
    assert.deepEqual(set.documents.map((d) => d.path).sort(), Object.keys(CASES).sort());
  });

  for (const [name, expected] of Object.entries(CASES)) {
    it(`flags the injected text in ${name} and keeps its facts`, async () => {
      const set = await load();
      const doc = set.documents.find((d) => d.path === name);
      ok(doc, `not loaded: ${name}`);
      const text = fold(doc!.passages.map((p) => p.text).join("\n"));
      const flagged = doc!.flagged.map((f) => fold(f.text));
      for (const injected of expected.injected) {
        ok(!text.includes(fold(injected)), `left in: ${injected}`);
        ok(
          flagged.some((f) => f.includes(fold(injected))),
          `not flagged: ${injected}`,
        );
      }
      for (const gone of expected.gone ?? []) ok(!text.includes(fold(gone)), `left in: ${gone}`);
      for (const fact of expected.facts) ok(text.includes(fold(fact)), `lost: ${fact}`);
      for (const span of doc!.flagged) {
        ok(
          expected.injected.some((injected) => fold(span.text).includes(fold(injected))),
          `flagged real content at line ${span.line}: “${span.text}” (${span.reason})`,
        );
      }
    });
  }
});
