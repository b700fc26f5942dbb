/**
 * The terminal flow of the question log, spawned for real: questions piped to `npm start` with no token are
 * logged, then `npm run --silent gaps -- --json` lists the unanswered ones; a corrupt log is moved aside
 * while answering goes on; QUESTION_LOG=off logs nothing; and the teach records through the CLI.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import type { GapsReport } from "../../src/feedback/report.ts";
import { DATABASE_FILE } from "../../src/feedback/store.ts";
import { tempDir } from "../support/feedback.ts";
import { runCommand, type Run } from "../support/run.ts";

const REPO = path.resolve(import.meta.dirname, "../..");
const QA = path.join(REPO, "test", "fixtures", "engine", "qa");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/** Runs a command in the repository root, as an operator would, with `env` over a clean environment. */
function run(command: string, args: string[], env: Record<string, string>, input = ""): Promise<Run> {
  const clean: NodeJS.ProcessEnv = { ...process.env, DISCORD_TOKEN: "", KNOWLEDGE_DIR: QA, WATCH_KNOWLEDGE: "false", LOG_FORMAT: "pretty", ...env };
  for (const name of ["NODE_TEST_CONTEXT", "LOG_LEVEL", "QUESTION_LOG", "LOG_RETENTION_DAYS"]) if (!(name in env)) delete clean[name];
  return runCommand(command, args, { cwd: REPO, env: clean, input });
}

/** What `npm start` runs (its sources), without npm's own start-up (the first test goes through npm itself). */
const start = (env: Record<string, string>, input: string) => run(process.execPath, ["--import", "tsx", "src/main.ts"], env, input);
/** What `npm run --silent gaps --` runs. */
const gaps = (args: string[], env: Record<string, string>) => run(process.execPath, ["--import", "tsx", "src/cli/gaps.ts", ...args], env);

async function setting(t: import("node:test").TestContext): Promise<{ dataDir: string; env: Record<string, string> }> {
  const root = await tempDir(t, "kb-gaps-");
  const dataDir = path.join(root, "data");
  return { dataDir, env: { DATA_DIR: dataDir, INDEX_CACHE_DIR: path.join(root, "cache") } };
}

describe("the question log from the terminal", { concurrency: os.availableParallelism() }, () => {
  test("questions piped to npm start are logged, and gaps --json lists the unanswered ones with their outcome and count", async (t) => {
    const { env } = await setting(t);
    const started = await run(NPM, ["--silent", "start"], env, "Who runs the library?\nHow do I rent a kayak?\nhow do i rent kayaks\nlibrary kayak\n");
    assert.equal(started.code, 0, started.stderr);
    assert.ok(
      started.stdout.startsWith(
        "The Orchard Library lends books, maps and garden tools to every resident of Riverside. **Volunteers from the Riverside Garden Club run the library and its quiet reading room.**\n",
      ),
      started.stdout,
    );

    const { code, stdout, stderr } = await run(NPM, ["run", "--silent", "gaps", "--", "--json"], env);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, "");
    const report = JSON.parse(stdout) as GapsReport;
    assert.deepEqual(
      report.gaps.map(({ question, outcome, count, wordings }) => ({ question, outcome, count, wordings })),
      [
        { question: "how do i rent kayaks", outcome: "no-match", count: 2, wordings: ["how do i rent kayaks", "How do I rent a kayak?"] },
        { question: "library kayak", outcome: "no-match", count: 1, wordings: ["library kayak"] },
      ],
    );
    assert.deepEqual(report.totals, { questions: 4, answered: 1, unsure: 0, "no-match": 3 });
    assert.deepEqual(report.perDay.at(-1), { day: new Date().toISOString().slice(0, 10), answered: 1, unsure: 0, "no-match": 3 });
    assert.equal(report.gaps[0]?.suggestion, undefined, "nothing in the knowledge shares a word with renting kayaks");
    assert.equal(report.gaps[1]?.suggestion?.passage.key, "cNTCNfJUCEJT");
    assert.deepEqual(
      report.documents.least.map((d) => d.path),
      ["observatory.txt"],
    );
  });

  test("the text report names each gap and its fix, with a sparkline of outcomes per day", async (t) => {
    const { env } = await setting(t);
    await start(env, "library kayak\nlibrary kayak\n");
    const { code, stdout, stderr } = await gaps(["--days", "3"], env);
    assert.equal(code, 0, stderr);
    const lines = stdout.split("\n");
    assert.match(lines[0] ?? "", /^2 questions from \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d \(UTC\): 0 answered, 0 unsure, 2 no-match\.$/);
    assert.deepEqual(lines.slice(3, 6), ["  answered       0", "  unsure         0", "  no-match    █  2"]);
    assert.ok(
      stdout.includes(
        '\n1. "library kayak": asked 2×, no-match\n   Closest passage, sharing only some of its words: Riverside Town Guide › Orchard Library (riverside.md, key cNTCNfJUCEJT)\n',
      ),
      stdout,
    );
    assert.ok(stdout.includes("\n     or teach it: npm run gaps -- --teach 'library kayak' --passage cNTCNfJUCEJT\n"), stdout);
  });

  test("a corrupt question log is moved aside with a log line, and answering goes on", async (t) => {
    const { dataDir, env } = await setting(t);
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, DATABASE_FILE), "not a database\n".repeat(50));
    const { code, stdout, stderr } = await start(env, "Who runs the library?\n");
    assert.equal(code, 0, stderr);
    assert.ok(stdout.includes("**Volunteers from the Riverside Garden Club run the library"), stdout);
    const file = path.join(dataDir, DATABASE_FILE);
    assert.match(
      stderr,
      new RegExp(
        `WARN  question log: ${file.replace(/[.]/g, "\\.")} is not a readable database \\(file is not a database\\); moved it to ${file.replace(/[.]/g, "\\.")}\\.broken-[\\dTZ-]+ and started a new one\\n`,
      ),
    );
    assert.equal((await readdir(dataDir)).filter((f) => /\.broken-[\dTZ-]+$/.test(f)).length, 1);
    const report = JSON.parse((await gaps(["--json"], env)).stdout) as GapsReport;
    assert.equal(report.totals.answered, 1);
  });

  test("QUESTION_LOG=off logs nothing and makes no data folder", async (t) => {
    const { dataDir, env } = await setting(t);
    const { code, stdout } = await start({ ...env, QUESTION_LOG: "off" }, "Who runs the library?\n");
    assert.equal(code, 0);
    assert.ok(stdout.includes("**Volunteers from the Riverside Garden Club run the library"), stdout);
    assert.equal(existsSync(dataDir), false);
  });
});

describe("teach records from the terminal", { concurrency: os.availableParallelism() }, () => {
  test("teach, list, export and remove", async (t) => {
    const { dataDir, env } = await setting(t);
    const taught = await gaps(["--teach", "Can I borrow a kayak?", "--passage", "cNTCNfJUCEJT"], env);
    assert.equal(taught.code, 0, taught.stderr);
    assert.equal(
      taught.stdout,
      'Taught #1: "Can I borrow a kayak?" → riverside.md › Orchard Library (key cNTCNfJUCEJT). Undo: npm run gaps -- --remove-taught 1\n',
    );

    const listed = await gaps(["--taught"], env);
    assert.equal(listed.stdout, '#1 "Can I borrow a kayak?" → riverside.md › Orchard Library (key cNTCNfJUCEJT): finds its passage\n');

    const out = path.join(dataDir, "exported.yaml");
    const exported = await gaps(["--export-aliases", "--out", out], env);
    assert.equal(exported.stdout, `Wrote 1 teach record(s) for 1 document(s) to ${out}.\nMove it into the knowledge folder and commit it there.\n`);
    assert.ok((await readFile(out, "utf8")).endsWith("\nriverside.md:\n  Orchard Library:\n    - Can I borrow a kayak?\n"));

    assert.equal((await gaps(["--remove-taught", "1"], env)).stdout, "Removed teach record #1.\n");
    const again = await gaps(["--remove-taught", "1"], env);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, "gaps: Expected the id of a teach record (see npm run gaps -- --taught), got 1\n");
  });

  test("a passage key that is not in the knowledge is refused", async (t) => {
    const { env } = await setting(t);
    const { code, stderr } = await gaps(["--teach", "anything", "--passage", "no-such-key"], env);
    assert.equal(code, 1);
    assert.equal(stderr, `gaps: Expected the key of a passage in ${QA} (a result's "key" in the report or in npm run ask -- --json), got "no-such-key"\n`);
  });

  test("usage errors exit 2 with the usage", async (t) => {
    const { env } = await setting(t);
    const days = await gaps(["--days", "0"], env);
    assert.equal(days.code, 2);
    assert.ok(days.stderr.startsWith('gaps: Expected --days to be a whole number from 1 to 3650, got "0"\n\nUsage: npm run --silent gaps -- '), days.stderr);
    const half = await gaps(["--teach", "a question"], env);
    assert.equal(half.code, 2);
    assert.ok(half.stderr.startsWith("gaps: Expected --teach QUESTION and --passage KEY together\n"), half.stderr);
  });

  test("--chart writes the outcomes per day as a PNG", async (t) => {
    const { dataDir, env } = await setting(t);
    await start(env, "library kayak\n");
    const chart = path.join(dataDir, "chart.png");
    const { code, stderr } = await gaps(["--chart", chart], env);
    assert.equal(code, 0, stderr);
    assert.deepEqual([...(await readFile(chart)).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });
});
