/**
 * The hygiene check's exact output on every hygiene fixture and on the seed article: which spans are
 * flagged (line, text, reason) and the cleaned text of every block it changed. A change in behaviour,
 * wanted or not, shows here as a diff. After a deliberate change, write the golden file anew with
 *   HYGIENE_GOLDEN=write npm test -- --test-name-pattern=golden
 * and review the diff of test/fixtures/hygiene-golden/fixtures.json like code.
 * Fixtures are read with the tests' own small parser (hygiene-blocks.ts), so a change in the
 * Markdown loader does not show up here as a change in the check.
 */
import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, it } from "node:test";
import { checkDocument } from "../src/knowledge/hygiene/index.ts";
import { blocksOf } from "./hygiene-blocks.ts";

const ROOT = path.join(import.meta.dirname, "..");
const GOLDEN = path.join(import.meta.dirname, "fixtures", "hygiene-golden", "fixtures.json");

interface Record {
  flagged: Array<{ line: number; text: string; reason: string }>;
  /** Cleaned text of each changed block, by block index ("" when the whole block went). */
  changed: Array<{ block: number; text: string }>;
}

async function sources(): Promise<string[]> {
  const files: string[] = ["knowledge/sco-astana-summit.txt"];
  const fixtures = path.join(import.meta.dirname, "fixtures");
  for (const folder of (await readdir(fixtures)).filter((f) => f.startsWith("hygiene") && f !== "hygiene-golden").sort()) {
    for (const name of (await readdir(path.join(fixtures, folder))).sort()) {
      if (/\.(?:md|txt)$/.test(name)) files.push(`test/fixtures/${folder}/${name}`);
    }
  }
  return files;
}

async function record(file: string): Promise<Record> {
  const blocks = blocksOf(await readFile(path.join(ROOT, file), "utf8"));
  const verdicts = checkDocument(blocks);
  return {
    flagged: verdicts.flatMap((v) => v.flagged.map((f) => ({ line: f.line, text: f.text, reason: f.reason }))),
    changed: verdicts.flatMap((v, block) => (v.removed.length ? [{ block, text: v.text }] : [])),
  };
}

describe("hygiene: golden output", () => {
  it("flags exactly the recorded spans and cleans each fixture to the recorded text", async () => {
    const actual: { [file: string]: Record } = {};
    for (const file of await sources()) actual[file] = await record(file);
    if (process.env.HYGIENE_GOLDEN === "write") {
      await writeFile(GOLDEN, JSON.stringify(actual, null, 1) + "\n");
      return;
    }
    const expected = JSON.parse(await readFile(GOLDEN, "utf8")) as { [file: string]: Record };
    assert.deepEqual(Object.keys(actual), Object.keys(expected), "the fixture list changed: write the golden file anew");
    for (const file of Object.keys(expected)) assert.deepEqual(actual[file], expected[file], file);
  });
});
