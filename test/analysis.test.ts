/** Text analysis shared by indexing and querying (src/search/analyze.ts, query.ts). */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { AnswerEngine } from "../src/answer/engine.ts";
import { fold, termList, termOf } from "../src/search/analyze.ts";

describe("analysis", () => {
  test("irregular verb forms meet their base form, which a suffix stemmer cannot do", () => {
    for (const [form, base] of [
      ["said", "say"],
      ["spoke", "speak"],
      ["written", "write"],
      ["held", "hold"],
      ["won", "win"],
      ["chosen", "choose"],
    ] as const) {
      assert.equal(termOf(form), termOf(base), `${form} → ${base}`);
    }
  });

  test("words that are also irregular forms of another verb keep their own meaning", () => {
    assert.notEqual(termOf("found"), termOf("find"));
    assert.notEqual(termOf("left"), termOf("leave"));
  });

  test("case, diacritics, curly apostrophes and possessives are folded", () => {
    assert.equal(fold("Kazakhstan’s"), "kazakhstan");
    assert.equal(fold("Café"), "cafe");
    assert.deepEqual(termList("The CAFÉ’s owners"), ["cafe", "owner"]);
  });

  test("identifiers match as a whole and by their parts", () => {
    assert.deepEqual(termList("should_panic RefCell"), ["should_panic", "panic", "refcel", "ref", "cell"]);
  });

  test("stop words and question words are not terms, in any of their forms", () => {
    assert.deepEqual(termList("What is it and how many are there? Tell me what they told you."), []);
  });
});

describe("follow-up questions", () => {
  test("a follow-up with one word of its own is answered in the earlier question's context", async () => {
    const engine = await AnswerEngine.open(path.join(import.meta.dirname, "..", "knowledge"));
    const followUp = engine.ask("and what did he say?", { context: "Who is Kazakhstan's ambassador to China?" });
    assert.equal(followUp.answered, true);
    assert.match(followUp.results[0]?.text ?? "", /Nuryshev said/);
  });
});
