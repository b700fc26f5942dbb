/**
 * Each debris detector on its own fixtures (test/fixtures/hygiene-debris/<id>.json): what it must
 * find, exactly, and what it must leave alone. A text detector's fixture lists, per text, the
 * stretches found; a unit detector's lists sentences that are debris as a whole and ones that are not.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, it } from "node:test";
import { DETECTORS, findDebris } from "../src/knowledge/hygiene/debris/index.ts";

const FIXTURES = path.join(import.meta.dirname, "fixtures", "hygiene-debris");

interface TextFixture {
  flag: Array<{ text: string; debris: string[] }>;
  keep: string[];
}
interface UnitFixture {
  flag: string[];
  keep: string[];
  /** The units were carved out of a sentence by text detectors. */
  carved?: boolean;
  /** Units that are not debris where they follow a sentence on their line. */
  keepAfterSentence?: string[];
}

async function fixtureOf<T>(id: string): Promise<T> {
  return JSON.parse(await readFile(path.join(FIXTURES, `${id}.json`), "utf8")) as T;
}

describe("hygiene: debris detectors", () => {
  it("has one fixture file for each detector and none for detectors that do not exist", async () => {
    const files = (await readdir(FIXTURES)).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, ""));
    assert.deepEqual(files.sort(), DETECTORS.map((d) => d.id).sort());
  });

  it("leaves whole tags alone in Markdown, whose parser took real HTML out, and finds them in plain text", () => {
    const text = "The server HTML was replaced with client content in <div>.";
    assert.deepEqual(findDebris(text, [], DETECTORS, "markdown"), []);
    assert.deepEqual(findDebris(text, [], DETECTORS, "text"), [{ start: 52, end: 57, signal: "stray HTML tag" }]);
  });

  for (const detector of DETECTORS) {
    if (detector.level === "text") {
      it(`${detector.id}: finds exactly the debris in its fixtures and nothing in the clean texts`, async () => {
        const fixture = await fixtureOf<TextFixture>(detector.id);
        for (const { text, debris } of fixture.flag) {
          assert.deepEqual(
            [...detector.find(text)].map((r) => text.slice(r.start, r.end)),
            debris,
            text,
          );
        }
        for (const text of fixture.keep) assert.deepEqual([...detector.find(text)], [], text);
      });
    } else {
      it(`${detector.id}: matches the debris units of its fixtures and none of the clean ones`, async () => {
        const fixture = await fixtureOf<UnitFixture>(detector.id);
        const unit = { kind: "prose" as const, carved: fixture.carved === true, opensLine: true };
        for (const body of fixture.flag) assert.equal(detector.matches(body, unit), true, body);
        for (const body of fixture.keep) assert.equal(detector.matches(body, unit), false, body);
        for (const body of fixture.keepAfterSentence ?? []) assert.equal(detector.matches(body, { ...unit, opensLine: false }), false, body);
      });
    }
  }
});
