/**
 * Opening the engine from a snapshot parses no knowledge file, so it must not load the parsers either
 * (markdown-it, yaml and the loader modules are most of the import time). Checked in a child process
 * with a module-load hook that records what is loaded; building from the files is the control.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { test } from "node:test";
import { AnswerEngine } from "../src/answer/engine.ts";

const run = promisify(execFile);
const QA = path.join(import.meta.dirname, "fixtures", "engine", "qa");
const PARSERS =
  /\/(markdown-it|markdown-it-container|yaml|htmlparser2|linkedom|@mozilla\/readability)\/|\/src\/knowledge\/(markdown|load|clean|hygiene|html|html-blocks|document-builder)(\.ts|\/)/;

/** Opens the engine in a child process and returns where its index came from and the parser modules it loaded. */
async function openInChild(root: string, dir: string, snapshot: string): Promise<{ source: string; parsers: string[] }> {
  const log = path.join(root, "loaded.txt");
  await writeFile(log, "");
  const hook = path.join(root, "hook.mjs");
  await writeFile(
    hook,
    `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + "\\n"); return next(url, context); }\n`,
  );
  const register = path.join(root, "register.mjs");
  await writeFile(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
  const script = path.join(root, "open.mts");
  const engineUrl = pathToFileURL(path.join(import.meta.dirname, "..", "src", "answer", "engine.ts")).href;
  await writeFile(
    script,
    `import { AnswerEngine } from ${JSON.stringify(engineUrl)};\nconst engine = await AnswerEngine.open(${JSON.stringify(dir)}, { snapshot: ${JSON.stringify(snapshot)} });\nprocess.stdout.write(engine.lastLoad.source ?? "");\n`,
  );
  const { stdout } = await run(process.execPath, ["--import", "tsx", "--import", pathToFileURL(register).href, script]);
  const parsers = (await readFile(log, "utf8")).split("\n").filter((url) => PARSERS.test(url));
  return { source: stdout.trim(), parsers };
}

test("opening from a snapshot loads no parser; building from the files does", async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), "kb-imports-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  const dir = path.join(root, "knowledge");
  await cp(QA, dir, { recursive: true });
  const snapshot = path.join(root, "index.json");

  const built = await openInChild(root, dir, snapshot);
  assert.equal(built.source, "files");
  assert.ok(
    built.parsers.some((url) => url.includes("/markdown-it/")),
    `the control should load markdown-it; loaded: ${built.parsers.join(", ")}`,
  );

  const restored = await openInChild(root, dir, snapshot);
  assert.equal(restored.source, "snapshot");
  assert.deepEqual(restored.parsers, []);
  // The same snapshot serves this process too: nothing about it is specific to the child.
  assert.equal((await AnswerEngine.open(dir, { snapshot })).lastLoad.source, "snapshot");
});
