/**
 * Property: whatever mix of dialect constructs a Markdown file holds, no passage shows their markup
 * (container lines, admonition markers, template tags, component tags, wiki links, comments), and every
 * code fence in a passage pairs up.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { findFences, splitCode } from "../src/knowledge/fence.ts";
import { parseMarkdown } from "../src/knowledge/markdown.ts";
import { splitBlocks } from "../src/knowledge/split.ts";

const word = fc.stringMatching(/^[a-z]{1,8}$/);
const name = fc.constantFrom("Lamp care", "Tides", "Fog horn", "Store room");
const title = fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join(" "));

/** Inline constructs, each rendered to text (or nothing) by its dialect. */
const inline = fc.oneof(
  { weight: 8, arbitrary: word },
  { weight: 1, arbitrary: fc.tuple(name, fc.option(word, { nil: undefined })).map(([n, a]) => (a ? `[[${n}|${a}]]` : `[[${n}]]`)) },
  { weight: 1, arbitrary: name.map((n) => `[[${n}#Some heading]]`) },
  { weight: 1, arbitrary: name.map((n) => `![[${n}]]`) },
  { weight: 1, arbitrary: word.map((w) => `%%${w}%%`) },
  { weight: 1, arbitrary: word.map((w) => `==${w}==`) },
  { weight: 1, arbitrary: word.map((w) => `[${w}]({% page "/${w}/" %})`) },
  { weight: 1, arbitrary: word.map((w) => `{% slack_channel "${w}" %}`) },
  { weight: 1, arbitrary: word.map((w) => `{% include "${w}.html" %}`) },
  { weight: 1, arbitrary: word.map((w) => `[${w}]({{< relref "${w}.md" >}})`) },
  { weight: 1, arbitrary: word.map((w) => `{{< new-in ${w} >}}`) },
  { weight: 1, arbitrary: word.map((w) => `{{% param "${w}" %}}`) },
  { weight: 1, arbitrary: word.map((w) => `{{ page.${w} }}`) },
  { weight: 1, arbitrary: word.map((w) => `<DocsLink path="${w}:Class" />`) },
  { weight: 1, arbitrary: word.map((w) => `<DocsLink path="x">${w}</DocsLink>`) },
  { weight: 1, arbitrary: word.map((w) => `<kbd>${w}</kbd>`) },
  { weight: 1, arbitrary: word.map((w) => "`" + w + "`") },
);
const paragraph = fc.array(inline, { minLength: 1, maxLength: 12 }).map((parts) => parts.join(" ") + ".");
const fenceInfo = fc.constantFrom("", "js", "sh:no-line-numbers", "js {9}", "ts twoslash", "js [vite.config.js]", 'ts title="x.ts"', "diff", "rust,ignore");
const code = fc.array(fc.stringMatching(/^[a-z(); =]{0,30}$/), { minLength: 1, maxLength: 5 }).map((lines) => lines.join("\n") + "x");
const fence = fc.tuple(fenceInfo, code, fc.boolean()).map(([info, body, tilde]) => (tilde ? `~~~${info}\n${body}\n~~~` : "```" + info + "\n" + body + "\n```"));

const block: fc.Memo<string> = fc.memo((depth) => {
  const leaf = fc.oneof(
    { weight: 4, arbitrary: paragraph },
    { weight: 2, arbitrary: fence },
    { weight: 1, arbitrary: fc.array(paragraph, { minLength: 1, maxLength: 3 }).map((items) => items.map((i) => `- ${i}`).join("\n")) },
  );
  if (depth <= 1) return leaf;
  const inner = fc.array(block(depth - 1), { minLength: 1, maxLength: 3 }).map((b) => b.join("\n\n"));
  const type = fc.constantFrom("tip", "warning", "danger", "info", "details", "note", "code-group");
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    // Nested containers take more colons than the ones inside them, as VitePress requires.
    {
      weight: 1,
      arbitrary: fc
        .tuple(type, fc.option(title, { nil: undefined }), inner)
        .map(([t, ti, body]) => `${":".repeat(3 + depth)} ${t}${ti ? " " + ti : ""}\n${body}\n${":".repeat(3 + depth)}`),
    },
    { weight: 1, arbitrary: fc.tuple(type, title, paragraph).map(([t, ti, body]) => `:::${t}[${ti}]\n${body}\n:::`) },
    { weight: 1, arbitrary: fc.tuple(type, title, inner).map(([t, ti, body]) => `!!! ${t} "${ti}"\n` + body.replace(/^/gm, "    ")) },
    { weight: 1, arbitrary: fc.tuple(type, fc.constantFrom("", "-", "+"), title, paragraph).map(([t, fold, ti, body]) => `> [!${t}]${fold} ${ti}\n> ${body}`) },
    { weight: 1, arbitrary: fc.tuple(title, inner).map(([ti, body]) => `{% alert "${ti}" %}\n${body}\n{% endalert %}`) },
    { weight: 1, arbitrary: word.map((w) => `{% image "${w}.png" "${w}" %}`) },
    { weight: 1, arbitrary: fc.tuple(type, inner).map(([t, body]) => `{{< notice ${t} >}}\n${body}\n{{< /notice >}}`) },
    { weight: 1, arbitrary: fc.tuple(title, inner).map(([ti, body]) => `{{% details title="${ti}" %}}\n${body}\n{{% /details %}}`) },
    { weight: 1, arbitrary: inner.map((body) => `<Steps>\n\n${body}\n\n</Steps>`) },
    { weight: 1, arbitrary: paragraph.map((p) => `<Note>\n  ${p}\n</Note>`) },
    { weight: 1, arbitrary: word.map((w) => `<Widget name="${w}" />`) },
    { weight: 1, arbitrary: paragraph.map((p) => `%%\n${p}\n%%`) },
    { weight: 1, arbitrary: paragraph.map((p) => `<script setup>\nconst ${"x"} = "${p}"\n</script>`) },
  );
});

const documents = fc
  .tuple(fc.array(block(3), { minLength: 1, maxLength: 8 }), fc.boolean())
  .map(([blocks, mdx]) => ({ source: "# Page\n\n" + blocks.join("\n\n") + "\n", mdx }));

const LEAKS: [string, RegExp][] = [
  [":::", /^\s*:{3,}/m],
  ["!!!", /^\s*!!!/m],
  ["[!type]", /\[![a-z-]+\]/],
  ["{% %}", /\{%|%\}/],
  ["{{< >}}", /\{\{<|>\}\}/],
  ["{{% %}}", /\{\{%|%\}\}/],
  ["{{ }}", /\{\{|\}\}/],
  ["<Component>", /<\/?[A-Z]/],
  ["[[", /\[\[|\]\]/],
  ["%%", /%%/],
];

test("no passage shows dialect markup, and every code fence in a passage pairs up", () => {
  fc.assert(
    fc.property(documents, ({ source, mdx }) => {
      const pieces = splitBlocks(parseMarkdown(source, mdx ? "page.mdx" : "page.md", { mdx }).blocks);
      for (const piece of pieces) {
        const { prose } = splitCode(piece.text);
        const outsideCode = prose.replace(/(`+)[^`]*?\1/g, " ");
        for (const [what, pattern] of LEAKS)
          assert.equal(pattern.test(outsideCode), false, `${what} in ${JSON.stringify(piece.text)}\nfrom ${JSON.stringify(source)}`);
        const fenced = findFences(piece.text);
        const fenceLines = piece.text.split("\n").filter((l) => /^(`{3,}|~{3,})/.test(l)).length;
        assert.equal(fenceLines, fenced.length * 2, `unpaired fence in ${JSON.stringify(piece.text)}\nfrom ${JSON.stringify(source)}`);
      }
    }),
    { numRuns: 300 },
  );
});
