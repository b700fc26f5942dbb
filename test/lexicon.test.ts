/** The word lists and stems that search and the hygiene check share (src/lexicon). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { STOP } from "../src/knowledge/hygiene/lexicon.ts";
import { stem } from "../src/lexicon/stem.ts";
import { FUNCTION_WORDS, QUESTION_WORDS, STOP_WORDS } from "../src/lexicon/stopwords.ts";
import { IRREGULAR_FORMS, IRREGULAR_PAST } from "../src/lexicon/verbs.ts";
import { termOf } from "../src/search/analyze.ts";

describe("lexicon", () => {
  it("gives search every function word and question word, and the hygiene check the function words but not the question words", () => {
    for (const word of [...FUNCTION_WORDS, ...QUESTION_WORDS]) assert.equal(STOP_WORDS.has(word), true, word);
    for (const word of FUNCTION_WORDS) assert.equal(STOP.has(word), true, word);
    for (const word of QUESTION_WORDS) assert.equal(STOP.has(word), false, word);
  });

  it("maps irregular forms to their base for search, except forms that are words of their own", () => {
    assert.equal(IRREGULAR_FORMS.get("said"), "say");
    assert.equal(IRREGULAR_FORMS.get("written"), "write");
    assert.equal(IRREGULAR_FORMS.get("leaves"), "leave");
    assert.equal(IRREGULAR_FORMS.get("found"), undefined);
    assert.equal(termOf("said"), termOf("say"));
    assert.equal(termOf("found"), stem("found"));
  });

  it("reads simple past forms as past for the hygiene check, but not those spelt like their base", () => {
    for (const past of ["was", "were", "saw", "left", "said", "made"]) assert.equal(IRREGULAR_PAST.has(past), true, past);
    for (const form of ["put", "set", "written", "say"]) assert.equal(IRREGULAR_PAST.has(form), false, form);
  });

  it("stems with Porter, the same for both", () => {
    assert.deepEqual(["ownership", "running", "connections"].map(stem), ["ownership", "run", "connect"]);
  });
});
