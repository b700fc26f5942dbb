/**
 * Documentation constructs are not injected text (issue 10): UI paths and quoted labels, callouts,
 * instructions to "you", release notes, FAQs, quoted examples, dialect markup, templates and forms.
 * Each fixture in test/fixtures/hygiene-docs is a real-looking snippet written for this test; each must
 * load through the real loader with nothing flagged and its authors' words intact.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { hygieneCleaner } from "../src/knowledge/clean.ts";
import { loadKnowledge } from "../src/knowledge/load.ts";

const DOCS = path.join(import.meta.dirname, "fixtures", "hygiene-docs");

/** Per fixture, words that a false positive used to delete. */
const KEPT: Record<string, string[]> = {
  "ui-paths.md": ['"General Information" > "Application ID"', "Settings > Notifications > Email", "Menu › Settings › Alerts"],
  "callouts.md": ["If you're upgrading from 2.x", "This page assumes you've already installed", "We recommend not putting generated files"],
  "instructions.md": ["in fact, it's the most common problem", "the formatter has all your naming needs covered"],
  "release-notes.md": [
    "I wrote about it on my personal blog",
    "a few more things I want to highlight",
    "Special thanks to my co-maintainers",
    "_config.yml/collections",
  ],
  "faq.md": ["What will I be measured on?", "Why can't I find a plugin I've seen mentioned elsewhere?"],
  "examples-and-quotes.md": [
    "I didn't understand. Can you clarify?",
    "I'm not sure - let's look it up.",
    "It’s been mostly bug free",
    "Make your state as simple",
  ],
  // The figure shortcode itself is the parser's to remove (an unknown template tag shows nothing).
  "templates.md": ['style="color: #24292e"', "Embedding files"],
  "templates-and-forms.md": [
    "I will depart on [ departure_date ]",
    "I acknowledge that this event may be recorded",
    "a cookie consent form is rendered",
    "See also:",
    "Related:",
  ],
  "team-post.md": ["She lives in Pune, India", "generally frowned upon"],
  "buttons-and-paths.md": ["Sign up Read the docs", '/ "Why does the preview fail?" (remote specs).', "llms.txt/llms-full.txt for crawlers"],
};

describe("hygiene: documentation constructs stay", () => {
  it("has expectations for every fixture", async () => {
    const set = await loadKnowledge(DOCS);
    assert.deepEqual(set.documents.map((d) => d.path).sort(), Object.keys(KEPT).sort());
  });

  it("flags nothing in any fixture and keeps the words that false positives used to delete", async () => {
    const set = await loadKnowledge(DOCS, { cleaner: hygieneCleaner() });
    assert.deepEqual(set.errors, []);
    assert.deepEqual(
      set.documents.flatMap((d) => d.flagged.map((f) => `${d.path}:${f.line}: ${f.text}`)),
      [],
    );
    for (const doc of set.documents) {
      const text = doc.passages.map((p) => p.text).join("\n");
      for (const words of KEPT[doc.path] ?? []) assert.ok(text.includes(words), `${doc.path} lost: ${words}`);
    }
  });
});
