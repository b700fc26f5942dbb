/**
 * The operator's synonyms file, `.synonyms.txt` at the root of the knowledge folder, through the engine:
 * it bridges a question's words to the knowledge's, its bad lines are reported by name and line while
 * the good ones apply, and a change to it goes live on reload.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, test, type TestContext } from "node:test";
import { AnswerEngine } from "../src/answer/engine.ts";

const HARBOUR = "# Harbour\n\n## Boats\n\nCanoes can be hired at the boathouse on the north quay from April to September, for twelve euros an hour.\n";
const MUSEUM = "# Museum\n\n## Opening\n\nThe maritime museum opens at ten every morning except Mondays, and its café closes an hour before the museum.\n";

async function folder(t: TestContext, synonyms?: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "kb-synonyms-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, "harbour.md"), HARBOUR);
  await writeFile(path.join(dir, "museum.md"), MUSEUM);
  if (synonyms !== undefined) await writeFile(path.join(dir, ".synonyms.txt"), synonyms);
  return dir;
}

const QUESTION = "Where can I rent a pirogue?";

describe("the synonyms file", () => {
  test("without it a word the knowledge lacks finds nothing; with a two-way set it finds the passage", async (t) => {
    const without = await AnswerEngine.open(await folder(t));
    assert.notEqual(without.ask(QUESTION).results[0]?.source.path, "harbour.md");
    const withSet = await AnswerEngine.open(await folder(t, "# boats\npirogue, canoe, dugout\n"));
    const answer = withSet.ask(QUESTION);
    assert.equal(answer.results[0]?.source.path, "harbour.md");
    assert.match(answer.results[0]?.answer ?? "", /^Canoes can be hired/);
  });

  test("a one-way rule finds the right-hand words from the left only", async (t) => {
    const engine = await AnswerEngine.open(await folder(t, "pirogue => canoe\n"));
    assert.equal(engine.ask(QUESTION).results[0]?.source.path, "harbour.md");
    assert.deepEqual(engine.index.expansions.lookup("cano"), []);
  });

  test("each bad line is reported with the file and its line, and the good lines still apply", async (t) => {
    const engine = await AnswerEngine.open(await folder(t, "pirogue, canoe\nmuseum => => gallery\nlonely\n"));
    assert.deepEqual(
      engine.lastLoad.errors.map((e) => `${e.path}: ${e.reason}`),
      [
        '.synonyms.txt: line 2: Expected phrases separated by commas, with at most one "=>", got 2 "=>": "museum => => gallery"',
        '.synonyms.txt: line 3: Expected phrases separated by commas, with at most one "=>", got a single phrase (a two-way set needs two or more): "lonely"',
      ],
    );
    assert.equal(engine.ask(QUESTION).results[0]?.source.path, "harbour.md");
  });

  test("an edit goes live on reload, and a file made unreadable keeps the last good rules", async (t) => {
    const dir = await folder(t);
    const engine = await AnswerEngine.open(dir);
    assert.notEqual(engine.ask(QUESTION).results[0]?.source.path, "harbour.md");
    await writeFile(path.join(dir, ".synonyms.txt"), "pirogue, canoe\n");
    await engine.reload();
    assert.equal(engine.ask(QUESTION).results[0]?.source.path, "harbour.md");
    // A link out of the folder is never read: the last good rules stay, and the problem is named.
    await rm(path.join(dir, ".synonyms.txt"));
    await symlink("/etc/hostname", path.join(dir, ".synonyms.txt"));
    await engine.reload();
    assert.deepEqual(
      engine.lastLoad.errors.map((e) => `${e.path}: ${e.reason}`),
      [".synonyms.txt: a symbolic link to outside the knowledge folder; not read — using the last good synonyms"],
    );
    assert.equal(engine.ask(QUESTION).results[0]?.source.path, "harbour.md");
  });
});
