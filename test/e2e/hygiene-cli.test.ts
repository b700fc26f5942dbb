import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

const ROOT = path.join(import.meta.dirname, "..", "..");
const FIXTURES = path.join(import.meta.dirname, "..", "fixtures", "hygiene");

function check(...args: string[]) {
  const run = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "src/cli/check.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, KNOWLEDGE_DIR: "" },
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

describe("knowledge:check", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "hygiene-cli-"));
    await copyFile(path.join(FIXTURES, "harbour-bridge.txt"), path.join(dir, "harbour-bridge.txt"));
    await copyFile(path.join(FIXTURES, "story.txt"), path.join(dir, "story.txt"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("lists each flagged span with its line and reason, then a summary, and exits 0", () => {
    const { code, out } = check("--knowledge", dir);
    assert.equal(code, 0);
    assert.match(out, /^harbour-bridge\.txt {2}\(4 spans, \d+ passages? affected\)$/m);
    assert.match(out, /^ {2}line 7: narrative text spliced into a sentence/m);
    assert.match(out, /“and when the knight finally drew his sword, she felt the ground tremble beneath her feet”/);
    assert.match(out, /^ {2}line 13: markup debris/m);
    assert.doesNotMatch(out, /story\.txt/);
    assert.match(out, /^Checked 2 files in .*: 4 spans flagged in 1 file; \d+ of \d+ passages affected\.$/m);
  });

  it("keeps what .hygiene.json says to keep", async () => {
    await writeFile(path.join(dir, ".hygiene.json"), JSON.stringify({ "harbour-bridge.txt": { keep: ["Elara whispered"] } }));
    try {
      const { code, out } = check("--knowledge", dir);
      assert.equal(code, 0);
      // The kept sentence stays; the one after it is judged on its own and still goes.
      assert.doesNotMatch(out, /Elara/);
      assert.match(out, /“He sighed and pulled her closer\.”/);
    } finally {
      await rm(path.join(dir, ".hygiene.json"));
    }
  });

  it("exits 2 naming the file when .hygiene.json is invalid", async () => {
    await writeFile(path.join(dir, ".hygiene.json"), JSON.stringify({ "harbour-bridge.txt": { hygiene: "sometimes" } }));
    try {
      const { code, err } = check("--knowledge", dir);
      assert.equal(code, 2);
      assert.match(err, /\.hygiene\.json: "harbour-bridge\.txt".*"sometimes"/);
    } finally {
      await rm(path.join(dir, ".hygiene.json"));
    }
  });

  it("exits 1 when a file cannot be read, after reporting the rest", async () => {
    await writeFile(path.join(dir, "broken.txt"), Buffer.from([0x41, 0x00, 0x42]));
    try {
      const { code, out } = check("--knowledge", dir);
      assert.equal(code, 1);
      assert.match(out, /^broken\.txt: could not be read: binary file/m);
      assert.match(out, /1 file could not be read\.$/m);
    } finally {
      await rm(path.join(dir, "broken.txt"));
    }
  });

  it("exits 1 naming the file and the value when front matter has a bad hygiene setting, and checks that file anyway", async () => {
    await writeFile(path.join(dir, "notes.md"), "---\nhygiene: sometimes\n---\n# Notes\n\nThe bridge opens at six.\n");
    try {
      const { code, out } = check("--knowledge", dir);
      assert.equal(code, 1);
      assert.match(out, /^notes\.md: hygiene: Expected front matter "hygiene" to be true or false, got "sometimes"; checked as if it were unset$/m);
      assert.match(out, /; 1 bad front matter setting\.$/m);
    } finally {
      await rm(path.join(dir, "notes.md"));
    }
  });

  it("reports nothing for a museum page whose history paragraph names its founder once", async () => {
    const museum = await mkdtemp(path.join(tmpdir(), "hygiene-cli-museum-"));
    try {
      await copyFile(path.join(ROOT, "test", "fixtures", "hygiene-clean", "museum-harbor.md"), path.join(museum, "museum.md"));
      const { code, out } = check("--knowledge", museum);
      assert.equal(code, 0);
      assert.doesNotMatch(out, /Ada Brook/);
      assert.match(out, /^Checked 1 file in .*: 0 spans flagged in 0 files; 0 of \d+ passages affected\.$/m);
    } finally {
      await rm(museum, { recursive: true, force: true });
    }
  });

  it("exits 2 with a clear message when the folder is missing", () => {
    const { code, err } = check("--knowledge", path.join(dir, "missing"));
    assert.equal(code, 2);
    assert.match(err, /knowledge folder not found: .*missing/);
  });
});
