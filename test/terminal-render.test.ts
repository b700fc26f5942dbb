/**
 * Answers as terminal text (src/terminal/render.ts) at two widths, and log lines kept off the prompt
 * (src/terminal/prompt-guard.ts) with a real readline on a stand-in terminal.
 */
import assert from "node:assert/strict";
import { createInterface } from "node:readline";
import { PassThrough, Writable } from "node:stream";
import { describe, test } from "node:test";
import { plural, someTopics } from "../src/answer/display.ts";
import type { Answer, AnswerResult } from "../src/answer/types.ts";
import type { PassageSource } from "../src/knowledge/types.ts";
import { promptAnswered, showPrompt, writeAbovePrompt } from "../src/terminal/prompt-guard.ts";
import { ansiStyle, renderAnswer } from "../src/terminal/render.ts";

function result(text: string, answer: string, source: Partial<PassageSource> = {}): AnswerResult {
  return {
    key: "k",
    text,
    answer,
    answerKind: "sentence",
    answerStart: text.indexOf(answer),
    score: 1,
    source: { path: "guide/cli.md", title: "Command Line Interface", section: ["Command Line Interface", "Dev server"], passage: 2, line: 17, ...source },
    highlights: [],
  };
}

const ENV = result(
  "Vite uses `dotenv` to load variables from files in your environment directory. " +
    "Variables are read when the server starts, so restart it after a change (see `server.restart()`). " +
    "Only variables prefixed with `VITE_` are exposed to your code.\n\nUse `` `import.meta.env` `` to read them.",
  "Variables are read when the server starts, so restart it after a change (see `server.restart()`).",
  {
    path: "guide/env-and-mode.md",
    title: "Env Variables and Modes",
    section: ["Env Variables and Modes", "`.env` Files"],
    line: 64,
    url: "https://vite.dev/guide/env-and-mode#env-files",
  },
);
const ROW = result(
  "| Options | |\n| --- | --- |\n| `--host [host]` | Specify hostname (`string`) |\n| `--port <port>` | Specify port (`number`) |",
  "| `--port <port>` | Specify port (`number`) |",
);
const LIST_TEXT = "The class provides these methods:\n\n- `reply()`\n- `deferReply()`\n  - sends the *thinking* state\n- `followUp()`";
const ITEM = result(LIST_TEXT, "- `deferReply()`", {
  path: "interactions/modals.md",
  title: "Modals",
  section: ["Responding to modal submissions"],
  line: 146,
});
const answered: Answer = { question: "q", answered: true, confidence: 1, results: [ENV, ROW, ITEM] };

/** Result 2 of `answered`: a table row under its header, at any width above 60. */
const SECOND_RESULT = [
  "More results:",
  "",
  "2. Options",
  "   …",
  "   `--port <port>` │ Specify port (`number`)",
  "   — Command Line Interface › Dev server · guide/cli.md:17",
  "",
];

describe("terminal answers", () => {
  test("at 60 columns: the answer in its passage (marked, not repeated), further results as their answer units, citations indented", () => {
    assert.equal(
      renderAnswer(answered, { width: 60 }),
      [
        "Vite uses `dotenv` to load variables from files in your",
        "environment directory. **Variables are read when the server",
        "starts, so restart it after a change (see",
        "`server.restart()`).** Only variables prefixed with `VITE_`",
        "are exposed to your code.",
        "",
        "Use `` `import.meta.env` `` to read them.",
        "  — Env Variables and Modes › `.env` Files ·",
        "    guide/env-and-mode.md:64 ·",
        "    https://vite.dev/guide/env-and-mode#env-files",
        "",
        ...SECOND_RESULT,
        "3. `deferReply()`",
        "   — Modals › Responding to modal submissions ·",
        "     interactions/modals.md:146",
      ].join("\n"),
    );
  });

  test("at 100 columns the same answer wraps later", () => {
    assert.equal(
      renderAnswer(answered, { width: 100 }),
      [
        "Vite uses `dotenv` to load variables from files in your environment directory. **Variables are read",
        "when the server starts, so restart it after a change (see `server.restart()`).** Only variables",
        "prefixed with `VITE_` are exposed to your code.",
        "",
        "Use `` `import.meta.env` `` to read them.",
        "  — Env Variables and Modes › `.env` Files · guide/env-and-mode.md:64 ·",
        "    https://vite.dev/guide/env-and-mode#env-files",
        "",
        ...SECOND_RESULT,
        "3. `deferReply()`",
        "   — Modals › Responding to modal submissions · interactions/modals.md:146",
      ].join("\n"),
    );
  });

  test("without a width (a pipe) paragraphs stay on one line", () => {
    const lines = renderAnswer({ ...answered, results: [ENV] }).split("\n");
    assert.equal(
      lines[0],
      "Vite uses `dotenv` to load variables from files in your environment directory. **Variables are read when the server starts, so restart it after a change (see `server.restart()`).** Only variables prefixed with `VITE_` are exposed to your code.",
    );
    assert.equal(lines.length, 4);
  });

  test("on a terminal the answer is bold, query words underlined, the citation dim; wrapping counts what shows, not escape codes", () => {
    const withTerms = { ...ENV, highlights: [{ start: ENV.text.indexOf("restart"), end: ENV.text.indexOf("restart") + 7 }] };
    const out = renderAnswer({ ...answered, results: [withTerms] }, { width: 60, style: ansiStyle });
    assert.ok(out.includes("\x1b[1mVariables are read when the server\x1b[22m"), out);
    assert.ok(out.includes("so \x1b[4mrestart\x1b[24m it"), out);
    assert.ok(out.includes("\x1b[2mEnv Variables and Modes"), out);
    // eslint-disable-next-line no-control-regex
    for (const line of out.split("\n")) assert.ok(line.replace(/\x1b\[\d+m/g, "").length <= 60, line);
  });

  test("a list item and a code block are marked as the answer", () => {
    assert.equal(
      renderAnswer({ ...answered, results: [result(LIST_TEXT, "- `deferReply()`\n  - sends the *thinking* state")] }, { width: 60 }),
      "The class provides these methods:\n\n• `reply()`\n➤ **`deferReply()`**\n  ➤ **sends the *thinking* state**\n• `followUp()`\n  — Command Line Interface › Dev server · guide/cli.md:17",
    );
    const code = "To set the port, add it to the config file.\n\n```js\nexport default {\n  server: { port: 8080 },\n}\n```";
    assert.equal(
      renderAnswer({ ...answered, results: [result(code, "```js\nexport default {\n  server: { port: 8080 },\n}\n```")] }, { width: 60 }),
      "To set the port, add it to the config file.\n\n➤ **Answer:**\n    export default {\n      server: { port: 8080 },\n    }\n  — Command Line Interface › Dev server · guide/cli.md:17",
    );
  });

  test("unsure answers say so and list the closest matches", () => {
    assert.equal(
      renderAnswer({ question: "q", answered: false, reason: "unsure", confidence: 0.2, results: [ENV] }, { width: 60 }),
      [
        "I'm not sure this answers it — closest matches:",
        "",
        "1. Variables are read when the server starts, so restart it",
        "   after a change (see `server.restart()`).",
        "   — Env Variables and Modes › `.env` Files ·",
        "     guide/env-and-mode.md:64 ·",
        "     https://vite.dev/guide/env-and-mode#env-files",
      ].join("\n"),
    );
  });

  test("a miss names some of what the knowledge covers", () => {
    const topics = someTopics([
      { title: "Release notes", sections: [], passages: 2 },
      { title: "Configuring Vite", sections: ["Config file", "Config file › Intellisense"], passages: 40 },
      { title: "Server Options", sections: [], passages: 30 },
    ]);
    assert.deepEqual(topics, ["Configuring Vite", "Server Options", "Release notes", "Config file"]);
    assert.equal(
      renderAnswer({ question: "q", answered: false, reason: "no-match", confidence: 0, results: [] }, { width: 60, topics: topics.slice(0, 2) }),
      "I couldn't find that in the knowledge base. Try other words,\nor ask about what it covers, for example:\n  • Configuring Vite\n  • Server Options",
    );
  });

  test("plurals", () => {
    assert.deepEqual([plural(1, "document"), plural(2, "document"), plural(1057, "passage")], ["1 document", "2 documents", "1,057 passages"]);
  });
});

describe("log lines and the prompt", () => {
  function terminal() {
    const events: string[] = [];
    const output = Object.assign(new Writable({ write: (chunk, _encoding, done) => (events.push(`out ${JSON.stringify(String(chunk))}`), done()) }), {
      isTTY: true,
      columns: 80,
    });
    const stderr = new Writable({ write: (chunk, _encoding, done) => (events.push(`err ${JSON.stringify(String(chunk))}`), done()) });
    const input = new PassThrough();
    const rl = createInterface({ input, output, prompt: "? ", terminal: true });
    return { events, output, stderr, input, rl };
  }

  test("a log line while the prompt shows clears the prompt, is written, and the prompt comes back with what was typed", async () => {
    const { events, output, stderr, input, rl } = terminal();
    showPrompt(rl, output);
    input.write("when was");
    await new Promise((resolve) => setImmediate(resolve));
    events.length = 0;
    writeAbovePrompt(stderr, "WARN knowledge: skipped a.md\n");
    rl.close();
    promptAnswered();
    assert.deepEqual(events.slice(0, 7), [
      'out "\\u001b[1G"',
      'out "\\u001b[0J"',
      'err "WARN knowledge: skipped a.md\\n"',
      'out "\\u001b[1G"',
      'out "\\u001b[0J"',
      'out "? when was"',
      'out "\\u001b[11G"',
    ]);
  });

  test("with no prompt showing, a log line is written as it is", () => {
    const { events, stderr, rl } = terminal();
    promptAnswered();
    writeAbovePrompt(stderr, "INFO loaded\n");
    rl.close();
    assert.deepEqual(events, ['err "INFO loaded\\n"']);
  });
});
