/**
 * The terminal commands, spawned for real from the repository root: `ask` (one question, JSON,
 * batches on stdin, usage errors), `npm start` without a Discord token, and `eval`.
 * No DISCORD_TOKEN and no KNOWLEDGE_DIR: the defaults (./knowledge, the seed article) apply.
 */
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import fc from "fast-check";
import type { Answer } from "../../src/answer/types.ts";
import { runCommand, type Run } from "../support/run.ts";

const REPO = path.resolve(import.meta.dirname, "..", "..");
const QA = path.join("test", "fixtures", "engine", "qa");

/** Index snapshots (and the question log) go to a temporary folder, not to the repository's .cache (and data). */
const CACHE = await mkdtemp(path.join(os.tmpdir(), "kb-cli-cache-"));
after(() => rm(CACHE, { recursive: true, force: true }));

/** The environment of a user who has not configured anything. Empty values count as unset, and keep a .env file from filling them in. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DISCORD_TOKEN: "", KNOWLEDGE_DIR: "", INDEX_CACHE_DIR: CACHE, DATA_DIR: path.join(CACHE, "data"), ...extra };
  for (const name of [
    "NODE_TEST_CONTEXT",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "HEALTH_PORT",
    "DISCORD_GUILD_ID",
    "DISCORD_API_URL",
    "WATCH_KNOWLEDGE",
    "SHARDS",
    "RATE_LIMIT_QUESTIONS",
  ]) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

/** Runs `node --import tsx <script> …args` in the repository root, feeding `input` on stdin. */
function run(script: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return runCommand(process.execPath, ["--import", "tsx", script, ...args], { cwd: REPO, env: cleanEnv(options.env), input: options.input });
}

const ask = (args: string[], options?: { input?: string; env?: Record<string, string> }) => run("src/cli/ask.ts", args, options);

const SCO_ANSWER =
  "The Shanghai Cooperation Organization (SCO), established in Shanghai on June 15, 2001, is the first intergovernmental international organization named after a Chinese city.";
const SCO_TITLE = "Blue Hall Observation丨The SCO Astana Summit will write a new chapter in cooperation";

/** Checks the shape of an Answer as the CLI prints it in JSON. */
function assertAnswerShape(value: unknown): asserts value is Answer {
  const a = value as Answer;
  assert.equal(typeof a.question, "string");
  assert.equal(typeof a.answered, "boolean");
  assert.ok(a.confidence >= 0 && a.confidence <= 1, `confidence ${a.confidence} is from 0 to 1`);
  assert.ok(Array.isArray(a.results));
  for (const r of a.results) {
    assert.deepEqual(Object.keys(r).sort(), ["answer", "answerKind", "answerStart", "highlights", "key", "score", "source", "text"]);
    assert.ok(["sentence", "row", "item", "code"].includes(r.answerKind), `answerKind ${r.answerKind}`);
    assert.equal(r.text.slice(r.answerStart, r.answerStart + r.answer.length), r.answer);
    assert.deepEqual(
      Object.keys(r.source)
        .filter((k) => k !== "url")
        .sort(),
      ["line", "passage", "path", "section", "title"],
    );
  }
}

describe("ask command", { concurrency: os.availableParallelism() }, () => {
  test("a question on the command line prints the answer in its passage, once, and where it came from", async () => {
    const { code, stdout, stderr } = await ask(["When was the SCO established?"]);
    assert.equal(code, 0, stderr);
    assert.ok(stdout.startsWith(`**${SCO_ANSWER}** It is also`), stdout);
    assert.equal(stdout.split(SCO_ANSWER).length, 2, "the answer is shown once");
    assert.ok(
      stdout.includes(`\n  — ${SCO_TITLE} › Maintaining regional peace and ensuring common security is the foundation of the SCO · sco-astana-summit.txt:19\n`),
      stdout,
    );
    assert.equal(stdout.includes("\x1b["), false, "no terminal styling when stdout is a pipe");
    assert.equal(stderr, "");
  });

  test("a question the knowledge does not answer names some of what it covers", async () => {
    const { code, stdout, stderr } = await ask(["--knowledge", QA, "What is the weather in Paris today?"]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^I couldn't find that in the knowledge base\. Try other words, or ask about what it covers, for example:\n( {2}• [^\n]+\n){2,5}$/);
  });

  test("--json prints one JSON object with the Answer shape", async () => {
    const { code, stdout, stderr } = await ask(["--json", "When was the SCO established?"]);
    assert.equal(code, 0, stderr);
    assert.ok(stdout.endsWith("}\n"));
    assert.equal(stdout.trimEnd().split("\n").length, 1);
    const answer: unknown = JSON.parse(stdout);
    assertAnswerShape(answer);
    assert.equal(answer.question, "When was the SCO established?");
    assert.equal(answer.answered, true);
    assert.equal(answer.results[0]?.answer, SCO_ANSWER);
    assert.equal(answer.results[0]?.source.path, "sco-astana-summit.txt");
    assert.equal(answer.results[0]?.source.line, 19);
    assert.ok(answer.results.length <= 3);
  });

  test("the three outcomes: an answer, the closest passages shown as unsure, and no match with nothing shown", async () => {
    const knowledge = path.join("test", "fixtures", "discord-knowledge");
    const input = "when was the lighthouse founded?\nIs the lighthouse haunted?\nWhat is the weather in Paris today?\n";
    const json = await ask(["--json", "--knowledge", knowledge], { input });
    assert.equal(json.code, 0, json.stderr);
    const answers = json.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Answer);
    answers.forEach(assertAnswerShape);
    assert.deepEqual(
      answers.map((a) => [a.answered, a.reason, a.results.length > 0, a.confidence > 0]),
      [
        [true, undefined, true, true],
        [false, "unsure", true, true],
        [false, "no-match", false, false],
      ],
    );
    assert.ok(answers[0]!.confidence > answers[1]!.confidence, "an answer is surer than an unsure one");
    const text = await ask(["--knowledge", knowledge, "Is the lighthouse haunted?"]);
    assert.equal(
      text.stdout,
      "I'm not sure this answers it — closest matches:\n\n1. The lighthouse is open to visitors from April to October, every day from 10:00 to 17:00.\n   — Harbor Lighthouse › Visiting · harbor-lighthouse.md:18 · https://example.org/lighthouse#visiting\n",
    );
  });

  test("questions on stdin with --json give one JSON line per question, in order", async () => {
    const input = "When was the SCO established?\nWhat is the weather in Paris today?\nWho is Kazakhstan's ambassador to China?\n";
    const { code, stdout, stderr } = await ask(["--json"], { input });
    assert.equal(code, 0, stderr);
    const lines = stdout.split("\n");
    assert.equal(lines.pop(), "", "output ends with a newline");
    assert.equal(lines.length, 3);
    const answers = lines.map((line) => JSON.parse(line) as unknown);
    answers.forEach(assertAnswerShape);
    const typed = answers as Answer[];
    assert.deepEqual(
      typed.map((a) => [a.question, a.answered, a.reason]),
      [
        ["When was the SCO established?", true, undefined],
        ["What is the weather in Paris today?", false, "no-match"],
        ["Who is Kazakhstan's ambassador to China?", true, undefined],
      ],
    );
    assert.deepEqual(typed[1]?.results, []);
    assert.match(typed[2]?.results[0]?.text ?? "", /Nuryshev/);
  });

  test("2,000 hostile lines on stdin with --json: no crash, one well-formed JSON answer per line, in order", async () => {
    const word = fc.constantFrom("When", "was", "the", "SCO", "established", "Shanghai", "summit", "ambassador", "?", " ", "  ");
    const hostile = fc.oneof(
      { weight: 3, arbitrary: word },
      {
        weight: 2,
        arbitrary: fc
          .integer({ min: 0, max: 0x1f })
          .filter((c) => c !== 0x0a)
          .map((c) => String.fromCharCode(c)),
      },
      { weight: 2, arbitrary: fc.constantFrom("\u0000", "\r", "\u007f", "\u0085", "\u2028", "\u2029", "\ufeff", "\u200b", "\ufffd") },
      { weight: 2, arbitrary: fc.constantFrom("\ud800", "\udfff", "\udbffA", "\ud83d") },
      { weight: 2, arbitrary: fc.constantFrom("\u202e", "\u200f", "\u2066", "\u061c", "\u202b") },
      { weight: 2, arbitrary: fc.constantFrom("**", "`", "```", "||", "# ", "> ", "[x](https://evil.example)", "\\", "~~", "__", "-# ") },
      { weight: 2, arbitrary: fc.constantFrom("@everyone", "@here", "<@123456789012345678>", "<@&1>", "<#1>", "<t:1:R>", "</ask:1>") },
      { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
      { weight: 1, arbitrary: fc.tuple(word, fc.integer({ min: 1000, max: 12_000 })).map(([w, n]) => `${w} `.repeat(n)) },
    );
    const lines = fc.sample(
      fc.array(hostile, { maxLength: 12 }).map((parts) => parts.join("").replace(/\n/g, " ")),
      { numRuns: 2000, seed: 11 },
    );
    const { code, stdout, stderr } = await ask(["--json"], { input: lines.map((line) => `${line}\n`).join("") });
    assert.equal(code, 0, stderr);
    assert.equal(stderr, "");
    const out = stdout.split("\n");
    assert.equal(out.pop(), "", "output ends with a newline");
    assert.equal(out.length, lines.length);
    out.forEach((line, i) => {
      const answer: unknown = JSON.parse(line);
      assertAnswerShape(answer);
      // What arrives is the UTF-8 of the line (a lone surrogate becomes U+FFFD), a final \r dropped, trimmed.
      const sent = Buffer.from(lines[i] ?? "", "utf8")
        .toString("utf8")
        .replace(/\r$/, "")
        .trim();
      assert.equal(answer.question, sent, `line ${i + 1}`);
      assert.ok(!/[\u0085\u2028\u2029]/.test(line), "no character that line readers take for a line break");
    });
  });

  test("--top sets how many results are printed", async () => {
    const { code, stdout } = await ask(["--json", "--top", "1", "When was the SCO established?"]);
    assert.equal(code, 0);
    assert.equal((JSON.parse(stdout) as Answer).results.length, 1);
  });

  test("--knowledge and KNOWLEDGE_DIR choose the folder", async () => {
    const byFlag = await ask(["--json", "--knowledge", QA, "When was the Riverside Declaration signed?"]);
    const byEnv = await ask(["--json", "When was the Riverside Declaration signed?"], { env: { KNOWLEDGE_DIR: QA } });
    for (const { code, stdout } of [byFlag, byEnv]) {
      assert.equal(code, 0);
      assert.equal(
        (JSON.parse(stdout) as Answer).results[0]?.answer,
        "The Riverside Declaration was signed on May 4, 2019 by the mayors of the five river towns.",
      );
    }
  });

  test("the index snapshot is saved in INDEX_CACHE_DIR and a second run answers the same from it", async (t) => {
    const cache = await mkdtemp(path.join(os.tmpdir(), "kb-cli-snapshot-"));
    t.after(() => rm(cache, { recursive: true, force: true }));
    const args = ["--json", "--knowledge", QA, "When does the Hilltop Observatory open?"];
    const first = await ask(args, { env: { INDEX_CACHE_DIR: cache } });
    const files = await readdir(cache);
    const second = await ask(args, { env: { INDEX_CACHE_DIR: cache } });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(files.length, 1);
    assert.match(files[0] ?? "", /^index-[0-9a-f]{12}\.json$/);
    assert.equal(second.stdout, first.stdout);
    assert.equal((JSON.parse(first.stdout) as Answer).results[0]?.source.path, "observatory.txt");
  });

  test("a knowledge folder that does not exist exits with code 2 and names the folder", async () => {
    const missing = path.join("test", "fixtures", "engine", "no-such-folder");
    const { code, stdout, stderr } = await ask(["--knowledge", missing, "anything"]);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.equal(stderr, `knowledge: folder not found: ${path.join(REPO, missing)}\nSet --knowledge DIR or KNOWLEDGE_DIR to a folder of .md or .txt files.\n`);
  });

  test("--top 0 exits with code 2 and says what --top must be", async () => {
    const { code, stdout, stderr } = await ask(["--top", "0", "When was the SCO established?"]);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.ok(stderr.startsWith('ask: Expected --top to be a whole number from 1 to 25, got "0"\n\nUsage: npm run --silent ask -- '), stderr);
  });
});

describe("npm start without a Discord token", () => {
  test("answers piped questions in the terminal, explains how to connect to Discord, and exits 0", async () => {
    const { code, stdout, stderr } = await run("src/main.ts", [], { input: "When was the SCO established?\n" });
    assert.equal(code, 0, stderr);
    assert.ok(stdout.includes("June 15, 2001"), stdout);
    assert.ok(stdout.startsWith(`**${SCO_ANSWER}**`), stdout);
    assert.ok(stderr.includes("No DISCORD_TOKEN is set, so I'm answering here in the terminal.\n"), stderr);
    assert.ok(stderr.includes("To connect me to Discord: create an application and bot at https://discord.com/developers/applications,"), stderr);
    assert.ok(stderr.includes("put its token in .env as DISCORD_TOKEN=…"), stderr);
  });

  test("a bad setting stops it with code 2 before anything is loaded", async () => {
    const { code, stdout, stderr } = await run("src/main.ts", [], { input: "", env: { WATCH_KNOWLEDGE: "sometimes" } });
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.equal(stderr, 'config: Expected WATCH_KNOWLEDGE to be true or false, got "sometimes"\nFix it in .env or the environment (see .env.example).\n');
  });
});

describe("eval command", { concurrency: os.availableParallelism() }, () => {
  const QUESTIONS = path.join("test", "fixtures", "engine", "eval-questions.json");

  test("prints the misses, then Hit@1, Hit@3, MRR@5, abstentions and false abstentions", async () => {
    const { code, stdout, stderr } = await run("src/cli/eval.ts", [QUESTIONS, "--knowledge", QA]);
    assert.equal(code, 0, stderr);
    const lines = stdout.split("\n");
    assert.equal(lines[0], "Misses:");
    assert.equal(lines[1], "  e3 Who runs the Orchard Library?");
    assert.match(lines[2] ?? "", /^ {6}expected \["a phrase the fixture does not hold"\] \(not in top 5\); top: riverside\.md:\d+ “.+”$/);
    assert.equal(lines[3], "");
    assert.match(lines[4] ?? "", /^Knowledge: test\/fixtures\/engine\/qa \(2 documents, \d+ passages\); 4 questions$/);
    assert.deepEqual(lines.slice(5), [
      "Hit@1 0.67  Hit@3 0.67  MRR@5 0.67  (3 answerable)",
      "No-answer questions abstained on: 1/1",
      "False abstentions: 0/3",
      "",
    ]);
  });

  test("a questions file that is not JSON exits with code 2 and says why", async () => {
    const { code, stdout, stderr } = await run("src/cli/eval.ts", [path.join("test", "fixtures", "engine", "qa", "riverside.md")]);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.match(stderr, /^eval: [^\n]*JSON[^\n]*\nUsage: npm run eval -- QUESTIONS\.json \[--knowledge DIR\] \[--misses\]\n/);
  });

  test('a JSON file without a questions array names the file, with one "eval:" prefix', async () => {
    const { code, stderr } = await run("src/cli/eval.ts", ["package.json"]);
    assert.equal(code, 2);
    assert.ok(stderr.startsWith('eval: Expected package.json to have a "questions" array, got undefined\n'), stderr);
  });

  test("without a questions file or --all it exits with code 2 and the usage, which names --all", async () => {
    const { code, stderr } = await run("src/cli/eval.ts", []);
    assert.equal(code, 2);
    assert.ok(
      stderr.startsWith(
        "eval: Expected a questions file or --all, got neither\nUsage: npm run eval -- QUESTIONS.json [--knowledge DIR] [--misses]\n       npm run eval -- --all ",
      ),
      stderr,
    );
  });

  test("--help prints the usage with --all on stdout", async () => {
    const { code, stdout } = await run("src/cli/eval.ts", ["--help"]);
    assert.equal(code, 0);
    assert.match(stdout, /npm run eval -- --all \[--split test\|tune\|all\]/);
  });

  test("--set scores one blind set per kind, then the summary, and a bad split is named", async () => {
    const { code, stdout, stderr } = await run("src/cli/eval.ts", ["--set", "seed", "--split", "tune"]);
    assert.equal(code, 0, stderr);
    const lines = stdout.split("\n");
    assert.match(lines[0] ?? "", /^seed: 32 questions \(tune\) over knowledge \(1 documents, \d+ passages\)$/);
    assert.match(lines[1] ?? "", /^ {2}kind +questions +Hit@1 +Hit@3 +MRR@5 +declined +unsure$/);
    for (const [i, kind, n] of [
      [2, "close", 9],
      [3, "paraphrased", 9],
      [4, "casual", 8],
      [5, "answerable", 26],
    ] as const) {
      assert.match(lines[i] ?? "", new RegExp(`^ {2}${kind} +${n} +[01]\\.\\d\\d +[01]\\.\\d\\d +[01]\\.\\d\\d +\\d+ +\\d+$`));
    }
    assert.match(lines[6] ?? "", /^ {2}no answer: 6 questions, declined \d\/6 \(\d+%\) \(\d+ no-match, \d+ unsure\)$/);
    assert.ok(lines.includes("Summary, tune halves of 1 sets (32 questions):"), stdout);
    const bad = await run("src/cli/eval.ts", ["--all", "--split", "half"]);
    assert.equal(bad.code, 2);
    assert.ok(bad.stderr.startsWith('eval: Expected --split to be test, tune or all, got "half"\n'), bad.stderr);
  });
});
