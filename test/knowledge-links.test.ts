/**
 * Document links (front matter `url`) come from the document's author: a masked-link payload must never
 * become a link. Checked at load (the url is dropped, with a warning naming the file) and again where
 * links are rendered (a url that reaches the renderer some other way still makes no link).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, test, type TestContext } from "node:test";
import fc from "fast-check";
import type { LoadReport, SourceSummary } from "../src/answer/engine.ts";
import type { Answer } from "../src/answer/types.ts";
import { citationLine, renderAnswer, renderPassage, renderSources } from "../src/discord/format.ts";
import { loadKnowledge } from "../src/knowledge/load.ts";
import type { PassageSource } from "../src/knowledge/types.ts";
import { linkTarget } from "../src/knowledge/url.ts";
import { createLogger } from "../src/log.ts";

const PAYLOAD = "https://docs.example.com/guide)[Verify your account here](https://evil.example/login";

/** Every Markdown link `[label](target)` in rendered text. */
function links(text: string): { label: string; target: string }[] {
  return [...text.matchAll(/(?<!\\)\[([^\]]*)\]\(([^)]*)\)/g)].map((m) => ({ label: m[1] ?? "", target: m[2] ?? "" }));
}

async function folder(t: TestContext, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "kb-links-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

describe("linkTarget", () => {
  test("keeps absolute http(s) URLs, re-serialised, with parentheses encoded", () => {
    assert.equal(linkTarget("https://example.org/x#y"), "https://example.org/x#y");
    assert.equal(linkTarget("  HTTPS://Docs.Example.com  "), "https://docs.example.com/");
    assert.equal(linkTarget("http://127.0.0.1:8080/a?b=c"), "http://127.0.0.1:8080/a?b=c");
    assert.equal(linkTarget("https://[::1]/docs"), "https://[::1]/docs");
    assert.equal(linkTarget("https://en.wikipedia.org/wiki/Rust_(programming_language)"), "https://en.wikipedia.org/wiki/Rust_%28programming_language%29");
    assert.equal(linkTarget("https://müller.example/straße"), "https://xn--mller-kva.example/stra%C3%9Fe");
  });

  test("drops everything else", () => {
    for (const bad of [
      PAYLOAD,
      "https://docs.example.com/guide)[Verify](https://evil.example/login",
      "https://docs.example.com/a[b]c",
      "https://docs.example.com)[x](https://evil.example",
      "https://user:password@docs.example.com/",
      "https://docs.example.com/@everyone <@123>",
      "https://docs.example.com/a\\b",
      "https://docs.example.com/a\nb",
      "https://docs.example.com/a|b",
      "https://docs.example.com/a>b",
      "javascript:alert(1)",
      "data:text/html,hi",
      "ftp://example.org/file",
      "docs/page.md",
      "//evil.example/x",
      "",
      `https://example.org/${"a".repeat(600)}`,
      42,
      undefined,
    ]) {
      assert.equal(linkTarget(bad), undefined, JSON.stringify(bad));
    }
  });

  test("whatever the input, a kept link has no character that could end or open a Markdown link", () => {
    const urlish = fc.oneof(
      fc.string(),
      fc.webUrl({ withFragments: true, withQueryParameters: true }),
      fc.tuple(fc.webUrl(), fc.string(), fc.webUrl()).map(([a, label, b]) => `${a})[${label}](${b}`),
    );
    fc.assert(
      fc.property(urlish, (raw) => {
        const kept = linkTarget(raw);
        if (kept === undefined) return;
        assert.match(kept, /^https?:\/\/[^\s()[\]<>"`|\\]+$/);
        assert.equal(linkTarget(kept), kept, "a kept link is kept as it is");
      }),
      { numRuns: 2000 },
    );
  });
});

describe("front matter url", () => {
  test("a masked-link payload is dropped at load with a warning naming the file; a good url gets section anchors", async (t) => {
    const dir = await folder(t, {
      "evil.md": `---\ntitle: Guide\nurl: "${PAYLOAD}"\n---\n# Guide\n\n## Setup\n\nRun the installer and follow the steps on the screen to set the tool up.\n`,
      "good.md":
        "---\nurl: https://docs.example.com/guide\n---\n# Guide\n\n## Setup\n\nRun the installer and follow the steps on the screen to set the tool up.\n",
    });
    const lines: string[] = [];
    const set = await loadKnowledge(dir, { logger: createLogger("debug", (line) => lines.push(line)) });
    const [evil, good] = set.documents;
    assert.equal(evil?.url, undefined);
    assert.deepEqual(
      evil?.passages.map((p) => p.source.url),
      [undefined],
    );
    assert.equal(good?.url, "https://docs.example.com/guide");
    assert.deepEqual(
      good?.passages.map((p) => p.source.url),
      ["https://docs.example.com/guide#setup"],
    );
    assert.deepEqual(
      lines.map((line) => line.replace(/^\S+ /, "")),
      [`WARN  knowledge: evil.md: front matter url dropped: Expected an absolute http(s) URL, got ${JSON.stringify(PAYLOAD)}`],
    );
  });

  test("a url that reaches the renderer unchecked still makes no link, in citations, passages or /sources", () => {
    const source: PassageSource = { path: "evil.md", title: "Guide", section: ["Setup"], passage: 1, line: 5, url: PAYLOAD };
    assert.equal(citationLine(source), "**Guide › Setup** · `evil.md:5`");
    const result = {
      key: "k1",
      text: "Run the installer.",
      answer: "Run the installer.",
      answerKind: "sentence" as const,
      answerStart: 0,
      score: 1,
      source,
      highlights: [],
    };
    const answer: Answer = { question: "setup", answered: true, confidence: 1, results: [result] };
    const view = { askerId: "1200000000000000001", offset: 0, state: { question: "setup" }, ephemeral: false };
    const shown = [renderAnswer(answer, view), renderPassage(result, view)].flatMap((reply) => reply.embeds);
    for (const embed of shown) {
      assert.equal(embed.url, undefined);
      assert.deepEqual(links(embed.description ?? ""), []);
    }
    const summary: SourceSummary = { path: "evil.md", title: "Guide", url: PAYLOAD, sections: ["Setup"], passages: 1 };
    const lastLoad: LoadReport = {
      durationMs: 1,
      documents: 1,
      passages: 1,
      errors: [],
      skipped: [],
      changes: { added: ["evil.md"], removed: [], changed: [], passagesAdded: 1, passagesRemoved: 0 },
      loadedAt: new Date(0),
    };
    const description = renderSources([summary], lastLoad).embeds[0]?.description ?? "";
    assert.deepEqual(links(description), []);
    assert.ok(description.startsWith("**Guide** — 1 section, 1 passage\n"), description);
  });
});
