/**
 * Passage keys (what a "Full passage" button carries) name a passage by its document and text, not its
 * position: inserting a paragraph above keeps the key on the same passage, and a passage whose text
 * changed is reported gone rather than replaced by another.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { AnswerEngine } from "../src/answer/engine.ts";
import { answerButton, createBotContext } from "../src/discord/respond.ts";
import { encodeButton } from "../src/discord/custom-id.ts";
import { footerFor } from "../src/discord/format.ts";
import { silentLogger } from "../src/log.ts";

const FERRY = "The island ferry leaves the quay at seven every morning and comes back at six in the evening.";
const MARKET = "The fish market opens at dawn on the old pier and closes when the last boat has been unloaded.";
const INSERTED = "The harbour office issues mooring permits to visiting sailors every weekday until noon.";

const doc = (...sections: [string, string][]) => `# Harbour\n\n${sections.map(([heading, text]) => `## ${heading}\n\n${text}\n`).join("\n")}`;

describe("passage keys", () => {
  test("a key still names the same passage after a paragraph is inserted above it, and names none once its text changes", async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "kb-keys-"));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, "harbour.md");
    await writeFile(file, doc(["Ferry", FERRY], ["Market", MARKET]));
    const engine = await AnswerEngine.open(dir);
    t.after(() => engine.close());

    const market = engine.ask("When does the fish market open?").results[0];
    assert.equal(market?.text, MARKET);
    assert.equal(market.source.passage, 2);

    await writeFile(file, doc(["Office", INSERTED], ["Ferry", FERRY], ["Market", MARKET]));
    await engine.reload();
    const moved = engine.passage(market.key, "fish market");
    assert.equal(moved?.text, MARKET);
    assert.equal(moved.source.passage, 3, "the passage moved down one place; its key followed it");
    assert.equal(engine.ask("When does the fish market open?").results[0]?.key, market.key);

    await writeFile(file, doc(["Office", INSERTED], ["Ferry", FERRY], ["Market", MARKET.replace("dawn", "six")]));
    await engine.reload();
    assert.equal(engine.passage(market.key, "fish market"), undefined);

    // What the person pressing the old button sees.
    const ctx = createBotContext({ engine, config: { maxQuestionLength: 300, rateLimitQuestions: 0, rateLimitWindowSeconds: 30 }, logger: silentLogger });
    const outcome = await answerButton(ctx, {
      customId: encodeButton({ kind: "full", key: market.key, offset: 0, askerId: "1200000000000000001" }),
      userId: "1200000000000000001",
      footer: footerFor({ question: "When does the fish market open?" }),
      messageEphemeral: false,
    });
    assert.equal(outcome.mode, "reply");
    assert.equal(outcome.reply.embeds[0]?.description, "That passage is no longer in the knowledge base (it was updated since). Ask again for a fresh answer.");
  });

  test("the same text in two documents has two keys", async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "kb-keys-"));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(path.join(dir, "a.md"), doc(["Ferry", FERRY]));
    await writeFile(path.join(dir, "b.md"), doc(["Ferry", FERRY]));
    const engine = await AnswerEngine.open(dir);
    t.after(() => engine.close());
    const results = engine.ask("When does the island ferry leave?", { top: 2 }).results;
    assert.deepEqual(results.map((r) => r.source.path).sort(), ["a.md", "b.md"]);
    assert.notEqual(results[0]?.key, results[1]?.key);
    for (const r of results) assert.equal(engine.passage(r.key)?.source.path, r.source.path);
  });
});
