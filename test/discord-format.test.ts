/**
 * The pure parts of the Discord adapter: truncation, escaping, payload fitting, button ids, rendering,
 * conversation memory and rate limiting. Property tests cover the helpers every outgoing string passes.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import type { Answer, AnswerResult } from "../src/answer/types.ts";
import { decodeButton, encodeButton, type ButtonAction } from "../src/discord/custom-id.ts";
import { escapeMarkdown, excerpt, neutralisePlain, restorePlain, safeUrl } from "../src/discord/markdown.ts";
import { PAGE_SIZE, footerFor, parseFooter, renderAnswer, renderLoadReport, renderSources, toChoices } from "../src/discord/format.ts";
import { LIMITS, embedLength, fitEmbeds, messageLimitViolations, truncate, type EmbedLike } from "../src/discord/limits.ts";
import { ConversationMemory, RateLimiter } from "../src/discord/state.ts";
import { messageProblems } from "./support/discord-limits-check.ts";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Discord's reading of escapes: a backslash before punctuation shows the punctuation; ZWSP shows nothing. */
function rendered(escaped: string): string {
  return escaped.replace(/\\([^A-Za-z0-9\s])/g, "$1").replace(/@\u200B/g, "@");
}

/** Whether the character at `index` is preceded by an odd number of backslashes (so it is escaped). */
function escapedAt(text: string, index: number): boolean {
  let slashes = 0;
  for (let i = index - 1; i >= 0 && text[i] === "\\"; i--) slashes++;
  return slashes % 2 === 1;
}

// Text rich in Discord syntax; no backticks (code blocks are kept verbatim on purpose) and no URLs (kept raw).
const markdownish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "*",
        "**",
        "_",
        "__",
        "~~",
        "||",
        "\\",
        "<",
        ">",
        "[",
        "]",
        "(",
        ")",
        "#",
        "-",
        "+",
        "1.",
        "@everyone",
        "@here",
        "<@123456789012345678>",
        "<@&42>",
        "<#1>",
        "\n",
        " ",
        "> ",
        "😀",
        "é",
      ),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) =>
    parts
      .join("")
      .replace(/`/g, "'")
      .replace(/https?:\/\//g, "h://"),
  );

describe("truncate", () => {
  test("returns text that fits unchanged", () => {
    assert.equal(truncate("hello world", 20), "hello world");
  });

  test("cuts at a word boundary and closes bold it leaves open", () => {
    assert.equal(truncate("**bold text here**", 10), "**bold…**");
  });

  test("never splits a backslash escape", () => {
    assert.equal(truncate("ab\\*cd", 4), "ab…");
  });

  test("never splits a surrogate pair", () => {
    assert.equal(truncate("😀😀😀", 5), "😀😀…");
  });

  test("closes a code block the cut leaves open", () => {
    assert.equal(truncate("```sh\nline1\nline2\n```", 15), "```sh\nline…\n```");
  });

  test("never cuts inside inline code", () => {
    assert.equal(truncate("see `deferReply()` now", 14), "see…");
    assert.equal(truncate("see ``a`b`` now and more", 15), "see ``a`b``…");
  });

  test("a fence opened mid-line is a fence too, and is closed after a cut", () => {
    assert.equal(truncate("x ```js\nconst a = 1;\nconst b = 2;\n```", 25), "x ```js\nconst a = 1;…\n```");
  });

  test("keeping the end puts the ellipsis first", () => {
    assert.equal(truncate("one two three four", 11, { keep: "end", markdown: false }), "…three four");
  });

  test("plain text treats asterisks as text", () => {
    assert.equal(truncate("**abc def", 6, { markdown: false }), "**abc…");
  });

  test("property: the result never exceeds the limit and stays well-formed", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 300 }),
        fc.integer({ min: 0, max: 320 }),
        fc.boolean(),
        fc.boolean(),
        (text, max, markdown, keepEnd) => {
          const out = truncate(text, max, { markdown, keep: keepEnd ? "end" : "start" });
          assert.ok(out.length <= max, `${out.length} > ${max}`);
          if (text.length <= max) assert.equal(out, text);
          if (!LONE_SURROGATE.test(text)) assert.ok(!LONE_SURROGATE.test(out));
        },
      ),
    );
  });

  test("property: cutting escaped text yields a prefix that ends on a whole escape", () => {
    fc.assert(
      fc.property(markdownish, fc.integer({ min: 1, max: 200 }), (text, max) => {
        const escaped = escapeMarkdown(text);
        const out = truncate(escaped, max);
        if (escaped.length <= max) return;
        assert.ok(out.endsWith("…"));
        const kept = out.slice(0, -1);
        assert.ok(escaped.startsWith(kept));
        assert.ok(!escapedAt(out, out.length - 1), "the ellipsis is not swallowed by a dangling backslash");
      }),
    );
  });

  test("property: bold stays balanced after a cut", () => {
    fc.assert(
      fc.property(markdownish, markdownish, markdownish, fc.integer({ min: 1, max: 150 }), (before, answer, after, max) => {
        const text = `${escapeMarkdown(before)}**${escapeMarkdown(answer) || "x"}**${escapeMarkdown(after)}`;
        const out = truncate(text, max);
        let markers = 0;
        for (let i = 0; i < out.length; i++) {
          if (out[i] === "\\") i++;
          else if (out.startsWith("**", i)) {
            markers++;
            i++;
          }
        }
        assert.equal(markers % 2, 0, out);
      }),
    );
  });
});

describe("escapeMarkdown", () => {
  test("neutralises mentions, masked links, spoilers and headings", () => {
    assert.equal(
      escapeMarkdown("# Title\n@everyone see [this](https://evil.example) <@&42> ||x|| 1. ok"),
      "\\# Title\n@\u200Beveryone see \\[this\\](https://evil.example) \\<@&42\\> \\|\\|x\\|\\| 1. ok",
    );
  });

  test("keeps bare links clickable and makes backticks literal", () => {
    assert.equal(escapeMarkdown("see https://example.org/a_b_c and **x**"), "see https://example.org/a_b_c and \\*\\*x\\*\\*");
    assert.equal(escapeMarkdown("run `x`"), "run \\`x\\`");
  });

  test("escapes ordered list and subtext markers at line starts", () => {
    assert.equal(escapeMarkdown("1. first\n-# small\n+ plus"), "1\\. first\n\\-# small\n\\+ plus");
  });

  test("property: renders as exactly the input text", () => {
    fc.assert(
      fc.property(markdownish, (text) => {
        assert.equal(rendered(escapeMarkdown(text)), text.replace(/\r\n?/g, "\n"));
      }),
    );
  });

  test("property: leaves no live markup character and no mass mention", () => {
    fc.assert(
      fc.property(markdownish, (text) => {
        const out = escapeMarkdown(text);
        assert.ok(!/@(everyone|here)/i.test(out));
        for (let i = 0; i < out.length; i++) {
          if ("*_~|<>[]".includes(out[i] as string)) assert.ok(escapedAt(out, i), `unescaped ${out[i]} at ${i} in ${JSON.stringify(out)}`);
        }
      }),
    );
  });

  test("property: plain-text neutralising is reversible and never shows a mention", () => {
    fc.assert(
      fc.property(
        markdownish.map((text) => text.replace(/\u200B/g, "")),
        (text) => {
          const out = neutralisePlain(text);
          assert.ok(!/@(everyone|here)|<[@#]/i.test(out));
          assert.equal(restorePlain(out), text.replace(/\r\n?|\n/g, " "));
        },
      ),
    );
  });

  test("only absolute http(s) URLs are used as links", () => {
    assert.equal(safeUrl("https://example.org/x#y"), "https://example.org/x#y");
    assert.equal(safeUrl("javascript:alert(1)"), undefined);
    assert.equal(safeUrl("docs/page.md"), undefined);
    assert.equal(safeUrl(undefined), undefined);
  });
});

describe("fitEmbeds", () => {
  const longText = fc.string({ unit: "grapheme", maxLength: 7000 });
  const embed = fc.record({
    title: fc.option(longText, { nil: undefined }),
    description: fc.option(longText, { nil: undefined }),
    fields: fc.option(
      fc.array(fc.record({ name: fc.string({ minLength: 1, maxLength: 400 }), value: fc.string({ minLength: 1, maxLength: 2000 }) }), { maxLength: 30 }),
      { nil: undefined },
    ),
    footer: fc.option(fc.record({ text: longText }), { nil: undefined }),
  });

  test("property: any embeds come out within every Discord limit", () => {
    fc.assert(
      fc.property(fc.array(embed, { maxLength: 12 }), (embeds) => {
        const clean = embeds.map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as EmbedLike);
        const fitted = fitEmbeds(clean);
        assert.deepEqual(messageLimitViolations({ embeds: fitted }), []);
        const independent = messageProblems({ embeds: fitted, allowed_mentions: { parse: [] } }, { strictMentions: false }).filter(
          (p) => !/field \d+ (name|value) has 0/.test(p),
        );
        assert.deepEqual(independent, []);
      }),
      { numRuns: 60 },
    );
  });

  test("leaves embeds that fit untouched", () => {
    const embeds = [{ title: "t", description: "d", fields: [{ name: "n", value: "v" }], footer: { text: "f" } }];
    assert.deepEqual(fitEmbeds(embeds), embeds);
    assert.equal(embedLength(embeds[0] as EmbedLike), 5);
  });
});

describe("button custom ids", () => {
  const snowflake = fc.bigInt({ min: 10n ** 16n, max: 2n ** 64n - 1n }).map(String);
  const action: fc.Arbitrary<ButtonAction> = fc.oneof(
    fc.record({ kind: fc.constant("page" as const), offset: fc.integer({ min: 0, max: 10_000 }), askerId: snowflake }),
    fc.record({
      kind: fc.constant("full" as const),
      key: fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/),
      offset: fc.integer({ min: 0, max: 10_000 }),
      askerId: snowflake,
    }),
  );

  test("property: every action survives the round trip in at most 100 characters", () => {
    fc.assert(
      fc.property(action, (a) => {
        const id = encodeButton(a);
        assert.ok(id.length <= LIMITS.customId);
        assert.deepEqual(decodeButton(id), { ...a });
      }),
    );
  });

  test("property: decoding never throws on foreign ids", () => {
    fc.assert(fc.property(fc.string({ maxLength: 100 }), (id) => void decodeButton(id)));
  });

  test("reads the exact formats", () => {
    assert.equal(encodeButton({ kind: "page", offset: 3, askerId: "1200000000000000001" }), "kb1:page:3:1200000000000000001");
    assert.equal(encodeButton({ kind: "full", key: "ZNMl9m4SbgHS", offset: 0, askerId: "1200000000000000001" }), "kb1:full:0:ZNMl9m4SbgHS:1200000000000000001");
    assert.equal(decodeButton("kb1:page:-1:1"), undefined);
    assert.equal(decodeButton("kb1:full:0:bad key:1"), undefined);
  });
});

describe("footer state", () => {
  test("property: the question and its context come back from the footer", () => {
    const line = markdownish
      .map((text) =>
        text
          .replace(/\s+/g, " ")
          .replace(/\u200B/g, "")
          .trim(),
      )
      .filter((text) => text.length > 0 && text.length <= 300);
    fc.assert(
      fc.property(line, fc.option(line, { nil: undefined }), (question, context) => {
        const text = footerFor(context ? { question, context } : { question }, "Result 1");
        assert.ok(!/@(everyone|here)/i.test(text));
        assert.deepEqual(parseFooter(text), context ? { question, context } : { question });
      }),
    );
  });

  test("is not fooled by other footers", () => {
    assert.equal(parseFooter("Powered by something"), undefined);
    assert.equal(parseFooter(undefined), undefined);
  });
});

function result(text: string, answer: string, overrides: Partial<AnswerResult> = {}): AnswerResult {
  return {
    key: "k1",
    text,
    answer,
    answerKind: "sentence",
    answerStart: text.indexOf(answer),
    score: 1,
    source: { path: "doc.md", title: "Doc", section: ["Doc", "Part"], passage: 1, line: 1 },
    highlights: [],
    ...overrides,
  };
}

describe("renderAnswer", () => {
  const view = { askerId: "1200000000000000001", offset: 0, state: { question: "q" }, ephemeral: false };

  test("a long passage shows the bold answer from its start, then as much of what follows as fits, and offers the full passage", () => {
    const before = "lead ".repeat(400);
    const after = " tail".repeat(400);
    const answerText = "The answer is here.";
    const reply = renderAnswer({ question: "q", answered: true, confidence: 1, results: [result(before + answerText + after, answerText)] }, view);
    const description = String(reply.embeds[0]?.description);
    assert.ok(description.startsWith("**The answer is here.** tail tail"), "no context from the middle of the sentence before");
    assert.ok(description.endsWith(" tail…\n\n**Doc › Part** · `doc.md:1`"));
    assert.ok(description.length < 600);
    assert.deepEqual(messageLimitViolations(reply), []);
    assert.deepEqual(
      reply.components.flatMap((row) => row.components.map((button) => button.label)),
      ["Show full passage"],
    );
  });

  test("context before the answer starts where a sentence starts", () => {
    const text =
      "A first sentence that is long enough to be left out when the budget is short, " + "really ".repeat(40) + "long. Short one. The answer is here. After.";
    const reply = renderAnswer({ question: "q", answered: true, confidence: 1, results: [result(text, "The answer is here.")] }, view);
    assert.equal(reply.embeds[0]?.description, "Short one. **The answer is here.** After.\n\n**Doc › Part** · `doc.md:1`");
  });

  test("a wrong answerStart still bolds the answer where it really is", () => {
    const reply = renderAnswer({ question: "q", answered: true, confidence: 1, results: [result("One. Two. Three.", "Two.", { answerStart: 0 })] }, view);
    assert.equal(reply.embeds[0]?.description, "One. **Two.** Three.\n\n**Doc › Part** · `doc.md:1`");
  });

  test("shows one page of results and offers more when the engine found more; only http(s) links", () => {
    const results = Array.from({ length: PAGE_SIZE + 1 }, (_, i) =>
      result(`Passage ${i}.`, `Passage ${i}.`, {
        key: `k${i}`,
        source: { path: "d.md", title: "D", section: [], passage: i + 1, line: i + 1, url: "javascript:alert(1)" },
      }),
    );
    const reply = renderAnswer({ question: "q", answered: true, confidence: 1, results } satisfies Answer, view);
    assert.deepEqual(reply.embeds[0], {
      color: 5793266,
      description: "**Passage 0.**\n\n1. **D** · `d.md:1`",
      fields: [
        { name: "2. D", value: "Passage 1.\n`d.md:2`" },
        { name: "3. D", value: "Passage 2.\n`d.md:3`" },
      ],
      footer: { text: "Question: q\nResults 1–3" },
    });
    assert.deepEqual(reply.components, [{ type: 1, components: [{ type: 2, style: 1, label: "More results", custom_id: "kb1:page:3:1200000000000000001" }] }]);
  });

  test("passages at every size render within Discord's limits", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: "grapheme", maxLength: 8000 }), fc.nat(), fc.nat()), { minLength: 1, maxLength: 4 }),
        markdownish,
        (parts, question) => {
          const results = parts.map(([text, a, b], i) => {
            const start = text.length ? a % text.length : 0;
            const end = Math.min(text.length, start + (b % 2000));
            return result(text, text.slice(start, end), {
              key: `k${i}`,
              answerStart: start,
              source: { path: "x.md", title: question || "T", section: [question], passage: i + 1, line: 1 },
            });
          });
          const reply = renderAnswer(
            { question, answered: true, confidence: 1, results },
            { ...view, state: { question: question || "q", context: question } },
          );
          assert.deepEqual(messageLimitViolations(reply), []);
          assert.deepEqual(
            messageProblems({ embeds: reply.embeds, components: reply.components, allowed_mentions: { parse: [] } }, { strictMentions: false }),
            [],
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("other replies", () => {
  test("sources list every document until the space runs out", () => {
    const sources = Array.from({ length: 300 }, (_, i) => ({ path: `d${i}.md`, title: `Document number ${i}`, sections: ["A"], passages: 2 }));
    const report = {
      loadedAt: new Date(0),
      durationMs: 1,
      documents: 300,
      passages: 600,
      errors: [],
      skipped: [],
      changes: { added: [], removed: [], changed: [], passagesAdded: 0, passagesRemoved: 0 },
    };
    const reply = renderSources(sources, report);
    const description = String(reply.embeds[0]?.description);
    assert.ok(description.startsWith("**Document number 0** — 1 section, 2 passages\n"));
    assert.match(description, /\n…and \d+ more\n\n300 documents, 600 passages\. Last loaded <t:0:f> \(<t:0:R>\)\.$/);
    assert.equal(reply.ephemeral, true);
    assert.deepEqual(messageLimitViolations(reply), []);
  });

  test("sources say what the last reload changed, but not on the first load", () => {
    const sources = [{ path: "a.md", title: "A", sections: [], passages: 2 }];
    const base = { loadedAt: new Date(0), durationMs: 1, documents: 1, passages: 2, errors: [], skipped: [] };
    const reloaded = renderSources(sources, { ...base, changes: { added: [], removed: ["old.md"], changed: ["a.md"], passagesAdded: 1, passagesRemoved: 4 } });
    assert.equal(
      reloaded.embeds[0]?.description,
      "**A** — 2 passages\n\n1 document, 2 passages. Last loaded <t:0:f> (<t:0:R>). Changes in that load: documents 1 changed, 1 removed; passages +1 −4.",
    );
    const first = renderSources(sources, { ...base, changes: { added: ["a.md"], removed: [], changed: [], passagesAdded: 2, passagesRemoved: 0 } });
    assert.equal(first.embeds[0]?.description, "**A** — 2 passages\n\n1 document, 2 passages. Last loaded <t:0:f> (<t:0:R>).");
  });

  test("a load report names the files that failed", () => {
    const reply = renderLoadReport({
      loadedAt: new Date(0),
      durationMs: 12.4,
      documents: 2,
      passages: 5,
      errors: [{ path: "bad_file.md", reason: "not UTF-8" }],
      skipped: [],
      changes: { added: ["new.md"], removed: [], changed: [], passagesAdded: 3, passagesRemoved: 1 },
    });
    assert.deepEqual(reply.embeds[0], {
      color: 15548997,
      title: "Knowledge reloaded",
      description: "Loaded 2 documents and 5 passages in 12 ms.\nPassages added: 3, removed: 1.\nDocuments added: new.md",
      fields: [{ name: "Errors (1)", value: "**bad\\_file.md**: not UTF-8" }],
    });
  });

  test("property: autocomplete choices are unique and within limits", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 300 }), { maxLength: 60 }), (suggestions) => {
        const choices = toChoices(suggestions);
        assert.ok(choices.length <= 25);
        assert.equal(new Set(choices.map((choice) => choice.value)).size, choices.length);
        for (const choice of choices) {
          assert.ok(choice.name.length >= 1 && choice.name.length <= 100);
          assert.ok(choice.value.length >= 1 && choice.value.length <= 100);
        }
      }),
    );
  });

  test("a choice that mentions everyone is shown neutralised but asks the words typed", () => {
    assert.deepEqual(toChoices(["ping @everyone now", "  ", "ping @everyone now"]), [{ name: "ping @\u200Beveryone now", value: "ping @everyone now" }]);
  });
});

describe("conversation memory and rate limit", () => {
  test("the previous question expires after its time", () => {
    let now = 0;
    const memory = new ConversationMemory({ ttlMs: 1000, now: () => now });
    memory.set("c:u", "who built it?");
    now = 1000;
    assert.equal(memory.get("c:u"), "who built it?");
    now = 1001;
    assert.equal(memory.get("c:u"), undefined);
  });

  test("the least recently used conversation is forgotten first", () => {
    const memory = new ConversationMemory({ maxEntries: 2 });
    memory.set("a", "1");
    memory.set("b", "2");
    memory.set("a", "3");
    memory.set("c", "4");
    assert.deepEqual([memory.get("a"), memory.get("b"), memory.get("c")], ["3", undefined, "4"]);
    assert.equal(memory.size, 2);
  });

  test("the rate limit refuses past the limit, says so once, and frees up after the window", () => {
    let now = 0;
    const limiter = new RateLimiter({ limit: 2, windowMs: 10_000, now: () => now });
    assert.deepEqual(limiter.take("u"), { allowed: true });
    now = 4000;
    assert.deepEqual(limiter.take("u"), { allowed: true });
    now = 5000;
    assert.deepEqual(limiter.take("u"), { allowed: false, retryAfterMs: 5000, firstRefusal: true });
    assert.deepEqual(limiter.take("u"), { allowed: false, retryAfterMs: 5000, firstRefusal: false });
    assert.deepEqual(limiter.take("someone else"), { allowed: true });
    now = 10_000;
    assert.deepEqual(limiter.take("u"), { allowed: true });
  });

  test("a limit of 0 turns rate limiting off", () => {
    const limiter = new RateLimiter({ limit: 0, windowMs: 1000 });
    for (let i = 0; i < 100; i++) assert.deepEqual(limiter.take("u"), { allowed: true });
  });
});

describe("excerpt", () => {
  test("labels a code block that is the answer instead of bolding it", () => {
    const text = "Run:\n\n```sh\nlamp-check\n```";
    assert.deepEqual(excerpt(result(text, "```sh\nlamp-check\n```"), { before: 300, answer: 900, after: 500 }), {
      text: "Run:\n\n➤ **Answer:**\n```sh\nlamp-check\n```",
      partial: false,
    });
  });
});
