/** The code-fence grammar of passage text (src/knowledge/fence.ts), which the parsers write and every reader reads. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { captionLine, codeBlockText, fenceAt, fenceLanguage, findFences, hasFence, splitCode } from "../src/knowledge/fence.ts";

describe("writing code blocks", () => {
  test("a code block is a backtick fence with the language alone on the opening line", () => {
    assert.equal(codeBlockText("lamp --check\n", "sh"), "```sh\nlamp --check\n```");
    assert.equal(codeBlockText("\n\nx = 1\n\n"), "```\nx = 1\n```");
  });

  test("the language is what an info string starts with, up to the first character a language has not", () => {
    assert.deepEqual(
      ["sh:no-line-numbers", "js {9}", "ts twoslash", "js [vite.config.js]", 'ts title="x.ts"', "rust,ignore", "c++", "{.python}", ""].map(fenceLanguage),
      ["sh", "js", "ts", "js", "ts", "rust", "c++", "", ""],
    );
  });

  test("a caption is a line before the fence: a file name in backticks, a tab name as it is, each ending with a colon", () => {
    assert.equal(codeBlockText("export default {}", "js", "vite.config.js"), "`vite.config.js`:\n```js\nexport default {}\n```");
    assert.equal(codeBlockText("npm i", "sh", "npm"), "npm:\n```sh\nnpm i\n```");
    assert.deepEqual(["src/main.rs", "Yarn", "Which one?", ".env"].map(captionLine), ["`src/main.rs`:", "Yarn:", "Which one?", "`.env`:"]);
  });

  test("code holding fence lines gets a longer fence, as CommonMark needs", () => {
    assert.equal(codeBlockText("```js\nx\n```", "md"), "````md\n```js\nx\n```\n````");
    assert.equal(codeBlockText("````\ny\n````"), "`````\n````\ny\n````\n`````");
  });

  test("no code, no block", () => {
    assert.equal(codeBlockText("  \n\n", "js", "a.js"), "");
  });
});

describe("reading code blocks", () => {
  const text = "Install it:\n\n`lamp.sh`:\n```sh\nlamp --check\n```\n\nThen:\n\n````md\n```js\nx\n```\n````\n\nDone.";

  test("every code block is found, with its language and code, a longer fence holding shorter ones", () => {
    assert.deepEqual(
      findFences(text).map((f) => [text.slice(f.start, f.end), f.language, f.code]),
      [
        ["```sh\nlamp --check\n```", "sh", "lamp --check"],
        ["````md\n```js\nx\n```\n````", "md", "```js\nx\n```"],
      ],
    );
  });

  test("a fence that never closes, or backticks inside a line, are not a code block", () => {
    assert.deepEqual(findFences("```sh\nnever closed"), []);
    assert.deepEqual(findFences("Type ``` to open a block."), []);
    assert.equal(hasFence("Type ``` to open a block."), false);
  });

  test("fenceAt says whether a code block opens at the start of a line there", () => {
    const at = text.indexOf("```sh");
    assert.equal(fenceAt(text, at), true);
    assert.equal(fenceAt(text, at + 1), false);
    assert.equal(fenceAt(text, 0), false);
    assert.equal(fenceAt("x ```sh\na\n```", 2), false);
  });

  test("splitCode gives the prose with each block replaced by a space, and each block's code", () => {
    assert.deepEqual(splitCode(text), { prose: "Install it:\n\n`lamp.sh`:\n \n\nThen:\n\n \n\nDone.", code: ["lamp --check", "```js\nx\n```"] });
    assert.deepEqual(splitCode("No code here."), { prose: "No code here.", code: [] });
  });
});
