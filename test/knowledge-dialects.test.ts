/**
 * Golden tests, one per documentation dialect: a fixture file in test/fixtures/dialects → exactly these
 * passages. Passages are not merged (minLength 0), so each shows what one construct became; the
 * loader's own sizing is tested in split.test.ts. Loaded without the hygiene check.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { NoteIndex } from "../src/knowledge/embeds.ts";
import { listKnowledgeFiles } from "../src/knowledge/files.ts";
import { ignoredSummary, loadFile, loadKnowledge } from "../src/knowledge/load.ts";
import { parseMarkdown } from "../src/knowledge/markdown.ts";
import type { KnowledgeDocument } from "../src/knowledge/types.ts";
import type { Logger } from "../src/log.ts";

const ROOT = path.join(import.meta.dirname, "fixtures", "dialects");
const SPLIT = { maxLength: 900, targetLength: 550, minLength: 0, maxMergedLength: 1400 };

async function golden(file: string, root = ROOT): Promise<KnowledgeDocument> {
  const notes = new NoteIndex(root, await listKnowledgeFiles(root));
  const result = await loadFile(root, file, { split: SPLIT, notes });
  assert.ok("document" in result, JSON.stringify(result));
  return result.document;
}

describe("documentation dialects become what their rendered page shows", () => {
  test("VitePress: containers with their titles, a code group's tabs, file names, twoslash cuts, Vue components and script/style blocks", async () => {
    const doc = await golden("vitepress.md");
    assert.equal(doc.title, "Lamp configuration");
    assert.deepEqual(
      doc.passages.map((p) => p.text),
      [
        "Tip: Run the lamp check before every shift.",
        "Low oil in `winter`: Paraffin thickens below five degrees.",
        "Why paraffin? It burns cleanly and is cheap.",
        "npm:\n```sh\nnpm install lamp-cli\n```",
        "pnpm:\n```sh\npnpm add lamp-cli\n```",
        "`lamp.config.js`:\n```js\nexport default defineConfig({\n  wick: 3,\n})\n```",
        "```js\nconst lamp = createLamp()\nlamp.light()\n```",
        "The keeper on duty is tonight. new Press L to light it, or read `Lamp#light` and the lamp class.",
      ],
    );
  });

  test("VuePress: a code group of code-group-item containers or components, a component block's text, a danger box", async () => {
    const doc = await golden("vuepress.md");
    assert.equal(doc.title, "Installing the lamp tools");
    assert.deepEqual(
      doc.passages.map((p) => p.text),
      [
        "npm:\n```sh\nnpm install lamp-tools\n```",
        "yarn:\n```sh\nyarn add lamp-tools\n```",
        "bun:\n```sh\nbun add lamp-tools\n```",
        "When the keeper types a command, the lamp answers in the log:",
        "light",
        "The lamp is lit.",
        "Danger: Never leave a lit lamp unattended.",
      ],
    );
  });

  test("Docusaurus MDX: titled and nested admonitions, tabs captioning their code, a code title, JSX expressions and imports left out", async () => {
    const doc = await golden("docusaurus.mdx");
    assert.equal(doc.title, "Fog signals");
    assert.deepEqual(
      doc.passages.map((p) => p.text),
      [
        "Visibility: Sound the horn when visibility is under one mile.",
        "Two blasts: Two long blasts every minute.",
        "Info: The horn has two modes:",
        "Warning: Manual mode needs a keeper at the panel.",
        "Automatic:\n```bash\nfoghorn --auto\n```",
        "Manual:\n```bash\nfoghorn --manual\n```",
        "`src/foghorn.js`:\n```js\nexport function sound() {\n  return blast(2);\n}\n```",
        "Press Start and the horn sounds; the setting is.",
      ],
    );
  });

  test("MkDocs: admonitions with indented bodies, collapsible ones, an empty title hiding the title", async () => {
    const doc = await golden("mkdocs.md");
    assert.equal(doc.title, "Tide tables");
    assert.deepEqual(
      doc.passages.map((p) => p.text),
      [
        "Spring tides: Spring tides come two days after a full moon.",
        "They are the highest of the month.",
        "Tip: Check the table before walking the rocks.",
        "The causeway floods at high water.",
        "Example:\n\n```sh\ntides --today\n```",
        "After the boxes.",
      ],
    );
  });

  test("GitHub alerts lead with their type; a plain quote stays a quote", async () => {
    const doc = await golden("github-alerts.md");
    assert.equal(doc.title, "Boat safety");
    assert.deepEqual(
      doc.passages.map((p) => p.text),
      [
        "Note: Life jackets are stored under the bench.",
        "Warning: Do not launch in winds over force six.",
        "Important: Sign the logbook before you leave.",
        "A quote from the harbour master: keep the slipway clear.",
      ],
    );
  });

  test("Liquid/Eleventy: link tags keep their link text, block tags their content under the title, the rest is removed; raw shows as written", async () => {
    const doc = await golden("liquid.md");
    assert.equal(doc.title, "Leave and holidays");
    assert.deepEqual(
      doc.passages.map((p) => p.text),
      [
        "Updated leave guidance (2024): The harbour trust published new leave guidance for all keepers.",
        "This page is for permanent keepers only.",
        "Ask in #keepers before booking, and fill in the leave form.",
        'To link a page, write:\n\n```liquid\n[Leave]({% page "/leave/" %})\n```',
        "The site shows {{ page.title }} as the page title; this page is.",
      ],
    );
  });

  test("Hugo: shortcodes as boxes, code and links; inline ones removed; TOML front matter gives the title; an escaped shortcode shows as the tag", async () => {
    const doc = await golden("hugo.md");
    assert.equal(doc.title, "Harbour charts");
    assert.deepEqual(
      doc.passages.map((p) => p.text),
      [
        "Out of date: These charts predate the new breakwater. See the survey.",
        "Chart symbols: A star marks a light; a cross marks a wreck.",
        '```go\nchart.Load("north-point")\n```',
        "```toml\n[params]\nharbour = 'North Point'\n```",
        "Charts are printed yearly and the symbols are in symbols.",
        "To show a shortcode, write `{{< notice >}}`.",
      ],
    );
  });

  test("MyST: directives in backtick and colon fences as boxes, code, or nothing; options, targets, comments and block breaks left out; roles show their text", async () => {
    const doc = await golden("myst.md");
    assert.equal(doc.title, "Lighthouse keeping");
    assert.deepEqual(
      doc.passages.map((p) => [p.source.section.join(" › "), p.text]),
      [
        ["", "Keepers log every shift in the logbook, as the duty rules say."],
        ["", "Note: The lamp room is locked at night."],
        ["", "Warning: Never look into the lit lens."],
        ["", "Storm procedure: Close the shutters before the wind passes force eight."],
        ["", "See also: The beaufort scale page."],
        ["Duty rules", "New in version 2.1: Night shifts now end at six."],
        ["Duty rules", "Call `light()` to light the lamp, or press `Ctrl+L`."],
        ["Duty rules", "```python\nlamp.light()\n```"],
        ["Duty rules", "The lamp after its refit."],
        ["Duty rules", "Linux:\n```sh\nlamp --start\n```"],
        ["Duty rules", "```r\nsummary(lamp)\n```"],
      ],
    );
  });

  test("MyST roles for menus, labels, abbreviations and icons show what the page shows; math is code, reStructuredText and autodoc nothing", () => {
    const source = [
      "# Saving",
      "",
      "Choose {menuselection}`File --> Save`, press {guilabel}`&Save` {octicon}`check`, and watch the {abbr}`LED (light-emitting diode)`.",
      "",
      "```{math}",
      "E = mc^2",
      "```",
      "",
      "```{eval-rst}",
      ".. note:: Written in reStructuredText.",
      "```",
      "",
      "```{autoclass} lamp.Lamp",
      ":members:",
      "```",
    ].join("\n");
    assert.deepEqual(
      parseMarkdown(source, "saving.md").blocks.map((b) => b.text),
      ["Choose File › Save, press Save, and watch the LED.", "```latex\nE = mc^2\n```"],
    );
  });

  test("MyST comments and block breaks are text in a document that does not use MyST", () => {
    const doc = parseMarkdown("# Rates\n\n% of keepers who passed: all of them.\n\n+++ marks a new shift in the log.\n", "rates.md");
    assert.deepEqual(
      doc.blocks.map((b) => b.text),
      ["% of keepers who passed: all of them.", "+++ marks a new shift in the log."],
    );
  });

  test("code fences with any info string keep pairing and their language; a file name becomes a caption line", async () => {
    const doc = await golden("fences.md");
    assert.equal(doc.title, "Fence info strings");
    assert.deepEqual(
      doc.passages.map((p) => p.text),
      [
        "```sh\nlamp --check\n```",
        "```js\nlamp.light()\n```",
        "```ts\nconst wick: number = 3\n```",
        "`vite.config.js`:\n```js\nexport default {}\n```",
        "`lamp.ts`:\n```ts\nexport const lamp = {}\n```",
        "```rust\nfn light() {}\n```",
        "```diff\n- oil\n+ led\n```",
        '```python\nprint("lit")\n```',
        "````md\n```js\nlamp.light()\n```\n````",
        "```\nplain\n```",
      ],
    );
  });

  test("a box's passages start at their own lines and keep their kinds", async () => {
    const doc = await golden("mkdocs.md");
    assert.deepEqual(
      doc.passages.map((p) => [p.kind, p.source.line]),
      [
        ["prose", 4],
        ["prose", 6],
        ["prose", 9],
        ["prose", 12],
        ["code", 15],
        ["prose", 19],
      ],
    );
    assert.deepEqual(
      (await golden("github-alerts.md")).passages.map((p) => p.kind),
      ["prose", "prose", "prose", "quote"],
    );
  });
});

describe("boxes and the tabs in them", () => {
  test("a tab component left open inside a box ends with the box: code after it has no caption", () => {
    const parsed = parseMarkdown('# T\n\n::: tip\n<CodeGroupItem title="npm">\n\n```sh\nnpm i\n```\n:::\n\n```sh\nls\n```\n', "t.md");
    assert.deepEqual(
      parsed.blocks.map((b) => b.text),
      ["Tip:", "npm:\n```sh\nnpm i\n```", "```sh\nls\n```"],
    );
  });
});

describe("MDX indentation", () => {
  test("components indented anywhere, and fences indented under them with spaces or tabs, are still read; a list keeps its items", () => {
    const source = [
      "# Fonts",
      "",
      "1. Install the font:",
      "",
      "    <Tabs>",
      '      <TabItem label="npm">',
      "    \t```sh",
      "        npm i font",
      "        ```",
      "      </TabItem>",
      "    </Tabs>",
      "",
      "2. Use it.",
      "",
      "        <Note>",
      "            Fonts load once.",
      "        </Note>",
    ].join("\n");
    assert.deepEqual(
      parseMarkdown(source, "fonts.mdx", { mdx: true }).blocks.map((b) => [b.kind, b.text]),
      [
        ["list", "1. Install the font:"],
        ["code", "npm:\n```sh\nnpm i font\n```"],
        ["list", "2. Use it.\n  Fonts load once."],
      ],
    );
  });
});

describe("an Obsidian vault", () => {
  const VAULT = path.join(ROOT, "obsidian");

  test("wiki links show their alias, else the page (and heading); callouts lead with their title; comments, highlights and block ids leave only text", async () => {
    const doc = await golden("Lamp care.md", VAULT);
    assert.deepEqual(
      doc.passages.map((p) => [p.text, p.source.line, p.source.section]),
      [
        ["Trim the wick every four hours.", 8, []],
        ["Clean the lens with a soft cloth and polish, as described in Cleaning > The lens and Cleaning.", 12, ["Cleaning"]],
        ["Keep a spare wick: Spare wicks are in the Store room.", 15, ["Cleaning"]],
        ["Can the lamp run all night? Yes: With a full tank it runs for fourteen hours.", 19, ["Cleaning"]],
        ["Title-only callout", 21, ["Cleaning"]],
        ["Use only paraffin in the lamp.", 23, ["Cleaning"]],
      ],
    );
  });

  test("front matter aliases stay in the parsed front matter", () => {
    const parsed = parseMarkdown("---\naliases: [Lamp maintenance, Wick care]\n---\n\n# Lamp care\n\nText.\n", "Lamp care.md");
    assert.deepEqual(parsed.frontMatter.aliases, ["Lamp maintenance", "Wick care"]);
  });

  test("an embed shows the note's block, section or whole text; a note embedding itself, a missing note and an image show nothing", async () => {
    const doc = await golden("Night shift.md", VAULT);
    assert.deepEqual(
      doc.passages.map((p) => [p.text, p.source.line]),
      [
        ["The night keeper lights the lamp at sunset.", 3],
        ["Trim the wick every four hours.", 5],
        ["Clean the lens with a soft cloth and polish, as described in Cleaning > The lens and Cleaning.", 7],
        ["Keep a spare wick: Spare wicks are in the Store room.", 7],
        ["Can the lamp run all night? Yes: With a full tank it runs for fourteen hours.", 7],
        ["Title-only callout", 7],
        ["Use only paraffin in the lamp.", 7],
      ],
    );
  });

  test("embeds inside an embedded note are followed, without going round a loop", async () => {
    const doc = await golden("Checklist.md", VAULT);
    assert.deepEqual(doc.passages.map((p) => p.text).slice(0, 2), ["The night keeper lights the lamp at sunset.", "Trim the wick every four hours."]);
    assert.equal(doc.passages.length, 7);
  });

  test("embedded notes are found by path or by name, ignoring case, and only among Markdown files", () => {
    const notes = new NoteIndex(VAULT, ["Lamp care.md", "archive/Lamp care.md", "img/Lamp care.png", "deep/Night shift.md"]);
    assert.equal(notes.resolve("lamp CARE"), "Lamp care.md");
    assert.equal(notes.resolve("archive/Lamp care"), "archive/Lamp care.md");
    assert.equal(notes.resolve("Night shift.md"), "deep/Night shift.md");
    assert.equal(notes.resolve("Store room"), undefined);
  });
});

describe("what the loader logs", () => {
  function recorder(): { logger: Logger; lines: string[] } {
    const lines: string[] = [];
    const at = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
    return { logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, lines };
  }

  test("ignored files are one info line per load, counted by extension, most first; each file's reason is at debug", async () => {
    const { logger, lines } = recorder();
    await loadKnowledge(path.join(import.meta.dirname, "fixtures", "engine", "markdown"), { logger });
    assert.deepEqual(
      lines.filter((l) => l.includes("ignored")),
      ["debug knowledge: ignored rota.csv: not a knowledge file (supported: .md, .markdown, .mdx, .txt, .html, .htm)", "info knowledge: ignored 1 .csv file"],
    );
  });

  test("the summary counts each extension and names files without one", () => {
    const issue = (p: string) => ({ path: p, reason: "not a knowledge file" });
    assert.equal(
      ignoredSummary([issue("a.png"), issue("b.PNG"), issue("c.json"), issue("LICENSE"), issue("d/e.png"), issue("COPYRIGHT"), issue("f.svg")]),
      "3 .png files, 2 files without an extension, 1 .json file, 1 .svg file",
    );
  });
});
