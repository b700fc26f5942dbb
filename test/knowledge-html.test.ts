/**
 * HTML pages as knowledge: a saved news article with its page chrome (test/fixtures/engine/html) gives
 * the passages of its article text, the same as the article saved as text or Markdown; and the HTML
 * elements a page may hold become passage text like Markdown's.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseHtml } from "../src/knowledge/html.ts";
import { parseMarkdown } from "../src/knowledge/markdown.ts";
import { knowledgeFixture } from "./support/knowledge-fixture.ts";

const { set, doc } = knowledgeFixture("html");

const ARTICLE = [
  "The North Point lighthouse shone with a new lamp on Friday night for the first time in forty years. Keepers switched on the LED lamp at sunset, and ships reported seeing it from twenty-two nautical miles away.",
  "The old paraffin lamp had been in use since 1984. It needed a keeper to trim the wick every four hours and to carry fuel up the tower each evening, whatever the weather.",
  "The new lamp cost 48,000 pounds, paid for by the harbour trust and a grant from the coastal heritage fund. The trust says the lamp uses a tenth of the energy of the old one.\n\n- Range: twenty-two nautical miles\n- Power: 150 watts\n- Expected life: twenty years",
  "The paraffin lamp will go on show at the harbour museum from next spring, next to the logbooks the keepers kept since the lighthouse opened in 1871.",
];

describe("a saved news page", () => {
  test("gives exactly the article's passages: no navigation, cookie banner, share bar, related stories, newsletter or footer", () => {
    const source = { path: "north-point-lamp.html", title: "New lamp lit at North Point lighthouse" };
    const url = "https://gazette.example/news/north-point-lamp";
    assert.deepEqual(doc("north-point-lamp.html").passages, [
      { id: "north-point-lamp.html#1", text: ARTICLE[0], kind: "prose", source: { ...source, section: [], passage: 1, line: 36, url } },
      { id: "north-point-lamp.html#2", text: ARTICLE[1], kind: "prose", source: { ...source, section: [], passage: 2, line: 37, url } },
      {
        id: "north-point-lamp.html#3",
        text: ARTICLE[2],
        kind: "prose",
        source: { ...source, section: ["Cost and funding"], passage: 3, line: 39, url: `${url}#cost-and-funding` },
      },
      {
        id: "north-point-lamp.html#4",
        text: ARTICLE[3],
        kind: "prose",
        source: { ...source, section: ["What happens to the old lamp"], passage: 4, line: 46, url: `${url}#what-happens-to-the-old-lamp` },
      },
    ]);
    assert.deepEqual(doc("north-point-lamp.html").sections, ["Cost and funding", "What happens to the old lamp"]);
  });

  test("the same article as .txt and as .md gives the same passage texts and sections", () => {
    for (const file of ["north-point-lamp.txt", "north-point-lamp.md"]) {
      assert.deepEqual(
        doc(file).passages.map((p) => [p.text, p.source.section]),
        doc("north-point-lamp.html").passages.map((p) => [p.text, p.source.section]),
        file,
      );
      assert.equal(doc(file).title, doc("north-point-lamp.html").title);
    }
    assert.deepEqual(set().errors, []);
  });

  test("its link is the canonical URL, not og:url with tracking", () => {
    assert.equal(doc("north-point-lamp.html").url, "https://gazette.example/news/north-point-lamp");
  });
});

describe("parseHtml", () => {
  const page = (head: string, body: string) => `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;

  test("the title is og:title, else <title>, else the file name", () => {
    assert.equal(
      parseHtml(page('<title>Lamp manual | Keepers</title><meta property="og:title" content="Lamp manual">', "<p>Text.</p>"), "a.html").title,
      "Lamp manual",
    );
    assert.equal(parseHtml(page("<title>Lamp manual</title>", "<p>Text.</p>"), "a.html").title, "Lamp manual");
    assert.equal(parseHtml("<p>Just a fragment of text.</p>", "notes/lamp-manual.html").title, "lamp manual");
  });

  test("the link is rel=canonical, else og:url, and only an http(s) URL", () => {
    const canonical = '<link rel="canonical" href="https://keepers.example/manual">';
    const og = '<meta property="og:url" content="https://keepers.example/og">';
    assert.equal(parseHtml(page(canonical + og, "<p>Text.</p>"), "a.html").url, "https://keepers.example/manual");
    assert.equal(
      parseHtml(page('<link rel="canonical" href="ftp://keepers.example/manual">' + og, "<p>Text.</p>"), "a.html").url,
      "https://keepers.example/og",
    );
    assert.equal("url" in parseHtml(page('<link rel="canonical" href="javascript:alert(1)">', "<p>Text.</p>"), "a.html"), false);
  });

  test("code, lists, tables, quotes and details become passage code, list lines, table rows, quotes and a titled box", () => {
    const body = [
      "<main><h1>Lamp manual</h1><p>The lamp needs care &amp; attention every day, and this manual says how.</p>",
      '<h2>Steps</h2><ol start="3"><li>Open the <code>vent</code></li><li>Light it<ul><li>with a <em>match</em></li></ul></li></ol>',
      '<pre><code class="language-sh">lamp --light\nlamp --check</code></pre>',
      "<table><tr><th>Shift</th><th>Hours</th></tr><tr><td>Night</td><td>18–06 | 06–18</td></tr></table>",
      "<blockquote><p>Keep the lens clean.</p></blockquote><details><summary>Why?</summary><p>Dirt dims the beam.</p></details>",
      "<script>alert(1)</script><style>p{}</style></main>",
    ].join("");
    const parsed = parseHtml(page("<title>Lamp manual</title>", body), "a.html");
    assert.deepEqual(
      parsed.blocks.map((b) => [b.kind, b.text, b.section]),
      [
        ["prose", "The lamp needs care & attention every day, and this manual says how.", []],
        ["list", "3. Open the `vent`\n4. Light it\n  - with a match", ["Steps"]],
        ["code", "```sh\nlamp --light\nlamp --check\n```", ["Steps"]],
        ["table", "| Shift | Hours |\n| --- | --- |\n| Night | 18–06 \\| 06–18 |", ["Steps"]],
        ["quote", "Keep the lens clean.", ["Steps"]],
        ["prose", "Why? Dirt dims the beam.", ["Steps"]],
      ],
    );
    assert.deepEqual(parsed.blocks[1]?.emphasis, ["match"]);
  });

  test("a fragment without a page around it is read whole", () => {
    assert.deepEqual(
      parseHtml("<p>Just a fragment of text.</p>", "a.html").blocks.map((b) => b.text),
      ["Just a fragment of text."],
    );
  });
});

describe("HTML inside Markdown", () => {
  test("an HTML table becomes table rows and a details element a box around the Markdown split from it", () => {
    const source = [
      '<div class="table-wrapper"><table><tr><td><strong>Location</strong></td><td>North Point</td></tr></table></div>',
      "",
      '<details markdown="block">',
      "<summary>Records to keep</summary>",
      "",
      "- the logbook",
      "- the fuel ledger",
      "",
      "</details>",
      "",
      "After.",
    ].join("\n");
    assert.deepEqual(
      parseMarkdown(source, "h.md").blocks.map((b) => [b.kind, b.text, b.line]),
      [
        ["table", "| Location | North Point |\n| --- | --- |", 1],
        ["prose", "Records to keep:", 6],
        ["list", "- the logbook\n- the fuel ledger", 6],
        ["prose", "After.", 11],
      ],
    );
  });
});
