/**
 * Reading is contained to the knowledge folder: symbolic links out of it (to a `.env`, to /etc/passwd,
 * to a folder) are skipped with a reason, never answered from or listed, while the files inside, and
 * links between them, still answer.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, test, type TestContext } from "node:test";
import { AnswerEngine } from "../src/answer/engine.ts";
import { loadKnowledge } from "../src/knowledge/load.ts";

const SECRET = "DISCORD_TOKEN=MTIzNDU2Nzg5.secret-token-value";
const GUIDE = "# Harbour guide\n\nThe harbour ferry leaves the quay at seven every morning and returns at six in the evening.\n";

/**
 * A temp folder holding `outside/` (a `.env` with a token, a fake passwd) and the knowledge folder `kb/`
 * with one real document and every kind of link.
 */
async function folderWithLinks(t: TestContext): Promise<string> {
  const base = await mkdtemp(path.join(os.tmpdir(), "kb-links-"));
  t.after(() => rm(base, { recursive: true, force: true }));
  const outside = path.join(base, "outside");
  const kb = path.join(base, "kb");
  await mkdir(outside);
  await mkdir(path.join(kb, "sub"), { recursive: true });
  await writeFile(path.join(outside, ".env"), `${SECRET}\n`);
  await writeFile(path.join(outside, "passwd"), "root:x:0:0:root secret account:/root:/bin/bash\n");
  await writeFile(path.join(outside, "leak.md"), `# Leaked\n\nThe leaked document says ${SECRET}.\n`);
  await writeFile(path.join(kb, "guide.md"), GUIDE);
  await writeFile(path.join(kb, "sub", "inner.txt"), "Lighthouse notes\n\nThe lighthouse keeper climbs one hundred and forty-three steps every night.\n");
  await writeFile(path.join(kb, ".env"), `${SECRET}\n`);
  await symlink(path.join(outside, ".env"), path.join(kb, "secrets.md"));
  await symlink("../outside/passwd", path.join(kb, "passwd.txt"));
  await symlink(path.join(outside, "leak.md"), path.join(kb, "leak.md"));
  await symlink(outside, path.join(kb, "outdir"));
  await symlink("sub", path.join(kb, "indir"));
  await symlink(".env", path.join(kb, "dotenv.md"));
  await symlink("guide.md", path.join(kb, "alias.md"));
  await symlink("loop.md", path.join(kb, "loop.md"));
  await symlink("nowhere.md", path.join(kb, "dangling.md"));
  return kb;
}

describe("knowledge folder containment", () => {
  test("links that resolve outside the folder, to hidden files, to folders, in a loop or to nothing are skipped with a reason", async (t) => {
    const kb = await folderWithLinks(t);
    const set = await loadKnowledge(kb);
    assert.deepEqual(
      set.documents.map((d) => d.path),
      ["alias.md", "guide.md", "sub/inner.txt"],
    );
    assert.deepEqual(set.errors, [
      { path: "dangling.md", reason: "a symbolic link to nothing; not read" },
      { path: "dotenv.md", reason: "a symbolic link to a hidden file; not read" },
      { path: "indir", reason: "a symbolic link to a folder; links to folders are not followed" },
      { path: "leak.md", reason: "a symbolic link to outside the knowledge folder; not read" },
      { path: "loop.md", reason: "a loop of symbolic links; not read" },
      { path: "outdir", reason: "a symbolic link to outside the knowledge folder; not read" },
      { path: "passwd.txt", reason: "a symbolic link to outside the knowledge folder; not read" },
      { path: "secrets.md", reason: "a symbolic link to outside the knowledge folder; not read" },
    ]);
    assert.deepEqual(set.skipped, []);
  });

  test("no answer, suggestion or source listing holds a linked secret, and the files inside still answer", async (t) => {
    const kb = await folderWithLinks(t);
    const engine = await AnswerEngine.open(kb);
    t.after(() => engine.close());
    // Words only the linked files hold; a question echoes its own words, so answers are checked for these.
    const leaked = /MTIzNDU2Nzg5|token-value|root:x|bin\/bash|Leaked|leaked document says/;
    for (const question of ["DISCORD_TOKEN", "secret token value", "root account bin bash", "leaked document", "MTIzNDU2Nzg5"]) {
      const answer = engine.ask(question, { top: 25 });
      assert.ok(!leaked.test(JSON.stringify(answer.results)), `${question}: ${JSON.stringify(answer)}`);
      assert.ok(!leaked.test(engine.suggest(question).slice(1).join("\n")), question);
    }
    const listed = JSON.stringify(engine.sources());
    for (const word of ["secret", "passwd", "Leaked", "outside", "dotenv"]) assert.ok(!listed.includes(word), `${word} in ${listed}`);
    assert.match(engine.ask("When does the harbour ferry leave?").results[0]?.answer ?? "", /^The harbour ferry leaves the quay at seven/);
    assert.match(engine.ask("How many steps does the lighthouse keeper climb?").results[0]?.answer ?? "", /forty-three steps/);
  });

  test("a knowledge folder that is itself a link is read through its real path", async (t) => {
    const kb = await folderWithLinks(t);
    const linked = path.join(path.dirname(kb), "kb-link");
    await symlink(kb, linked);
    const set = await loadKnowledge(linked);
    assert.deepEqual(
      set.documents.map((d) => d.path),
      ["alias.md", "guide.md", "sub/inner.txt"],
    );
  });

  test("a .hygiene.json that links out of the folder is refused, not parsed (a parse error would quote it)", async (t) => {
    const kb = await folderWithLinks(t);
    await symlink(path.join(path.dirname(kb), "outside", ".env"), path.join(kb, ".hygiene.json"));
    const engine = await AnswerEngine.open(kb);
    t.after(() => engine.close());
    const issue = engine.lastLoad.errors.find((e) => e.path === ".hygiene.json");
    assert.equal(
      issue?.reason,
      `hygiene-config: ${path.join(kb, ".hygiene.json")} is a symbolic link to outside the knowledge folder; not read — using the last good settings`,
    );
    assert.ok(!JSON.stringify(engine.lastLoad).includes("DISCORD_TO"));
  });
});
