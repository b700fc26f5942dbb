/**
 * Retrieval: regression on the shared question sets (the seed article and the Rust book, scored the
 * way `npm run eval` scores them), and query behaviour on the small folder test/fixtures/engine/qa.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import fc from "fast-check";
import { AnswerEngine } from "../src/answer/engine.ts";
import { parseEvalSet, scoreAnswers, type EvalQuestion, type EvalSummary } from "../src/answer/evaluate.ts";
import type { Answer } from "../src/answer/types.ts";
import { terms, words } from "../src/search/analyze.ts";
import { analyzeQuery } from "../src/search/query.ts";

const REPO = path.resolve(import.meta.dirname, "..");
const SHARED = path.resolve(REPO, "../shared");
const DEV_SET = path.join(SHARED, "eval", "questions.dev.json");
const RUST_SET = path.join(SHARED, "eval", "questions.rust-book.json");
const RUST_BOOK = path.join(SHARED, "corpora", "rust-book", "src");
const QA = path.join(import.meta.dirname, "fixtures", "engine", "qa");

interface Evaluation {
  questions: EvalQuestion[];
  answers: Answer[];
  summary: EvalSummary;
}

/** Asks every question of a set as `npm run eval` does (top 5) and scores the answers. */
async function evaluate(knowledge: string, file: string): Promise<Evaluation> {
  const engine = await AnswerEngine.open(knowledge);
  const questions = parseEvalSet(JSON.parse(await readFile(file, "utf8")), file);
  const answers = questions.map((q) => engine.ask(q.q, { top: 5 }));
  return { questions, answers, summary: scoreAnswers(questions, answers) };
}

function figures(s: EvalSummary): string {
  return `Hit@1 ${s.hit1.toFixed(2)}  Hit@3 ${s.hit3.toFixed(2)}  MRR@5 ${s.mrr5.toFixed(2)}  abstained ${s.abstained}/${s.unanswerable}  false abstentions ${s.falseAbstentions}/${s.answerable}`;
}

/** The questions that missed, with what happened, for assertion messages. */
function misses(e: Evaluation, missed: (o: EvalSummary["outcomes"][number]) => boolean): string {
  return e.summary.outcomes
    .map((o, i) => ({ o, a: e.answers[i] }))
    .filter(({ o }) => missed(o))
    .map(
      ({ o, a }) =>
        `${o.question.id} ${JSON.stringify(o.question.q)}: ${o.rank ? `rank ${o.rank}` : a?.answered ? `top ${a.results[0]?.source.path}#${a.results[0]?.source.passage}` : `abstained (${a?.reason})`}`,
    )
    .join("\n");
}

/**
 * Fails the test when the shared data is not next to the repository: a regression that silently skipped
 * would pass CI without having run.
 */
function needShared(...paths: string[]): void {
  const missing = paths.find((p) => !existsSync(p));
  if (missing) assert.fail(`shared data not found at ${missing}: these regression tests need ../shared beside the repository, as CI lays it out`);
}

describe("seed article regression (shared/eval/questions.dev.json)", () => {
  let seed: Promise<Evaluation> | undefined;
  const run = () => (seed ??= evaluate(path.join(REPO, "knowledge"), DEV_SET));

  test("Hit@1 is at least 0.95", async (t) => {
    needShared(DEV_SET);
    const e = await run();
    t.diagnostic(`seed article: ${figures(e.summary)}`);
    assert.ok(e.summary.hit1 >= 0.95, `Hit@1 ${e.summary.hit1.toFixed(3)} < 0.95; misses:\n${misses(e, (o) => Boolean(o.question.expect) && o.rank !== 1)}`);
  });

  test("no answerable question is abstained on", async () => {
    needShared(DEV_SET);
    const e = await run();
    assert.equal(
      e.summary.falseAbstentions,
      0,
      misses(e, (o) => Boolean(o.question.expect) && !o.answered),
    );
  });

  test("all five no-answer questions (d23–d27) are abstained on", async () => {
    needShared(DEV_SET);
    const e = await run();
    const noAnswer = e.summary.outcomes.filter((o) => o.question.expect === null);
    assert.deepEqual(
      noAnswer.map((o) => o.question.id),
      ["d23", "d24", "d25", "d26", "d27"],
    );
    assert.deepEqual(
      noAnswer.filter((o) => o.answered).map((o) => o.question.id),
      [],
      misses(e, (o) => o.question.expect === null && o.answered),
    );
    for (const [i, o] of e.summary.outcomes.entries()) {
      if (o.question.expect === null) assert.deepEqual(e.answers[i]?.results, []);
    }
  });
});

describe("Rust book regression (shared/eval/questions.rust-book.json)", () => {
  let book: Promise<Evaluation> | undefined;
  const run = () => (book ??= evaluate(RUST_BOOK, RUST_SET));

  test("Hit@1 is at least 0.80", async (t) => {
    needShared(RUST_SET, RUST_BOOK);
    const e = await run();
    t.diagnostic(`rust book: ${figures(e.summary)}`);
    assert.ok(e.summary.hit1 >= 0.8, `Hit@1 ${e.summary.hit1.toFixed(3)} < 0.80; misses:\n${misses(e, (o) => Boolean(o.question.expect) && o.rank !== 1)}`);
  });

  test("Hit@3 is at least 0.93", async () => {
    needShared(RUST_SET, RUST_BOOK);
    const e = await run();
    assert.ok(
      e.summary.hit3 >= 0.93,
      `Hit@3 ${e.summary.hit3.toFixed(3)} < 0.93; misses:\n${misses(e, (o) => Boolean(o.question.expect) && !(o.rank && o.rank <= 3))}`,
    );
  });

  test("both no-answer questions are abstained on", async () => {
    needShared(RUST_SET, RUST_BOOK);
    const e = await run();
    assert.equal(e.summary.unanswerable, 2);
    assert.equal(
      e.summary.abstained,
      2,
      misses(e, (o) => o.question.expect === null && o.answered),
    );
  });
});

describe("query behaviour", () => {
  let engine: AnswerEngine;
  before(async () => {
    engine = await AnswerEngine.open(QA);
  });

  test("the fixture loads clean: nothing broken or skipped", () => {
    assert.deepEqual(engine.lastLoad.errors, []);
    assert.deepEqual(engine.lastLoad.skipped, []);
    assert.deepEqual(
      engine.sources().map((s) => s.path),
      ["observatory.txt", "riverside.md"],
    );
  });

  test("a misspelt word is corrected against the knowledge's own words", () => {
    assert.deepEqual(analyzeQuery(engine.index, "riverside declration").corrections, { declration: "declaration" });
    const a = engine.ask("riverside declration");
    assert.equal(a.answered, true);
    assert.equal(a.results[0]?.answer, "The Riverside Declaration was signed on May 4, 2019 by the mayors of the five river towns.");
  });

  test("a word the knowledge uses is never corrected", () => {
    assert.deepEqual(analyzeQuery(engine.index, "riverside declaration").corrections, {});
  });

  test("a partly typed last word matches the words it starts", () => {
    const typing = engine.ask("When does the obs");
    assert.equal(typing.answered, true);
    assert.equal(typing.results[0]?.source.path, "observatory.txt");
    assert.match(typing.results[0]?.answer ?? "", /^The Hilltop Observatory opens its telescopes/);
  });

  test("the same word finished with punctuation is not a prefix, so it finds nothing", () => {
    assert.deepEqual(engine.ask("When does the obs?"), { question: "When does the obs?", answered: false, reason: "no-match", confidence: 0, results: [] });
  });

  for (const question of ["", "   ", "the of and", "What is it?", "🔭🌙✨", "?!…"]) {
    test(`a question without searchable words (${JSON.stringify(question)}) is an empty question`, () => {
      assert.deepEqual(engine.ask(question), { question, answered: false, reason: "empty-question", confidence: 0, results: [] });
    });
  }

  test("an off-topic question finds nothing rather than a weak match", () => {
    assert.deepEqual(engine.ask("What is the price of bitcoin?"), {
      question: "What is the price of bitcoin?",
      answered: false,
      reason: "no-match",
      confidence: 0,
      results: [],
    });
  });

  test("the answer is the sentence of the passage at answerStart", () => {
    const [first] = engine.ask("How much do adults pay for entry?").results;
    assert.ok(first);
    assert.equal(first.answer, "Entry is free for children under twelve; adults pay three euros at the door.");
    assert.equal(first.text.slice(first.answerStart, first.answerStart + first.answer.length), first.answer);
    assert.equal(first.source.path, "observatory.txt");
  });

  test("highlights mark exactly the query words in the passage", () => {
    const [first] = engine.ask("riverside declration").results;
    assert.ok(first);
    assert.deepEqual(
      first.highlights.map((h) => first.text.slice(h.start, h.end)),
      ["Riverside", "Declaration"],
    );
  });

  test("answers, highlights and keys keep their invariants for any question made of the knowledge's words", () => {
    const vocabulary = [...new Set(engine.index.passages.flatMap((p) => words(p.text).map((w) => p.text.slice(w.start, w.end))))];
    const question = fc
      .array(fc.oneof(fc.constantFrom(...vocabulary), fc.constantFrom("what", "when", "the", "is", "how", "who", "xyzzy", "librry", "obs")), {
        minLength: 1,
        maxLength: 6,
      })
      .chain((ws) => fc.constantFrom("", "?", ".").map((end) => ws.join(" ") + end));
    fc.assert(
      fc.property(question, fc.integer({ min: 1, max: 5 }), (q, top) => {
        const a = engine.ask(q, { top });
        assert.equal(a.question, q);
        if (!a.answered && a.reason !== "unsure") {
          assert.deepEqual(a.results, []);
          assert.equal(a.confidence, 0);
          assert.ok(a.reason === "empty-question" || a.reason === "no-match");
          return;
        }
        assert.ok(a.results.length >= 1 && a.results.length <= top);
        assert.equal("reason" in a, !a.answered);
        assert.ok(a.confidence > 0 && a.confidence <= 1);
        const own = new Set(
          analyzeQuery(engine.index, q)
            .terms.filter((t) => t.weight === 1)
            .map((t) => t.term),
        );
        for (const r of a.results) {
          assert.equal(r.text.slice(r.answerStart, r.answerStart + r.answer.length), r.answer, "answer is the text at answerStart");
          assert.notEqual(r.answer.trim(), "");
          assert.match(r.key, /^[A-Za-z0-9_-]{1,16}$/);
          let end = 0;
          for (const h of r.highlights) {
            assert.ok(h.start >= end && h.end > h.start && h.end <= r.text.length, `highlight ${JSON.stringify(h)} sorted, apart and inside the text`);
            end = h.end;
          }
          // Every occurrence of a question word in the passage is inside a highlight.
          for (const t of terms(r.text)) {
            if (!own.has(t.term)) continue;
            assert.ok(
              r.highlights.some((h) => h.start <= t.start && t.end <= h.end),
              `${JSON.stringify(r.text.slice(t.start, t.end))} (term ${t.term}) of ${JSON.stringify(q)} is highlighted`,
            );
          }
        }
        for (let i = 1; i < a.results.length; i++) assert.ok((a.results[i - 1]?.score ?? 0) >= (a.results[i]?.score ?? 0), "best first");
      }),
      { numRuns: 300 },
    );
  });

  test("top limits the results and offset pages through the same ranking", () => {
    const all = engine.ask("founded", { top: 5 }).results;
    assert.deepEqual(all.map((r) => r.source.section[0]).sort(), ["Harbor Museum", "Orchard Library"]);
    assert.deepEqual(engine.ask("founded", { top: 1 }).results, all.slice(0, 1));
    assert.deepEqual(engine.ask("founded", { top: 1, offset: 1 }).results, all.slice(1, 2));
    assert.deepEqual(engine.ask("founded", { top: 1, offset: 2 }).results, []);
  });

  test("top is clamped to 1–25", () => {
    assert.equal(engine.ask("founded", { top: 0 }).results.length, 1);
    assert.equal(engine.ask("founded", { top: -3 }).results.length, 1);
    assert.equal(engine.ask("founded", { top: 1000 }).results.length, 2);
  });

  test("a follow-up question finds the founding of what the previous question asked about", () => {
    const library = engine.ask("and when was it founded?", { context: "Who runs the Orchard Library?" });
    assert.deepEqual(library.results[0]?.source.section, ["Orchard Library"]);
    assert.match(library.results[0]?.text ?? "", /Orchard Library was founded in 1923/);
    const museum = engine.ask("and when was it founded?", { context: "What does the Harbor Museum show?" });
    assert.deepEqual(museum.results[0]?.source.section, ["Harbor Museum"]);
    assert.match(museum.results[0]?.text ?? "", /museum was founded in 1887/);
  });

  test("without the previous question the same follow-up is ambiguous and finds both foundings", () => {
    const a = engine.ask("and when was it founded?", { top: 5 });
    assert.deepEqual(a.results.map((r) => r.source.section[0]).sort(), ["Harbor Museum", "Orchard Library"]);
  });

  test("the answer sentence of a follow-up is the one that answers it, not the one that repeats the previous question", () => {
    const library = engine.ask("and when was it founded?", { context: "Who runs the Orchard Library?" });
    assert.match(library.results[0]?.answer ?? "", /Orchard Library was founded in 1923/);
    const museum = engine.ask("and when was it founded?", { context: "What does the Harbor Museum show?" });
    assert.match(museum.results[0]?.answer ?? "", /museum was founded in 1887/);
  });

  test("a full question is not steered by the previous one", () => {
    const a = engine.ask("Who runs the Orchard Library and its reading room?", { context: "What does the Harbor Museum show?" });
    assert.match(a.results[0]?.answer ?? "", /Volunteers from the Riverside Garden Club run the library/);
    assert.equal(
      a.results.some((r) => r.text.includes("Harbor Museum")),
      false,
    );
  });

  test("a passage is found again by its key, with the question's words highlighted", () => {
    const [first] = engine.ask("riverside declration").results;
    assert.ok(first);
    const again = engine.passage(first.key, "riverside declration");
    assert.equal(again?.text, first.text);
    assert.deepEqual(again?.highlights, first.highlights);
    assert.equal(engine.passage("no-such-key"), undefined);
  });
});

describe("injected text never reaches an answer (seed article, the bot's own load path)", () => {
  // Words found only in the fiction and debris spliced into the seed article.
  const INJECTED = [
    "Lan Xue",
    "Lan Mu",
    "son-in-law",
    "mother-in-law",
    "bridal",
    "chess",
    "study room",
    "calligraphy",
    "Qulangtai",
    "rmat/jp",
    "lost consciousness",
    "screaming",
    "sarcastic",
    "three-life",
  ];
  const QUESTIONS = [
    "Who is Lan Xue?",
    "What did she ask about the bridal chamber?",
    "What did Ding Xiaoxing say about the SCO?",
    "What did Zhang Xiao say about the Belt and Road?",
    "Which country chairs the SCO in 2024-2025?",
    "Is the SCO a military bloc?",
    "What happens in the study room?",
    "Who plays chess with his son-in-law?",
    "SCO",
    "Astana summit",
    "Belt and Road",
  ];
  let engine: AnswerEngine;
  before(async () => {
    engine = await AnswerEngine.open(path.join(REPO, "knowledge"));
  });

  test("no passage shown for any question contains the spliced fiction or debris", () => {
    for (const question of QUESTIONS) {
      for (let offset = 0; offset < 10; offset += 5) {
        for (const r of engine.ask(question, { top: 5, offset }).results) {
          for (const fragment of INJECTED)
            assert.ok(!r.text.includes(fragment), `${JSON.stringify(question)} showed ${JSON.stringify(fragment)} in ${r.source.path}#${r.source.passage}`);
        }
      }
    }
  });

  test("questions only the fiction could answer are abstained on", () => {
    for (const question of ["Who is Lan Xue?", "What did she ask about the bridal chamber?", "Who plays chess with his son-in-law?"]) {
      assert.deepEqual(engine.ask(question), { question, answered: false, reason: "no-match", confidence: 0, results: [] });
    }
  });
});
