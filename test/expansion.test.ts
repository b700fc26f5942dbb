import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { aliasesFor, frontMatterAliases } from "../src/knowledge/aliases.ts";
import { parseSynonyms } from "../src/knowledge/synonyms.ts";
import { DEFAULT_EXPANSION, ExpansionTable } from "../src/search/expansion.ts";
import { lexicon } from "../src/search/lexicon.ts";

const lex = lexicon();

describe("lexicon (WordNet 3.1, distilled in lexicon/)", () => {
  test("an irregular form has its lemma, and a regular inflection its base", () => {
    assert.deepEqual(lex.lemmas("took"), ["take"]);
    assert.deepEqual(lex.lemmas("ambassadors"), ["ambassador"]);
  });

  test("English words are told from typos and made-up words", () => {
    assert.equal(lex.isWord("envoy"), true);
    assert.equal(lex.isWord("attended"), true);
    assert.equal(lex.isWord("recieve"), false);
    assert.equal(lex.isWord("xyzzy"), false);
  });

  test("a pertainym relates a country to its adjective", () => {
    assert.ok(lex.related("canadian").some((r) => r.word === "canada" && r.relation === "p"));
  });
});

describe("expansion table", () => {
  const table = ExpansionTable.build(["ambassador", "lowest", "established", "took", "canada", "gathered"], lex);

  test("a question word finds the knowledge's word through WordNet: synonym, sibling, pertainym, phrase", () => {
    assert.deepEqual(table.lookup("found")[0], { term: "establish", weight: 0.8 });
    assert.equal(table.lookup("envoi")[0]?.term, "ambassador");
    assert.equal(table.lookup("canadian")[0]?.term, "canada");
    // "get together" is a WordNet phrase whose synonym "gather" the knowledge uses.
    assert.ok(table.lookup("get_togeth").some((e) => e.term === "gather"));
  });

  test("an irregular form in the knowledge answers its lemma in a question, at full weight", () => {
    assert.deepEqual(ExpansionTable.build(["children", "mice"], lex).lookup("child"), [{ term: "children", weight: 1 }]);
    assert.deepEqual(ExpansionTable.build(["children", "mice"], lex).lookup("mous"), [{ term: "mice", weight: 1 }]);
  });

  test("an antonym is never an expansion, however else WordNet relates the two", () => {
    assert.deepEqual(table.lookup("high"), []);
    assert.deepEqual(table.lookup("highest"), []);
  });

  test("expansions only ever name the knowledge's own terms, each below 1 unless it is the same word", () => {
    const vocabulary = ["ambassador", "lowest", "established", "took", "canada", "gathered"];
    const own = new Set(["ambassador", "lowest", "establish", "take", "canada", "gather"]);
    const built = ExpansionTable.build(vocabulary, lex);
    for (const [key, value] of Object.entries(built.toJSON())) {
      for (const entry of value.split(",")) {
        const [term, weight] = entry.split(":");
        assert.ok(!value.includes("|"));
        assert.ok(own.has(term ?? ""), `${key} → ${term} is a term of the knowledge`);
        assert.ok(Number(weight) <= 1 && Number(weight) >= DEFAULT_EXPANSION.minWeight, `${key} → ${term}: ${weight}`);
      }
    }
  });

  test("fan-out is bounded: no question word stands for more than perWord knowledge terms", () => {
    const words = ["run", "operate", "function", "manage", "execute", "race", "flow", "lead", "go", "work", "extend", "carry", "campaign", "hunt", "play"];
    const wide = ExpansionTable.build(words, lex);
    for (const key of Object.keys(wide.toJSON())) assert.ok(wide.lookup(key).length <= DEFAULT_EXPANSION.perWord, key);
    const narrow = ExpansionTable.build(words, lex, { ...DEFAULT_EXPANSION, perWord: 2 });
    for (const key of Object.keys(narrow.toJSON())) assert.ok(narrow.lookup(key).length <= 2, key);
  });

  test("a question word of many senses is damped against one of few", () => {
    const built = ExpansionTable.build(["establish"], lex);
    const found = built.lookup("found")[0]?.weight ?? 0;
    // "found" has 5 senses: damped only when fewer are allowed before damping.
    const damped = ExpansionTable.build(["establish"], lex, { ...DEFAULT_EXPANSION, polysemy: 1 }).lookup("found")[0]?.weight ?? 0;
    assert.ok(damped < found, `${damped} < ${found}`);
  });

  test("the table survives its JSON form unchanged", () => {
    assert.deepEqual(ExpansionTable.fromJSON(table.toJSON()).toJSON(), table.toJSON());
  });

  test("the operator's synonyms apply without the lexicon, at their own weight, phrases included", () => {
    const { rules } = parseSynonyms("throttling, rate limit\nlaptop => computer\n");
    const built = ExpansionTable.build(["rate", "limit", "computer", "laptop"], undefined, DEFAULT_EXPANSION, rules);
    assert.deepEqual(built.lookup("throttl"), [
      { term: "limit", weight: 0.95, operator: true },
      { term: "rate", weight: 0.95, operator: true },
    ]);
    assert.deepEqual(built.lookup("rate_limit"), [{ term: "throttl", weight: 0.95, operator: true }]);
    assert.deepEqual(built.lookup("laptop"), [{ term: "comput", weight: 0.95, operator: true }]);
    // One-way: "computer" does not find "laptop".
    assert.deepEqual(built.lookup("comput"), []);
  });
});

describe("synonyms file (.synonyms.txt)", () => {
  test("two-way sets, one-way rules, comments and blank lines", () => {
    const { rules, issues } = parseSynonyms("# team words\ncouch, sofa\n\nlaptop, notebook => computer  # hardware\n");
    assert.deepEqual(issues, []);
    assert.deepEqual(rules, [
      { from: [["couch"], ["sofa"]], to: [["couch"], ["sofa"]], line: 2 },
      { from: [["laptop"], ["notebook"]], to: [["computer"]], line: 4 },
    ]);
  });

  test("each bad line is reported with its number and the line, and the good lines still apply", () => {
    const { rules, issues } = parseSynonyms("a => b => c\nlonely\nx, , y\nok, fine\n<b>, c\n");
    assert.deepEqual(issues, [
      { line: 1, reason: 'Expected phrases separated by commas, with at most one "=>", got 2 "=>": "a => b => c"' },
      { line: 2, reason: 'Expected phrases separated by commas, with at most one "=>", got a single phrase (a two-way set needs two or more): "lonely"' },
      { line: 3, reason: 'Expected phrases separated by commas, with at most one "=>", got an empty entry between commas: "x, , y"' },
      { line: 5, reason: 'Expected phrases separated by commas, with at most one "=>", got characters that are not words in "<b>": "<b>, c"' },
    ]);
    assert.deepEqual(rules, [{ from: [["ok"], ["fine"]], to: [["ok"], ["fine"]], line: 4 }]);
  });

  test("any text parses without throwing, and every rule has phrases of words", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const { rules } = parseSynonyms(text);
        for (const r of rules) for (const phrase of [...r.from, ...r.to]) assert.ok(phrase.length >= 1 && phrase.every((w) => w.length > 0));
      }),
    );
  });
});

describe("front-matter aliases", () => {
  const sections = [["Limits"], ["Limits", "Embeds"], ["Setup"]];

  test("a list applies to the whole document (Obsidian's aliases)", () => {
    const { aliases, issues } = frontMatterAliases({ aliases: ["envoy", "diplomat"] }, sections);
    assert.deepEqual(issues, []);
    assert.deepEqual(aliasesFor(aliases, ["Setup"]), ["envoy", "diplomat"]);
  });

  test("a mapping applies per section, to the section and everything under it", () => {
    const { aliases, issues } = frontMatterAliases({ aliases: { "": ["guide"], limits: ["caps"], "Limits > Embeds": ["embed size"] } }, sections);
    assert.deepEqual(issues, []);
    assert.deepEqual(aliasesFor(aliases, ["Limits", "Embeds"]), ["guide", "caps", "embed size"]);
    assert.deepEqual(aliasesFor(aliases, ["Setup"]), ["guide"]);
  });

  test("bad values and unknown headings are reported by name and left out", () => {
    const { aliases, issues } = frontMatterAliases({ aliases: { Limits: 42, Nowhere: ["x"], Setup: ["install"] } }, sections);
    assert.deepEqual(issues, [
      'Expected aliases."Limits" to be a phrase or a list of phrases, got 42',
      'Expected aliases to name a section of the document, got "Nowhere"',
    ]);
    assert.deepEqual(aliasesFor(aliases, ["Setup"]), ["install"]);
    assert.deepEqual(frontMatterAliases({ aliases: true }, sections).issues, [
      "Expected aliases to be a list of phrases or a mapping from section headings to phrases, got true",
    ]);
  });
});
