/**
 * Snapshots that must not break a start (src/answer/snapshot.ts): one damaged inside (valid JSON, a field
 * missing or nulled) is rebuilt with a log line; temporary files of interrupted or failed writes are removed;
 * the key is the snapshot format and the installed versions of the packages that shape the index, the same
 * for any build of this code. Engine copies run in child processes over a temporary copy of src/.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, test, type TestContext } from "node:test";
import { snapshotPathFor } from "../../src/answer/builder.ts";
import { AnswerEngine } from "../../src/answer/engine.ts";
import { INDEX_DEPENDENCIES, SNAPSHOT_FORMAT, snapshotKey } from "../../src/answer/snapshot.ts";
import { ThreadedEngine } from "../../src/answer/threaded.ts";
import { createLogger } from "../../src/log.ts";

const run = promisify(execFile);
const ROOT = path.join(import.meta.dirname, "..", "..");
const QA = path.join(import.meta.dirname, "..", "fixtures", "engine", "qa");
const QUESTION = "When was the Riverside Declaration signed?";
const DECLARATION = "The Riverside Declaration was signed on May 4, 2019 by the mayors of the five river towns.";

async function setup(t: TestContext): Promise<{ root: string; dir: string; snapshot: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), "kb-snapshot-safety-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  const dir = path.join(root, "knowledge");
  await cp(QA, dir, { recursive: true });
  return { root, dir, snapshot: snapshotPathFor(path.join(root, "cache"), dir) };
}

function recordingLogger(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, logger: createLogger("debug", (line) => lines.push(line.replace(/^\S+ /, ""))) };
}

type Json = Record<string, unknown> & { index: Record<string, unknown> & { passages: unknown[]; minisearch: Record<string, unknown> } };

describe("a snapshot damaged inside", () => {
  const damages: [string, (snap: Json) => void, string][] = [
    ["a passage nulled", (snap) => (snap.index.passages[0] = null), "Expected index.passages[0] to be an object, got null"],
    ["the file hashes missing", (snap) => delete snap.hashes, "Expected hashes to be an object, got nothing"],
    ["the document frequencies missing", (snap) => delete snap.index.df, "Expected index.df to be an object, got nothing"],
    ["MiniSearch's terms nulled", (snap) => (snap.index.minisearch.index = null), "Expected index.minisearch.index to be an array, got null"],
    [
      "a passage's text a number",
      (snap) => ((snap.index.passages[1] as Record<string, unknown>).text = 7),
      "Expected index.passages[1].text to be a string, got number 7",
    ],
    [
      "MiniSearch pointing past the passages",
      (snap) => ((snap.index.minisearch.documentIds as Record<string, unknown>)["1"] = 999),
      `Expected index.minisearch.documentIds.1 to be a whole number below ${3}, got number 999`,
    ],
  ];
  for (const [what, damage, reason] of damages) {
    test(`with ${what} is rebuilt with a log line saying what is damaged, and the engine answers`, async (t) => {
      const { dir, snapshot } = await setup(t);
      await AnswerEngine.open(dir, { snapshot });
      const snap = JSON.parse(await readFile(snapshot, "utf8")) as Json;
      // The fixture's index has 3 passages at the time of writing; the message names the real count.
      const expected = reason.replace("below 3", `below ${snap.index.passages.length}`);
      damage(snap);
      await writeFile(snapshot, JSON.stringify(snap));
      const { lines, logger } = recordingLogger();
      const engine = await AnswerEngine.open(dir, { snapshot, logger });
      assert.equal(engine.lastLoad.source, "files");
      assert.ok(lines.includes(`INFO  knowledge: rebuilding the index: snapshot ${snapshot} is damaged (${expected})`), lines.join("\n"));
      assert.equal(engine.ask(QUESTION).results[0]?.answer, DECLARATION);
      assert.equal((await AnswerEngine.open(dir, { snapshot })).lastLoad.source, "snapshot", "the rebuilt snapshot is whole");
    });
  }

  test("does not stop the bot's engine from starting in its worker", async (t) => {
    const { dir, snapshot } = await setup(t);
    await AnswerEngine.open(dir, { snapshot });
    const snap = JSON.parse(await readFile(snapshot, "utf8")) as Json;
    snap.index.passages[0] = null;
    await writeFile(snapshot, JSON.stringify(snap));
    const { lines, logger } = recordingLogger();
    const engine = await ThreadedEngine.open(dir, { snapshot, logger });
    t.after(() => engine.close());
    assert.equal((await engine.ask(QUESTION)).results[0]?.answer, DECLARATION);
    // Logged in the answering worker, and relayed with its name.
    assert.ok(
      lines.some((line) => line.startsWith(`INFO  [answer worker] knowledge: rebuilding the index: snapshot ${snapshot} is damaged (`)),
      lines.join("\n"),
    );
  });

  test("does not stop `npm run ask`: it answers, exit code 0", async (t) => {
    const { root, dir, snapshot } = await setup(t);
    await AnswerEngine.open(dir, { snapshot });
    const snap = JSON.parse(await readFile(snapshot, "utf8")) as Json;
    delete snap.hashes;
    await writeFile(snapshot, JSON.stringify(snap));
    const env = { ...process.env, INDEX_CACHE_DIR: path.join(root, "cache"), LOG_LEVEL: "info", DISCORD_TOKEN: "" };
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "src/cli/ask.ts", "--knowledge", dir, "--json", QUESTION], { cwd: ROOT, env });
    assert.equal((JSON.parse(stdout) as { results: { answer: string }[] }).results[0]?.answer, DECLARATION);
    assert.equal(stderr, "");
  });
});

describe("snapshot temporary files", () => {
  test("a failed rename leaves no temporary file, and the engine answers", async (t) => {
    const { dir, snapshot } = await setup(t);
    // A folder with something in it where the snapshot should go: every rename onto it fails.
    await mkdir(path.join(snapshot, "in-the-way"), { recursive: true });
    const { lines, logger } = recordingLogger();
    const engine = await AnswerEngine.open(dir, { snapshot, logger });
    assert.equal(engine.ask(QUESTION).results[0]?.answer, DECLARATION);
    assert.ok(
      lines.some((line) => line.startsWith(`WARN  knowledge: could not save the index snapshot ${snapshot}: `)),
      lines.join("\n"),
    );
    assert.deepEqual(await readdir(path.dirname(snapshot)), [path.basename(snapshot)]);
  });

  test("left by a killed process or not written to for a minute, they are removed at start, with a log line; one being written is left alone", async (t) => {
    const { dir, snapshot } = await setup(t);
    const name = path.basename(snapshot);
    await mkdir(path.dirname(snapshot), { recursive: true });
    // A process that has exited: its pid runs nothing now.
    const child = spawn(process.execPath, ["-e", ""]);
    const deadPid = child.pid;
    await new Promise((resolve) => child.once("exit", resolve));
    const killed = `${name}.${deadPid}.tmp`;
    const abandoned = `${name}.${process.pid}-0-1a2b3c4d.tmp`;
    const writing = `${name}.${process.pid}-1-5e6f7a8b.tmp`;
    const unrelated = "notes.tmp";
    for (const file of [killed, abandoned, writing, unrelated]) await writeFile(path.join(path.dirname(snapshot), file), "{");
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(path.join(path.dirname(snapshot), abandoned), hourAgo, hourAgo);

    const { lines, logger } = recordingLogger();
    await AnswerEngine.open(dir, { snapshot, logger });
    assert.deepEqual((await readdir(path.dirname(snapshot))).sort(), [name, unrelated, writing].sort());
    assert.ok(
      lines.includes(`INFO  knowledge: removed 2 temporary file(s) that an interrupted snapshot write left: ${[killed, abandoned].sort().join(", ")}`),
      lines.join("\n"),
    );
  });
});

/** A copy of src/ in a temporary folder with node_modules linked, package by package, so that one can be swapped. */
async function engineCopy(root: string, options: { bump?: string; touch?: string } = {}): Promise<string> {
  const copy = path.join(root, `engine-${Math.random().toString(16).slice(2)}`);
  await cp(path.join(ROOT, "src"), path.join(copy, "src"), { recursive: true });
  await cp(path.join(ROOT, "package.json"), path.join(copy, "package.json"));
  await symlink(path.join(ROOT, "lexicon"), path.join(copy, "lexicon"));
  await mkdir(path.join(copy, "node_modules"));
  for (const name of await readdir(path.join(ROOT, "node_modules"))) {
    const from = path.join(ROOT, "node_modules", name);
    const to = path.join(copy, "node_modules", name);
    if (name !== options.bump) {
      await symlink(from, to);
      continue;
    }
    await cp(from, to, { recursive: true });
    const manifest = JSON.parse(await readFile(path.join(to, "package.json"), "utf8")) as { version: string };
    manifest.version = `${manifest.version}-upgraded`;
    await writeFile(path.join(to, "package.json"), JSON.stringify(manifest));
  }
  if (options.touch)
    await writeFile(
      path.join(copy, "src", options.touch),
      `${await readFile(path.join(copy, "src", options.touch), "utf8")}\n// another build of the same code\n`,
    );
  return copy;
}

/** Opens the copy's engine in a child process: where its index came from, and its log. */
async function openCopy(copy: string, dir: string, snapshot: string): Promise<{ source: string; log: string }> {
  const script = path.join(copy, "open.mts");
  const engine = pathToFileURL(path.join(copy, "src", "answer", "engine.ts")).href;
  const log = pathToFileURL(path.join(copy, "src", "log.ts")).href;
  await writeFile(
    script,
    `import { AnswerEngine } from ${JSON.stringify(engine)};\nimport { createLogger } from ${JSON.stringify(log)};\n` +
      `const engine = await AnswerEngine.open(${JSON.stringify(dir)}, { snapshot: ${JSON.stringify(snapshot)}, logger: createLogger("info", { format: "pretty" }) });\n` +
      `process.stdout.write(engine.lastLoad.source ?? "");\n`,
  );
  const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", script], { cwd: copy });
  return { source: stdout.trim(), log: stderr };
}

describe("the snapshot key", () => {
  test("is the snapshot format, the installed version of each package that shapes the index, from its package.json, and the lexicon's data files", async () => {
    const versions: Record<string, string> = {};
    for (const name of INDEX_DEPENDENCIES)
      versions[name] = (JSON.parse(await readFile(path.join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
    const sizes = await Promise.all(
      ["wordnet.tsv.gz", "vectors.tsv.gz", "frequency.txt.gz"].map(async (name) => `${name}:${(await stat(path.join(ROOT, "lexicon", name))).size}`),
    );
    assert.deepEqual(JSON.parse(snapshotKey()), { format: SNAPSHOT_FORMAT, dependencies: versions, lexicon: sizes.join(",") });
    assert.deepEqual([...INDEX_DEPENDENCIES], ["markdown-it", "minisearch", "stemmer", "yaml"]);
  });

  test("another build of the same code (compiled, or a comment changed) reuses the snapshot", async (t) => {
    const { root, dir, snapshot } = await setup(t);
    await AnswerEngine.open(dir, { snapshot });
    const copy = await engineCopy(root, { touch: path.join("search", "index.ts") });
    assert.deepEqual(await openCopy(copy, dir, snapshot), { source: "snapshot", log: "" });
  });

  for (const name of ["minisearch", "stemmer"]) {
    test(`an upgraded ${name} rebuilds the snapshot, saying why`, async (t) => {
      const { root, dir, snapshot } = await setup(t);
      await AnswerEngine.open(dir, { snapshot });
      const copy = await engineCopy(root, { bump: name });
      const opened = await openCopy(copy, dir, snapshot);
      assert.equal(opened.source, "files");
      assert.match(
        opened.log,
        new RegExp(
          `INFO  knowledge: rebuilding the index: snapshot ${snapshot.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} was made by another version or with other settings\n`,
        ),
      );
    });
  }
});
