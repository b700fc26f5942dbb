/**
 * Passage Markdown as Discord Markdown (src/discord/markdown.ts through format.ts): golden payloads for each
 * outcome and each kind of answer unit, and a property test that any passage renders within Discord's
 * limits, with balanced code blocks and bold, inline code exactly as written, and nothing live outside code.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse as parseDiscord } from "discord-markdown-parser";
import fc from "fast-check";
import type { Answer, AnswerKind, AnswerResult } from "../src/answer/types.ts";
import type { PassageSource } from "../src/knowledge/types.ts";
import { renderAnswer, renderNoMatch, renderPassage, renderSources } from "../src/discord/format.ts";
import { messageLimitViolations } from "../src/discord/limits.ts";
import { codeBlock, codeSpan, inlineMarkdown } from "../src/discord/markdown.ts";
import { messageProblems } from "./support/discord-limits-check.ts";

const view = { askerId: "1200000000000000001", offset: 0, state: { question: "how do I set the port?" }, ephemeral: false };

function result(text: string, answer: string, source: Partial<PassageSource> = {}, key = "k1"): AnswerResult {
  const answerStart = text.indexOf(answer);
  assert.ok(answerStart >= 0, "the answer is in the text");
  const kind: AnswerKind = answer.startsWith("```") ? "code" : answer.startsWith("|") ? "row" : /^\s*(?:-|\d+\.)\s/.test(answer) ? "item" : "sentence";
  return {
    key,
    text,
    answer,
    answerKind: kind,
    answerStart,
    score: 1,
    source: { path: "guide/cli.md", title: "Command Line Interface", section: ["Command Line Interface", "Dev server"], passage: 2, line: 17, ...source },
    highlights: [],
  };
}

const answered = (...results: AnswerResult[]): Answer => ({ question: view.state.question, answered: true, confidence: 0.9, results });

const ENV_TEXT =
  "Vite uses `dotenv` to load variables from files in your environment directory. " +
  "Variables are read when the server starts, so restart it after a change (see `server.restart()`). " +
  "Only variables prefixed with `VITE_` are exposed to your code.\n\n" +
  "Use `` `import.meta.env` `` to read them.";

const TABLE_TEXT =
  "Options:\n\n| Options | |\n| --- | --- |\n| `--host [host]` | Specify hostname (`string`) |\n| `--port <port>` | Specify port (`number`) |\n| `--open [path]` | Open browser on startup (`boolean \\| string`) |";

const LIST_TEXT = "The class provides these methods:\n\n- `reply()`\n- `deferReply()`\n  - sends the *thinking* state\n- `followUp()`";

const CODE_TEXT = "To set the port, add it to the config file.\n\nvite.config.js:\n```js\nexport default {\n  server: { port: 8080 },\n}\n```";

describe("Discord payloads (golden)", () => {
  test("an answered question: the answer in bold with whole sentences around it, inline code as written, the citation in one line", () => {
    const reply = renderAnswer(
      answered(
        result(ENV_TEXT, "Variables are read when the server starts, so restart it after a change (see `server.restart()`).", {
          path: "guide/env-and-mode.md",
          title: "Env Variables and Modes",
          section: ["Env Variables and Modes", "`.env` Files"],
          line: 64,
          url: "https://vite.dev/guide/env-and-mode#env-files",
        }),
        result(TABLE_TEXT, "| `--port <port>` | Specify port (`number`) |", {}, "k2"),
        result(
          LIST_TEXT,
          "- `deferReply()`",
          { path: "interactions/modals.md", title: "Modals", section: ["Responding to modal submissions"], line: 146 },
          "k3",
        ),
        result("More.", "More.", {}, "k4"),
      ),
      view,
    );
    assert.deepEqual(reply, {
      embeds: [
        {
          color: 0x5865f2,
          description:
            "Vite uses `dotenv` to load variables from files in your environment directory. " +
            "**Variables are read when the server starts, so restart it after a change (see `server.restart()`).** " +
            "Only variables prefixed with `VITE_` are exposed to your code.\n\n" +
            "Use `` `import.meta.env` `` to read them.\n\n" +
            "1. **Env Variables and Modes › `.env` Files** · `guide/env-and-mode.md:64` · [open](https://vite.dev/guide/env-and-mode#env-files)",
          fields: [
            { name: "2. Command Line Interface › Dev server", value: "**Options**\n…\n`--port <port>` │ Specify port (`number`)\n`guide/cli.md:17`" },
            { name: "3. Modals › Responding to modal submissions", value: "• `deferReply()`\n`interactions/modals.md:146`" },
          ],
          footer: { text: "Question: how do I set the port?\nResults 1–3" },
        },
      ],
      components: [
        { type: 1, components: [{ type: 2, style: 1, label: "More results", custom_id: "kb1:page:3:1200000000000000001" }] },
        {
          type: 1,
          components: [
            { type: 2, style: 2, label: "Full passage 2", custom_id: "kb1:full:0:k2:1200000000000000001" },
            { type: 2, style: 2, label: "Full passage 3", custom_id: "kb1:full:0:k3:1200000000000000001" },
          ],
        },
      ],
      ephemeral: false,
    });
  });

  test("a table row: marked and bold under its table's header", () => {
    const reply = renderAnswer(answered(result(TABLE_TEXT, "| `--open [path]` | Open browser on startup (`boolean \\| string`) |")), view);
    assert.equal(
      reply.embeds[0]?.description,
      "Options:\n\n**Options**\n`--host [host]` │ Specify hostname (`string`)\n`--port <port>` │ Specify port (`number`)\n" +
        "➤ **`--open [path]`** │ **Open browser on startup (`boolean | string`)**\n\n" +
        "**Command Line Interface › Dev server** · `guide/cli.md:17`",
    );
  });

  test("a list item: marked and bold, nesting shown with em spaces", () => {
    const reply = renderAnswer(answered(result(LIST_TEXT, "- `deferReply()`\n  - sends the *thinking* state")), view);
    assert.equal(
      reply.embeds[0]?.description,
      "The class provides these methods:\n\n• `reply()`\n➤ **`deferReply()`**\n\u2003➤ **sends the \\*thinking\\* state**\n• `followUp()`\n\n" +
        "**Command Line Interface › Dev server** · `guide/cli.md:17`",
    );
  });

  test("a code block: a label above it, the caption line before it kept, the code as written", () => {
    const reply = renderAnswer(answered(result(CODE_TEXT, "```js\nexport default {\n  server: { port: 8080 },\n}\n```")), view);
    assert.equal(
      reply.embeds[0]?.description,
      "To set the port, add it to the config file.\n\nvite.config.js:\n➤ **Answer:**\n```js\nexport default {\n  server: { port: 8080 },\n}\n```\n\n" +
        "**Command Line Interface › Dev server** · `guide/cli.md:17`",
    );
  });

  test("unsure: said first, and every result is a closest match, not an answer", () => {
    const reply = renderAnswer(
      {
        question: "what is the weather on mars",
        answered: false,
        reason: "unsure",
        confidence: 0.17,
        results: [
          result("Vite 8 was released on March 12, 2026. It ships a new bundler.", "Vite 8 was released on March 12, 2026.", {
            path: "blog/vite8.md",
            title: "Vite 8.0 is out!",
            section: [],
            line: 30,
          }),
          result(CODE_TEXT, "```js\nexport default {\n  server: { port: 8080 },\n}\n```", {}, "k2"),
        ],
      },
      { ...view, state: { question: "what is the weather on mars" } },
    );
    assert.deepEqual(reply.embeds, [
      {
        color: 0x99aab5,
        description: "I'm not sure this answers it — closest matches:",
        fields: [
          { name: "1. Vite 8.0 is out!", value: "Vite 8 was released on March 12, 2026.\n`blog/vite8.md:30`" },
          { name: "2. Command Line Interface › Dev server", value: "```js\nexport default {\n  server: { port: 8080 },\n}\n```\n`guide/cli.md:17`" },
        ],
        footer: { text: "Question: what is the weather on mars\nResults 1–2" },
      },
    ]);
    assert.deepEqual(
      reply.components.flatMap((row) => row.components.map((button) => button.label)),
      ["Full passage 1", "Full passage 2"],
    );
  });

  test("no match: a short private notice", () => {
    assert.deepEqual(renderNoMatch(), {
      embeds: [
        { color: 0x99aab5, description: "I couldn't find that in the knowledge base. Try other key words, or use `/sources` to see what I know about." },
      ],
      components: [],
      ephemeral: true,
    });
  });

  test("the full passage: linked title, the answer standing out, the file and line", () => {
    const reply = renderPassage(
      result(CODE_TEXT, "```js\nexport default {\n  server: { port: 8080 },\n}\n```", { url: "https://vite.dev/guide/cli#dev-server" }),
      view,
    );
    assert.deepEqual(reply.embeds, [
      {
        color: 0x5865f2,
        title: "Command Line Interface › Dev server",
        url: "https://vite.dev/guide/cli#dev-server",
        description:
          "To set the port, add it to the config file.\n\nvite.config.js:\n➤ **Best match:**\n```js\nexport default {\n  server: { port: 8080 },\n}\n```\n\n`guide/cli.md:17`",
        footer: { text: "Question: how do I set the port?" },
      },
    ]);
  });

  test("/sources tells documents with the same title apart by their path", () => {
    const report = {
      loadedAt: new Date(0),
      durationMs: 1,
      documents: 3,
      passages: 4,
      errors: [],
      skipped: [],
      changes: { added: [], removed: [], changed: [], passagesAdded: 0, passagesRemoved: 0 },
    };
    const reply = renderSources(
      [
        { path: "guide/index.md", title: "Introduction", sections: ["Overview"], passages: 2 },
        { path: "plugins/index.md", title: "Introduction", sections: [], passages: 1 },
        { path: "config/index.md", title: "Configuring `vite`", sections: [], passages: 1 },
      ],
      report,
    );
    assert.equal(
      reply.embeds[0]?.description,
      "**Introduction** `guide/index.md` — 1 section, 2 passages\n**Introduction** `plugins/index.md` — 1 passage\n**Configuring `vite`** — 1 passage\n\n" +
        "3 documents, 4 passages. Last loaded <t:0:f> (<t:0:R>).",
    );
  });
});

describe("inline code and code blocks", () => {
  test("inline code is never escaped, and takes a longer run of backticks when it holds backticks", () => {
    assert.equal(inlineMarkdown("call `deferReply()` then `a_b*c`"), "call `deferReply()` then `a_b*c`");
    assert.equal(codeSpan("a`b"), "``a`b``");
    assert.equal(codeSpan("`x`"), "`` `x` ``");
    // Two backticks would end a double-backtick span, three would open a code block: broken by zero-width spaces.
    assert.equal(codeSpan("a``b```c"), "``a`\u200B`b`\u200B`\u200B`c``");
  });

  test("a code block keeps its language only when Discord would read it, and cannot be ended from inside", () => {
    assert.equal(codeBlock("js", "let a = 1;\n"), "```js\nlet a = 1;\n```");
    assert.equal(codeBlock("weird lang!", "x"), "```\nx\n```");
    assert.equal(codeBlock("md", "```js\nx\n```"), "```md\n`\u200B`\u200B`js\nx\n`\u200B`\u200B`\n```");
  });
});

// ---- Property: any passage renders within limits and stays well-formed ----

const ZWSP = /\u200B/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Inline code as a passage writes it: a backtick run longer than any inside, spaces when it starts or ends with one. */
function passageCode(content: string): string {
  const longest = Math.max(0, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const run = "`".repeat(longest + 1);
  const pad = /^`|`$/.test(content) ? " " : "";
  return `${run}${pad}${content}${pad}${run}`;
}

const nasty = fc.constantFrom(
  "@everyone",
  "@here",
  "<@123456789012345678>",
  "<@&42>",
  "<#1>",
  "[click](https://evil.example)",
  "[x](javascript:alert(1))",
  "**bold**",
  "__u__",
  "||spoiler||",
  "~~s~~",
  "\\",
  "*",
  "_",
  "#",
  ">",
  "-",
  "1.",
  "😀",
  "👍🏽",
  "é",
  "e.g.",
  "https://example.org/a_b(c)",
  "|",
);
const longWord = fc.string({ minLength: 120, maxLength: 400 }).map((s) => s.replace(/[\s`]/g, "x") || "x");
const word = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("the", "server", "port", "config", "Vite", "a", "answer") },
  { weight: 2, arbitrary: nasty },
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 }).map((s) => s.replace(/[\s`]/g, "y")),
  { weight: 1, arbitrary: longWord },
);
const codeContent = fc
  .oneof(
    fc.constantFrom("deferReply()", "a`b", "``x``", "**x**", "a**", "\\n", "<@123>", "@everyone", "a\\b", "`", "[a](b)", "x\\"),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }),
  )
  .map((s) => s.replace(/\s+/g, " ").replace(/\|/g, "/").trim())
  .filter((s) => s.length > 0);

interface Generated {
  text: string;
  /** Every inline code content written into the text. */
  codes: string[];
}

const join = (parts: Generated[], sep: string): Generated => ({ text: parts.map((p) => p.text).join(sep), codes: parts.flatMap((p) => p.codes) });
const plainWord = word.map((text): Generated => ({ text, codes: [] }));
const code = codeContent.map((content): Generated => ({ text: passageCode(content), codes: [content] }));
const sentence = fc.array(fc.oneof({ weight: 5, arbitrary: plainWord }, { weight: 2, arbitrary: code }), { minLength: 1, maxLength: 14 }).map((parts) => {
  const g = join(parts, " ");
  return { ...g, text: `${g.text}.` };
});
const paragraph = fc.array(sentence, { minLength: 1, maxLength: 5 }).map((s) => join(s, " "));
const fenceLine = fc
  .oneof(fc.string({ unit: "grapheme", maxLength: 50 }), fc.constantFrom("  indented **x**", "say ```hi``` now", "<@123> @everyone", "\\`", "\t`a`"))
  .filter((line) => !/^ {0,3}(`{3,}|~{3,})/.test(line) && !line.includes("\n"));
// Languages as passage text writes them (knowledge/fence.ts: [\w+#.-] only), one longer than Discord reads.
const fence = fc
  .tuple(fc.constantFrom("js", "ts", "sh", "", "c++", "language-name-too-long-for-discord"), fc.array(fenceLine, { minLength: 1, maxLength: 12 }), fc.boolean())
  .map(([lang, lines, caption]): Generated => ({ text: `${caption ? "vite.config.js:\n" : ""}\`\`\`${lang}\n${lines.join("\n")}\n\`\`\``, codes: [] }));
const item = fc.tuple(fc.constantFrom("- ", "  - ", "    - ", "1. ", "2. "), sentence).map(([marker, s]) => ({ ...s, text: marker + s.text }));
const list = fc.array(item, { minLength: 1, maxLength: 6 }).map((items) => join(items, "\n"));
const cell = fc
  .array(
    fc.oneof(
      plainWord.map((w) => ({ ...w, text: w.text.replace(/\|/g, "\\|") })),
      code,
    ),
    { minLength: 0, maxLength: 4 },
  )
  .map((parts) => join(parts, " "));
const table = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.array(fc.array(cell, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 6 }))
  .map(([columns, rows]): Generated => {
    const line = (cells: Generated[]) =>
      `| ${cells
        .slice(0, columns)
        .map((c) => c.text)
        .join(" | ")} |`;
    const [header, ...body] = rows as [Generated[], ...Generated[][]];
    const all = [header, ...body].flatMap((r) => r.slice(0, columns));
    return { text: [line(header), `|${" --- |".repeat(columns)}`, ...body.map(line)].join("\n"), codes: all.flatMap((c) => c.codes) };
  });
const passage = fc
  .array(fc.oneof({ weight: 3, arbitrary: paragraph }, fence, list, table), { minLength: 1, maxLength: 6 })
  .chain((blocks) => fc.array(fc.constantFrom("\n\n", "\n\n", "\n"), { minLength: blocks.length, maxLength: blocks.length }).map((seps) => ({ blocks, seps })))
  .map(({ blocks, seps }): Generated => ({ text: blocks.map((b, i) => (i ? seps[i] : "") + b.text).join(""), codes: blocks.flatMap((b) => b.codes) }));
const heading = fc.oneof(plainWord, code, sentence);

const generatedResult = fc
  .record({
    passage,
    title: heading,
    section: fc.array(heading, { maxLength: 3 }),
    a: fc.nat(),
    b: fc.nat(),
    url: fc.constantFrom(undefined, "https://example.org/doc_(1)#x", "javascript:alert(1)"),
  })
  .map(({ passage: p, title, section, a, b, url }) => {
    const { text } = p;
    const start = a % text.length;
    const end = start + (b % (text.length - start + 1));
    const answer = text.slice(start, end).trim() ? text.slice(start, end) : text;
    const source: PassageSource = {
      path: "docs/a_b.md",
      title: title.text || "T",
      section: section.map((s) => s.text),
      passage: 1,
      line: 1 + (a % 900),
      ...(url ? { url } : {}),
    };
    const r: AnswerResult = { key: "k", text, answer, answerKind: "sentence", answerStart: answer === text ? 0 : start, score: 1, source, highlights: [] };
    return { result: r, codes: [...p.codes, ...title.codes, ...section.flatMap((s) => s.codes), `docs/a_b.md:${source.line}`, "docs/a_b.md"] };
  });

/**
 * Reads Discord Markdown as Discord does, as far as the property needs: escapes, code blocks (``` anywhere),
 * inline code by simple-markdown's rule, bold markers. Returns the inline code contents as shown, the text
 * outside code, and whether code blocks and bold are balanced.
 */
function readDiscord(markdown: string): { codes: string[]; outside: string; fences: number; bold: number } {
  const codes: string[] = [];
  let outside = "";
  let fences = 0;
  let bold = 0;
  for (let i = 0; i < markdown.length;) {
    if (fences % 2 === 1) {
      if (markdown.startsWith("```", i)) {
        fences++;
        i += 3;
      } else i++;
      continue;
    }
    if (markdown[i] === "\\" && i + 1 < markdown.length) {
      outside += markdown.slice(i, i + 2);
      i += 2;
    } else if (markdown.startsWith("```", i)) {
      fences++;
      i += 3;
    } else if (markdown.startsWith("**", i)) {
      bold++;
      i += 2;
    } else if (markdown[i] === "`") {
      const span = /^(`+)([\s\S]*?[^`])\1(?!`)/.exec(markdown.slice(i));
      if (!span) {
        outside += "`";
        i++;
        continue;
      }
      codes.push((span[2] ?? "").replace(/^ (?= *`)|(` *) $/g, "$1").replace(ZWSP, ""));
      i += span[0].length;
    } else outside += markdown[i++];
  }
  return { codes, outside, fences, bold };
}

type Node = { type: string; content?: unknown; target?: string };

/** A second reading, by discord-markdown-parser (simple-markdown with Discord's rules, as embeds use them). */
function discordNodes(markdown: string): Node[] {
  const out: Node[] = [];
  const walk = (nodes: unknown) => {
    if (!Array.isArray(nodes)) return;
    for (const node of nodes as Node[]) {
      out.push(node);
      if (node.type !== "inlineCode" && node.type !== "codeBlock") walk(node.content);
    }
  };
  walk(parseDiscord(markdown, "extended"));
  return out;
}

function markdownPlaces(reply: ReturnType<typeof renderAnswer>): string[] {
  return reply.embeds.flatMap((embed) => [embed.title ?? "", embed.description ?? "", ...(embed.fields ?? []).flatMap((field) => [field.name, field.value])]);
}

function assertWellFormed(reply: ReturnType<typeof renderAnswer>, codes: Set<string>): void {
  assert.deepEqual(messageLimitViolations(reply), []);
  assert.deepEqual(messageProblems({ embeds: reply.embeds, components: reply.components, allowed_mentions: { parse: [] } }, { strictMentions: false }), []);
  for (const text of [...markdownPlaces(reply), ...reply.embeds.map((embed) => embed.footer?.text ?? "")]) {
    assert.ok(!LONE_SURROGATE.test(text), `no half of a surrogate pair in ${JSON.stringify(text)}`);
  }
  for (const text of markdownPlaces(reply)) {
    const read = readDiscord(text);
    assert.equal(read.fences % 2, 0, `code blocks are closed in ${JSON.stringify(text)}`);
    assert.equal(read.bold % 2, 0, `bold is closed in ${JSON.stringify(text)}`);
    for (const shown of read.codes) assert.ok(codes.has(shown), `inline code ${JSON.stringify(shown)} is shown as written, in ${JSON.stringify(text)}`);
    const live = read.outside.replace(/\[open\]\(https:\/\/[^)\s]+\)/g, "");
    assert.ok(!/(?<!\\)<[@#]/.test(live), `no mention outside code in ${JSON.stringify(text)}`);
    assert.ok(!/@(everyone|here)/i.test(live), `no mass mention outside code in ${JSON.stringify(text)}`);
    assert.ok(!/(?<!\\)\[[^\]]*(?<!\\)\]\(/.test(live), `no masked link but our own in ${JSON.stringify(text)}`);
    for (const node of discordNodes(text)) {
      assert.ok(
        ![
          "user",
          "role",
          "channel",
          "everyone",
          "here",
          "slashCommand",
          "guildNavigation",
          "timestamp",
          "heading",
          "subtext",
          "blockQuote",
          "spoiler",
        ].includes(node.type),
        `Discord reads a ${node.type} in ${JSON.stringify(text)}`,
      );
      if (node.type === "link" || node.type === "url" || node.type === "autolink")
        assert.match(String(node.target), /^https?:\/\//, `only http(s) links, in ${JSON.stringify(text)}`);
      if (node.type === "inlineCode")
        assert.ok(
          codes.has(String(node.content).replace(ZWSP, "")),
          `Discord shows inline code ${JSON.stringify(node.content)} as written, in ${JSON.stringify(text)}`,
        );
    }
  }
}

describe("any passage renders well-formed", () => {
  test("property: answers, closest matches and full passages stay within Discord's limits, with code as written and nothing live", () => {
    fc.assert(
      fc.property(fc.array(generatedResult, { minLength: 1, maxLength: 4 }), fc.boolean(), (generated, unsure) => {
        const results = generated.map((g, i) => ({ ...g.result, key: `k${i}` }));
        const codes = new Set(generated.flatMap((g) => g.codes));
        const answer: Answer = unsure
          ? { question: "q", answered: false, reason: "unsure", confidence: 0.2, results }
          : { question: "q", answered: true, confidence: 1, results };
        assertWellFormed(renderAnswer(answer, view), codes);
        assertWellFormed(renderPassage(results[0] as AnswerResult, view), codes);
      }),
      { numRuns: 200 },
    );
  });
});
