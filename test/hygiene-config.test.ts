/**
 * The hygiene check's settings: `.hygiene.json` globs (picomatch), and on/off values read the same
 * way from the environment, from front matter and from `.hygiene.json` (src/settings.ts).
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ConfigError, parseConfig } from "../src/config.ts";
import { frontMatterHygiene, hygieneCleaner } from "../src/knowledge/clean.ts";
import { patternMatches, readHygieneConfig, readHygienePatterns } from "../src/knowledge/hygiene-config.ts";
import { loadKnowledge } from "../src/knowledge/load.ts";
import type { LoadIssue } from "../src/knowledge/types.ts";
import { DEFAULT_TUNING, tuningWith } from "../src/knowledge/hygiene/index.ts";
import { parseBoolean } from "../src/settings.ts";

async function withFolder(files: Record<string, string>, run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "hygiene-config-"));
  try {
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("hygiene settings: globs in .hygiene.json", () => {
  it("matches ?, {a,b} and [ab] like a shell, which the hand-written matcher did not", () => {
    assert.equal(patternMatches("news/a?.txt", "news/a1.txt"), true);
    assert.equal(patternMatches("news/a?.txt", "news/a12.txt"), false);
    assert.equal(patternMatches("{news,blog}/*.txt", "blog/x.txt"), true);
    assert.equal(patternMatches("{news,blog}/*.txt", "docs/x.txt"), false);
    assert.equal(patternMatches("news/[ab].txt", "news/b.txt"), true);
    assert.equal(patternMatches("news/[ab].txt", "news/c.txt"), false);
  });

  it("keeps its own conventions: * within a folder, ** at any depth, a trailing / for a whole folder, a leading ./ ignored", async () => {
    assert.equal(patternMatches("*.txt", "a.txt"), true);
    assert.equal(patternMatches("*.txt", "news/a.txt"), false);
    assert.equal(patternMatches("**/b.txt", "b.txt"), true);
    assert.equal(patternMatches("**/b.txt", "x/y/b.txt"), true);
    assert.equal(patternMatches("stories/", "stories/deep/b.txt"), true);
    assert.equal(patternMatches("stories/", "storiesx/b.txt"), false);
    await withFolder({ "news/a.txt": "A.\n", ".hygiene.json": JSON.stringify({ "./news/a.txt": { hygiene: "off" } }) }, async (dir) => {
      assert.deepEqual(await readHygieneConfig(dir), { "news/a.txt": { disabled: true } });
    });
  });

  it("resolves every glob form against the folder's files", async () => {
    const files = { "news/a1.txt": "A.\n", "news/b.txt": "B.\n", "blog/c.md": "C.\n", "docs/d.md": "D.\n" };
    const config = { "news/a?.txt": { keep: ["one"] }, "{blog,docs}/*.md": { hygiene: "no" }, "docs/[d].md": { keep: "two" } };
    await withFolder({ ...files, ".hygiene.json": JSON.stringify(config) }, async (dir) => {
      assert.deepEqual(await readHygieneConfig(dir), {
        "blog/c.md": { disabled: true },
        "docs/d.md": { disabled: true, keep: ["two"] },
        "news/a1.txt": { keep: ["one"] },
      });
    });
  });
});

describe("hygiene settings: one reading of on/off everywhere", () => {
  const ON = ["true", "yes", "on", "1", " On ", "YES", true, 1];
  const OFF = ["false", "no", "off", "0", "Off", "NO", false, 0];

  it("reads the same spellings as true and false", () => {
    for (const value of ON) assert.equal(parseBoolean(value), true, JSON.stringify(value));
    for (const value of OFF) assert.equal(parseBoolean(value), false, JSON.stringify(value));
    for (const value of ["sometimes", "", "2", 2, null, [], {}]) assert.equal(parseBoolean(value), undefined, JSON.stringify(value));
  });

  it("gives the environment, front matter and .hygiene.json the same answer for any text", async () => {
    await withFolder({ "a.txt": "A.\n" }, async (dir) => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.constantFrom(...ON, ...OFF).map(String), fc.string({ maxLength: 6 })), async (value) => {
          const expected = parseBoolean(value);
          let env: boolean | undefined;
          try {
            env = parseConfig({ WATCH_KNOWLEDGE: value }, dir).watchKnowledge;
          } catch (error) {
            assert.ok(error instanceof ConfigError);
          }
          // An empty environment value counts as unset, so the default (true) applies.
          assert.equal(env, value.trim() === "" ? true : expected);
          const front = frontMatterHygiene({ hygiene: value });
          assert.equal(front.options.disabled, expected === undefined ? undefined : !expected);
          await writeFile(path.join(dir, ".hygiene.json"), JSON.stringify({ "a.txt": { hygiene: value } }));
          const folder = await readHygienePatterns(dir).catch(() => undefined);
          assert.equal(folder?.["a.txt"]?.disabled, expected === undefined ? undefined : !expected);
        }),
        { numRuns: 60 },
      );
    });
  });

  it("names the bad value in each source with the same words", async () => {
    assert.throws(() => parseConfig({ WATCH_KNOWLEDGE: "sometimes" }, "/"), {
      message: 'config: Expected WATCH_KNOWLEDGE to be true or false, got "sometimes"',
    });
    assert.deepEqual(frontMatterHygiene({ hygiene: "sometimes" }).problems, ['hygiene: Expected front matter "hygiene" to be true or false, got "sometimes"']);
    await withFolder({ ".hygiene.json": JSON.stringify({ "a.txt": { hygiene: "sometimes" } }) }, async (dir) => {
      const file = path.join(dir, ".hygiene.json");
      await assert.rejects(readHygienePatterns(dir), {
        message: `hygiene-config: Expected "hygiene" in ${file}: "a.txt" to be true or false, got "sometimes"`,
      });
    });
  });

  it("turns the check off for `hygiene: no` in front matter, which used to be ignored, and reports a bad value", async () => {
    const story = "He looked at her. “Stay,” she whispered, and he nodded slowly.";
    const body = `# Release checklist\n\nTag the release and publish the notes. Tag names start with v. ${story}\n\nPublish the notes after the tag is pushed.\n`;
    await withFolder({ "no.md": `---\nhygiene: no\n---\n${body}`, "bad.md": `---\nhygiene: sometimes\n---\n${body}`, "plain.md": body }, async (dir) => {
      const issues: LoadIssue[] = [];
      const set = await loadKnowledge(dir, { cleaner: hygieneCleaner({}, (issue) => issues.push(issue)) });
      const flagged = Object.fromEntries(set.documents.map((d) => [d.path, d.flagged.length > 0]));
      assert.deepEqual(flagged, { "bad.md": true, "no.md": false, "plain.md": true });
      assert.deepEqual(issues, [
        { path: "bad.md", reason: 'hygiene: Expected front matter "hygiene" to be true or false, got "sometimes"; checked as if it were unset' },
      ]);
    });
  });
});

describe("hygiene settings: tunables", () => {
  it("applies overrides by name and names a tunable that does not exist or a value that is no number", () => {
    assert.equal(tuningWith({ flagScore: 0.9 }).flagScore, 0.9);
    assert.equal(tuningWith().flagScore, DEFAULT_TUNING.flagScore);
    assert.throws(() => tuningWith({ flagScor: 0.9 }), /^Error: hygiene: Expected a tunable \(shrink, .*\), got "flagScor"$/);
    assert.throws(() => tuningWith({ flagScore: Number.NaN }), { message: "hygiene: Expected flagScore to be a finite number, got NaN" });
  });
});
