/**
 * Markdown ingestion (.md, .markdown, .mdx) on the hand-made folder test/fixtures/engine/markdown,
 * and the loader's handling of files it cannot use. Loads without the hygiene cleaner, so every
 * value below is exactly what the parser and splitter produce.
 */
import assert from "node:assert/strict";
import { knowledgeFixture, SPLIT } from "./support/knowledge-fixture.ts";
import { cp, mkdir, mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { parseMarkdown } from "../src/knowledge/markdown.ts";
import { KnowledgeError, loadFile, loadKnowledge, MAX_FILE_BYTES } from "../src/knowledge/load.ts";
import type { KnowledgeSet } from "../src/knowledge/types.ts";
import { splitBlocks } from "../src/knowledge/split.ts";

const { dir: FIXTURE, set: fixtureSet, doc } = knowledgeFixture("markdown");

function texts(relativePath: string): string[] {
  return doc(relativePath).passages.map((p) => p.text);
}

describe("Markdown documents", () => {
  test("every Markdown flavour loads, in path order, and nothing in the folder is an error", () => {
    assert.deepEqual(
      fixtureSet().documents.map((d) => d.path),
      ["guide.md", "heading-title.md", "plain.markdown", "widgets.mdx"],
    );
    assert.deepEqual(fixtureSet().errors, []);
    assert.equal(fixtureSet().root, FIXTURE);
  });

  test("a file with an unsupported extension is skipped with the list of supported ones", () => {
    assert.deepEqual(fixtureSet().skipped, [{ path: "rota.csv", reason: "not a knowledge file (supported: .md, .markdown, .mdx, .txt, .html, .htm)" }]);
  });

  test("the front matter title is the document title and its url the document link", () => {
    assert.equal(doc("guide.md").title, "Lighthouse Keeper's Guide");
    assert.equal(doc("guide.md").url, "https://example.org/keepers");
  });

  test("without a front matter title the first # heading is the title and not a section", () => {
    assert.equal(doc("heading-title.md").title, "Storm Procedures");
    assert.deepEqual(doc("heading-title.md").sections, ["After the storm"]);
  });

  test("an MDX file takes its title from its # heading", () => {
    assert.equal(doc("widgets.mdx").title, "Foghorn Signals");
  });

  test("without a title or heading the file name is the title", () => {
    assert.equal(doc("plain.markdown").title, "plain");
  });

  test("a document without a front matter url has no url anywhere", () => {
    const d = doc("heading-title.md");
    assert.equal("url" in d, false);
    assert.deepEqual(
      d.passages.map((p) => "url" in p.source),
      [false, false],
    );
  });

  test("section heading paths nest under their parents and unwind at a shallower heading", () => {
    assert.deepEqual(doc("guide.md").sections, [
      "Lighting the lamp",
      "Lighting the lamp › Fuel",
      "Lighting the lamp › Fuel › Spare wicks",
      "Lighting the lamp › Shift rota",
    ]);
    assert.deepEqual(
      doc("guide.md").passages.map((p) => p.source.section),
      [[], ["Lighting the lamp"], ["Lighting the lamp", "Fuel"], ["Lighting the lamp", "Fuel", "Spare wicks"], ["Lighting the lamp", "Shift rota"]],
    );
  });

  test("a guide becomes exactly these passages, with numbers, kinds, lines, sections and links", () => {
    const source = { path: "guide.md", title: "Lighthouse Keeper's Guide" };
    assert.deepEqual(doc("guide.md").passages, [
      {
        id: "guide.md#1",
        text: "This guide is for new keepers of the North Point light.",
        kind: "prose",
        source: { ...source, section: [], passage: 1, line: 7, url: "https://example.org/keepers" },
      },
      {
        id: "guide.md#2",
        text: "The lamp must be lit at sunset and put out at sunrise, every day of the year, whatever the weather. A keeper who is late must write the reason in the logbook.\n\nKeep a spare box of matches by the lamp.",
        kind: "prose",
        keywords: ["matches"],
        source: { ...source, section: ["Lighting the lamp"], passage: 2, line: 11, url: "https://example.org/keepers#lighting-the-lamp" },
      },
      {
        id: "guide.md#3",
        text: "Keepers record the fuel they use as follows:\n\n- paraffin for the main lamp\n- candles for the spare lantern and for the stairs",
        kind: "list",
        keywords: ["paraffin"],
        source: { ...source, section: ["Lighting the lamp", "Fuel"], passage: 3, line: 22, url: "https://example.org/keepers#fuel" },
      },
      {
        id: "guide.md#4",
        text: "Spare wicks are kept in the tin box under the stairs.",
        kind: "prose",
        source: { ...source, section: ["Lighting the lamp", "Fuel", "Spare wicks"], passage: 4, line: 30, url: "https://example.org/keepers#spare-wicks" },
      },
      {
        id: "guide.md#5",
        text: "| Shift | Hours |\n| --- | --- |\n| Night | 18–06 |\n| Day | 06–18 |\n\n```sh\nlamp --start --wick 3\n```",
        kind: "table",
        source: { ...source, section: ["Lighting the lamp", "Shift rota"], passage: 5, line: 34, url: "https://example.org/keepers#shift-rota" },
      },
    ]);
  });

  test("a hard-wrapped paragraph becomes one passage line", () => {
    assert.equal(
      texts("guide.md")[1]?.split("\n\n")[0],
      "The lamp must be lit at sunset and put out at sunrise, every day of the year, whatever the weather. A keeper who is late must write the reason in the logbook.",
    );
  });

  test("a passage starts at the file line of its first block, counting the front matter", () => {
    assert.deepEqual(
      doc("guide.md").passages.map((p) => p.source.line),
      [7, 11, 22, 30, 34],
    );
    assert.deepEqual(
      doc("heading-title.md").passages.map((p) => p.source.line),
      [1, 10],
    );
  });

  test("passages are numbered from 1 within each document and their ids are path#number", () => {
    for (const d of fixtureSet().documents) {
      d.passages.forEach((p, i) => {
        assert.equal(p.source.passage, i + 1);
        assert.equal(p.id, `${d.path}#${i + 1}`);
        assert.equal(p.source.path, d.path);
        assert.equal(p.source.title, d.title);
      });
    }
  });

  test("a passage before the first heading links to the page itself, later ones to their section anchor", () => {
    assert.deepEqual(
      doc("guide.md").passages.map((p) => p.source.url),
      [
        "https://example.org/keepers",
        "https://example.org/keepers#lighting-the-lamp",
        "https://example.org/keepers#fuel",
        "https://example.org/keepers#spare-wicks",
        "https://example.org/keepers#shift-rota",
      ],
    );
  });

  test("a list keeps one line per item, a wrapped item is joined, and emphasis marks are dropped from the text", () => {
    assert.equal(
      texts("guide.md")[2],
      "Keepers record the fuel they use as follows:\n\n- paraffin for the main lamp\n- candles for the spare lantern and for the stairs",
    );
  });

  test("emphasised terms become the passage's keywords", () => {
    assert.deepEqual(doc("guide.md").passages[2]?.keywords, ["paraffin"]);
  });

  test("a table keeps its rows and a code fence its language, without the mdBook include line", () => {
    assert.equal(texts("guide.md")[4], "| Shift | Hours |\n| --- | --- |\n| Night | 18–06 |\n| Day | 06–18 |\n\n```sh\nlamp --start --wick 3\n```");
  });

  test("front matter, HTML tags, HTML comments and mdBook {{#include}} lines are not passage text; an HTML block's text is", () => {
    const all = fixtureSet()
      .documents.flatMap((d) => d.passages.map((p) => p.text))
      .join("\n");
    assert.ok(all.includes("Keep a spare box of matches by the lamp."));
    for (const absent of ["title:", "tags", "<div", "<em>", "editor:", "{{#include", "listings/"]) {
      assert.equal(all.includes(absent), false, `passage text should not contain ${JSON.stringify(absent)}`);
    }
  });

  test("MDX import and export lines and JSX tags are left out, the text inside inline JSX stays", () => {
    assert.deepEqual(texts("widgets.mdx"), [
      "The foghorn sounds two long blasts every minute while visibility is under one mile.\n\nPress Start on the panel to begin the signal.",
    ]);
    assert.equal(doc("widgets.mdx").passages[0]?.source.line, 8);
  });

  test("text before a # title heading belongs to no section and shares a passage with the short text after it", () => {
    assert.deepEqual(texts("heading-title.md"), [
      "Opening words before the title belong to no section.\n\nWhen a storm warning is raised, close the gallery door and check the storm shutters on every window.",
      "Walk the rocks at low tide and report any damage to the harbour master.",
    ]);
  });
});

describe("parseMarkdown details", () => {
  test("an ordered list keeps its numbers and a nested list its indentation; task items keep their boxes", () => {
    const parsed = parseMarkdown("3. first\n4. second\n   - inner\n\n- [x] done\n- [ ] open\n", "lists.md");
    assert.deepEqual(
      parsed.blocks.map((b) => [b.kind, b.text]),
      [
        ["list", "3. first\n4. second\n  - inner"],
        ["list", "- [x] done\n- [ ] open"],
      ],
    );
  });

  test("inline code keeps its backticks and link syntax is reduced to the link text", () => {
    const parsed = parseMarkdown("Run `cargo build` as shown in [the book](https://example.org/book).\n", "x.md");
    assert.deepEqual(
      parsed.blocks.map((b) => b.text),
      ["Run `cargo build` as shown in the book."],
    );
  });

  test("a blockquote becomes a quote block in its section", () => {
    const parsed = parseMarkdown("# T\n\n## Notes\n\n> Keep the lens clean\n> at all times.\n", "q.md");
    assert.deepEqual(
      parsed.blocks.map((b) => [b.kind, b.text, b.line, b.section]),
      [["quote", "Keep the lens clean at all times.", 5, ["Notes"]]],
    );
  });

  test("a paragraph of only an mdBook directive is dropped", () => {
    const parsed = parseMarkdown("# T\n\n{{#rustdoc_include ../listings/ch01/main.rs:here}}\n\nText.\n", "d.md");
    assert.deepEqual(
      parsed.blocks.map((b) => b.text),
      ["Text."],
    );
  });

  test("in a plain .md file an import line is ordinary text", () => {
    const parsed = parseMarkdown("import the lamp oil in spring\n", "x.md");
    assert.deepEqual(
      parsed.blocks.map((b) => b.text),
      ["import the lamp oil in spring"],
    );
  });

  test("text wrapped in a JSX component without blank lines is kept in MDX", () => {
    const parsed = parseMarkdown("# T\n\n<Note>\nKeep the wick trimmed.\n</Note>\n\nAfter.\n", "n.mdx", { mdx: true });
    assert.deepEqual(
      parsed.blocks.map((b) => b.text),
      ["Keep the wick trimmed.", "After."],
    );
  });

  test("JSX-looking lines inside a fenced code block are kept", () => {
    const parsed = parseMarkdown("# T\n\n```jsx\n<App>\n  <Header />\n</App>\n```\n", "c.mdx", { mdx: true });
    assert.deepEqual(
      parsed.blocks.map((b) => b.text),
      ["```jsx\n<App>\n  <Header />\n</App>\n```"],
    );
  });

  test("JSX-looking lines inside a fenced code block in a list item are kept, as a code block after the item", () => {
    const parsed = parseMarkdown(
      "# T\n\n1. Create the component:\n\n    ```jsx\n    <App>\n      <Header />\n    </App>\n    ```\n2. Render it.\n\nDone.\n",
      "l.mdx",
      { mdx: true },
    );
    assert.deepEqual(
      parsed.blocks.map((b) => [b.kind, b.text]),
      [
        ["list", "1. Create the component:"],
        ["code", "```jsx\n<App>\n  <Header />\n</App>\n```"],
        ["list", "2. Render it."],
        ["prose", "Done."],
      ],
    );
  });

  test("one line of code in a list item stays on the item as inline code", () => {
    const parsed = parseMarkdown("1. Install it:\n\n   ```sh\n   npm i lamp\n   ```\n2. Run it.\n", "l.md");
    assert.deepEqual(
      parsed.blocks.map((b) => [b.kind, b.text]),
      [["list", "1. Install it:\n  `npm i lamp`\n2. Run it."]],
    );
  });

  test("an indented code block of tag lines is kept as code", () => {
    const parsed = parseMarkdown("# T\n\nIndented code:\n\n    <Config>\n      <Item />\n    </Config>\n\nAfter.\n", "i.md");
    assert.deepEqual(
      parsed.blocks.map((b) => b.text),
      ["Indented code:", "```\n<Config>\n  <Item />\n</Config>\n```", "After."],
    );
  });

  test("a heading's custom id or attributes are left out of its text, and an id is its anchor", () => {
    const parsed = parseMarkdown(
      "# T\n\n## Setup {#lamp-setup}\n\nA.\n\n## Queue {/queue-it/}\n\nB.\n\n## Plain {: .wide }\n\nC.\n\n## Sets {a, b}\n\nD.\n",
      "ids.md",
    );
    assert.deepEqual(
      parsed.blocks.map((b) => [b.section, b.anchor]),
      [
        [["Setup"], "lamp-setup"],
        [["Queue"], "queue-it"],
        [["Plain"], "plain"],
        [["Sets {a, b}"], "sets-a-b"],
      ],
    );
  });

  test("two sections with the same heading get distinct anchors, like GitHub and mdBook", () => {
    const parsed = parseMarkdown("# T\n\n## Example\n\none\n\n## Example\n\ntwo\n", "dup.md");
    assert.deepEqual(
      parsed.blocks.map((b) => b.anchor),
      ["example", "example-1"],
    );
  });

  test("a cut paragraph's later pieces report their own file lines even after a line-wrapped image", () => {
    const lines = ["The first sentence shows ![a wide", "image](lamp.png) that wraps onto the second line."];
    for (let i = 3; i <= 18; i++) lines.push(`Sentence number ${i} sits alone on line ${i} and it is long enough to matter here.`);
    const parsed = parseMarkdown(lines.join("\n") + "\n", "img.md");
    const pieces = splitBlocks(parsed.blocks, SPLIT);
    assert.ok(pieces.length > 1);
    for (const piece of pieces.slice(1)) {
      const actual = lines.findIndex((l) => l.startsWith(piece.text.slice(0, 30))) + 1;
      assert.equal(piece.line, actual, `piece starting ${JSON.stringify(piece.text.slice(0, 30))}`);
    }
  });
});

describe("files the loader cannot use", () => {
  let dir: string;
  let broken: KnowledgeSet;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "kb-markdown-"));
    await cp(FIXTURE, dir, { recursive: true });
    await writeFile(path.join(dir, "a-empty.md"), "");
    await writeFile(path.join(dir, "b-blank.md"), "  \n\t\n\n");
    await writeFile(path.join(dir, "c-binary.md"), Buffer.from([0x23, 0x20, 0x41, 0x00, 0x01, 0x02, 0x0a]));
    await writeFile(path.join(dir, "d-latin1.txt"), Buffer.from("Caf\xe9 au lait\n", "latin1"));
    await writeFile(path.join(dir, "e-bad-yaml.md"), "---\ntitle: [unclosed\n---\n\nText that would have loaded.\n");
    await writeFile(path.join(dir, "f-list-front-matter.md"), "---\n- one\n- two\n---\n\nText.\n");
    await writeFile(path.join(dir, "g-headings-only.md"), "# Title\n\n## Nothing here\n");
    await writeFile(path.join(dir, "h-huge.txt"), "");
    await truncate(path.join(dir, "h-huge.txt"), MAX_FILE_BYTES + 1);
    await writeFile(path.join(dir, "logo.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    await writeFile(path.join(dir, ".hidden.md"), "# Hidden\n\nNever loaded.\n");
    await mkdir(path.join(dir, "node_modules", "pkg"), { recursive: true });
    await writeFile(path.join(dir, "node_modules", "pkg", "README.md"), "# Pkg\n\nNot knowledge.\n");
    await mkdir(path.join(dir, "nested"));
    await writeFile(path.join(dir, "nested", "deep.md"), "# Deep\n\nA nested file loads with a slash path.\n");
    broken = await loadKnowledge(dir, { split: SPLIT });
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("each broken file is reported in errors with its reason, in path order", () => {
    assert.deepEqual(broken.errors, [
      { path: "a-empty.md", reason: "empty file" },
      { path: "b-blank.md", reason: "empty file (only whitespace)" },
      { path: "c-binary.md", reason: "binary file (contains NUL bytes)" },
      { path: "d-latin1.txt", reason: "not UTF-8 text" },
      {
        path: "e-bad-yaml.md",
        reason:
          "cannot parse: markdown: invalid front matter in e-bad-yaml.md: Flow sequence in block collection must be sufficiently indented and end with a ] at line 1, column 17",
      },
      {
        path: "f-list-front-matter.md",
        reason: "cannot parse: markdown: Expected front matter in f-list-front-matter.md to be a mapping of keys to values, got a list",
      },
      { path: "g-headings-only.md", reason: "no text to answer from (only headings, markup or code directives)" },
      { path: "h-huge.txt", reason: `too large: ${MAX_FILE_BYTES + 1} bytes (limit 4194304)` },
    ]);
  });

  test("unsupported files are skipped, hidden files and node_modules are not even listed", () => {
    assert.deepEqual(broken.skipped, [
      { path: "logo.png", reason: "not a knowledge file (supported: .md, .markdown, .mdx, .txt, .html, .htm)" },
      { path: "rota.csv", reason: "not a knowledge file (supported: .md, .markdown, .mdx, .txt, .html, .htm)" },
    ]);
  });

  test("the good files still load next to the broken ones", () => {
    assert.deepEqual(
      broken.documents.map((d) => d.path),
      ["guide.md", "heading-title.md", "nested/deep.md", "plain.markdown", "widgets.mdx"],
    );
    assert.deepEqual(
      broken.documents.map((d) => d.passages.length),
      [5, 2, 1, 1, 1],
    );
  });

  test("the size limit is 4 MiB and a file just over it is refused before it is read", async () => {
    assert.equal(MAX_FILE_BYTES, 4 * 1024 * 1024);
    assert.deepEqual(await loadFile(dir, "h-huge.txt", { split: SPLIT }), {
      error: { path: "h-huge.txt", reason: "too large: 4194305 bytes (limit 4194304)" },
    });
  });

  test("a file that disappears between listing and reading is reported, not thrown", async () => {
    assert.deepEqual(await loadFile(dir, "gone.md"), { error: { path: "gone.md", reason: "deleted while loading" } });
  });

  test("loadFile gives a document and the sha256 of the file's bytes", async () => {
    const result = await loadFile(dir, "plain.markdown");
    assert.ok("document" in result);
    assert.match(result.hash, /^[0-9a-f]{64}$/);
    assert.equal(result.document.passages[0]?.text, "The signal book lists every flag the station can fly, with its meaning.");
  });
});

describe("the knowledge folder itself", () => {
  test("a missing folder is a KnowledgeError naming the absolute path", async () => {
    const missing = path.join(os.tmpdir(), "kb-does-not-exist-7d1f", "knowledge");
    await assert.rejects(loadKnowledge(missing), (error: unknown) => {
      assert.ok(error instanceof KnowledgeError);
      assert.equal(error.name, "KnowledgeError");
      assert.equal(error.message, `knowledge: folder not found: ${missing}`);
      return true;
    });
  });

  test("a relative missing folder is named by its absolute path", async () => {
    await assert.rejects(loadKnowledge("kb-missing-relative-folder"), {
      name: "KnowledgeError",
      message: `knowledge: folder not found: ${path.resolve("kb-missing-relative-folder")}`,
    });
  });

  test("a file given as the folder is a KnowledgeError saying so", async () => {
    const file = path.join(FIXTURE, "guide.md");
    await assert.rejects(loadKnowledge(file), { name: "KnowledgeError", message: `knowledge: Expected a folder, got a file: ${file}` });
  });
});
