/**
 * The unmodified bot (real discord.js client, real AnswerEngine over test/fixtures/discord-knowledge) logs into
 * the Discord test server on loopback through DISCORD_API_URL; every assertion is on what it sent.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, afterEach, before, describe, test } from "node:test";
import type { AnswerEngine } from "../../src/answer/engine.ts";
import type { AnswerService } from "../../src/answer/service.ts";
import { FIXTURE_KNOWLEDGE, startHarness, type Harness } from "../support/discord-harness.ts";
import { DiscordTestServer, type FakeUser, type Json, type RecordedRequest } from "../support/discord-server.ts";

const SAFE_MENTIONS = { parse: [], replied_user: false };
const BLURPLE = 5793266;
const GREY = 10070709;
const EPHEMERAL = 64;

function callback(request: RecordedRequest): { type: number; data: Json } {
  return request.body as { type: number; data: Json };
}

/** The parts of a message body the bot decides (discord.js adds `tts` and `enforce_nonce` itself). */
function shown(data: Json): Json {
  const { tts: _tts, enforce_nonce: _nonce, ...rest } = data;
  return rest;
}

function buttonsOf(message: Json | undefined): Map<string, string> {
  const rows = (message?.components ?? []) as { components: { label: string; custom_id: string }[] }[];
  return new Map(rows.flatMap((row) => row.components.map((button) => [button.label, button.custom_id] as [string, string])));
}

/** Asks "lighthouse" (an answer with buttons) and presses the button labelled `label` on the answer. */
async function pressOnLighthouseAnswer(h: Harness, label: string, init: { user?: FakeUser } = {}) {
  const asked = h.server.command("ask", { question: "lighthouse" });
  await asked.response;
  const message = h.server.originalMessage(asked.id);
  return { asked, message, press: h.server.button(String(message?.id), buttonsOf(message).get(label) ?? "", init) };
}

const HISTORY =
  "**The lighthouse was founded in 1871 by the Port Wren Maritime Society.** Its first keeper was Agnes Hollow, who kept the lamp lit for thirty-two years.\n\n" +
  "The original oil lamp was replaced by an electric lamp in 1932, and the tower was automated in 1987.\n\n" +
  "**Harbor Lighthouse › History** · `harbor-lighthouse.md:12` · [open](https://example.org/lighthouse#history)";

const NO_MATCH = {
  embeds: [{ color: GREY, description: "I couldn't find that in the knowledge base. Try other key words, or use `/sources` to see what I know about." }],
  components: [],
  allowed_mentions: SAFE_MENTIONS,
  flags: EPHEMERAL,
};

// As `npm start` runs it (answers in a worker thread), and with the engine on the bot's own thread.
for (const threaded of [true, false])
  describe(`Discord bot, end to end${threaded ? "" : ", engine on the bot's thread"}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ threaded });
    });
    after(async () => {
      await h?.close();
    });
    afterEach(() => {
      assert.deepEqual(h.server.violations, [], "every payload is within Discord's limits and pings no one");
    });

    test("logs in without privileged intents, through the gateway URL that /gateway/bot names", async () => {
      const [identify, ...more] = h.server.identifies();
      assert.equal(more.length, 0);
      assert.equal((identify?.d as Json).intents, 1 | (1 << 9) | (1 << 12));
      assert.equal(identify?.path, "/gateway");
      assert.ok(h.server.requests.some((request) => request.route === "/gateway/bot"));
      const startup = h.logs.join("\n");
      const guild = h.server.guilds[0]?.id;
      assert.ok(startup.includes(`guilds=Test Guild 1 (${guild})`));
      assert.ok(startup.includes(`guild commands live guild=${guild} commands=/ask /sources /help /reload /gaps /teach`));
    });

    test("/ask in a server channel answers publicly with the answer in bold and its citation", async () => {
      const { response } = h.server.command("ask", { question: "when was the lighthouse founded?" });
      const request = await response;
      assert.equal(request.query.get("with_response"), "false");
      assert.equal(request.status, 204);
      assert.equal(callback(request).type, 4);
      assert.deepEqual(shown(callback(request).data), {
        embeds: [{ color: BLURPLE, description: HISTORY, footer: { text: "Question: when was the lighthouse founded?\nResult 1" } }],
        components: [],
        allowed_mentions: SAFE_MENTIONS,
      });
    });

    test("/ask in a DM answers there", async () => {
      const { response } = h.server.command("ask", { question: "how much do tickets cost?" }, { where: "dm", user: h.server.bob });
      const { type, data } = callback(await response);
      assert.equal(type, 4);
      assert.equal(data.flags, undefined);
      assert.deepEqual(data.embeds, [
        {
          color: BLURPLE,
          description:
            "The lighthouse is open to visitors from April to October, every day from 10:00 to 17:00. **Tickets cost 6 euros for adults and are free for children under twelve.**\n\n" +
            "Visitors climb 143 steps to reach the gallery, which has a view over the whole bay.\n\n" +
            "**Harbor Lighthouse › Visiting** · `harbor-lighthouse.md:18` · [open](https://example.org/lighthouse#visiting)",
          footer: { text: "Question: how much do tickets cost?\nResult 1" },
        },
      ]);
    });

    test("/ask private:true answers ephemerally", async () => {
      const { response } = h.server.command("ask", { question: "when was the lighthouse founded?", private: true });
      const { type, data } = callback(await response);
      assert.equal(type, 4);
      assert.equal(data.flags, EPHEMERAL);
      assert.equal((data.embeds as Json[])[0]?.description, HISTORY);
    });

    test("/ask the engine is unsure of shows the closest matches, plainly as not an answer", async () => {
      const { response } = h.server.command("ask", { question: "Is the lighthouse haunted?" });
      const { type, data } = callback(await response);
      assert.equal(type, 4);
      assert.deepEqual(shown(data), {
        embeds: [
          {
            color: 0x99aab5,
            description: "I'm not sure this answers it — closest matches:",
            fields: [
              {
                name: "1. Harbor Lighthouse › Visiting",
                value:
                  "The lighthouse is open to visitors from April to October, every day from 10:00 to 17:00.\n`harbor-lighthouse.md:18` · [open](https://example.org/lighthouse#visiting)",
              },
            ],
            footer: { text: "Question: Is the lighthouse haunted?\nResult 1" },
          },
        ],
        components: [{ type: 1, components: [{ type: 2, style: 2, label: "Show full passage", custom_id: "kb1:full:0:pNV5dzpTCogz:1200000000000000001" }] }],
        allowed_mentions: SAFE_MENTIONS,
      });
    });

    test("/ask with no match says so privately instead of guessing", async () => {
      const { response } = h.server.command("ask", { question: "what is the meaning of life?" });
      const { type, data } = callback(await response);
      assert.equal(type, 4);
      assert.deepEqual(shown(data), NO_MATCH);
    });

    test("/ask with only emoji and punctuation gets the help text, privately", async () => {
      const { response } = h.server.command("ask", { question: "🤔🤔 ?!" });
      const { data } = callback(await response);
      assert.equal(data.flags, EPHEMERAL);
      assert.equal((data.embeds as Json[])[0]?.title, "How to ask me");
    });

    test("autocomplete answers with at most 25 suggestions from the knowledge", async () => {
      const { response } = h.server.autocomplete("ask", "question", "light");
      const { type, data } = callback(await response);
      assert.equal(type, 8);
      const values = (data.choices as { name: string; value: string }[]).map((choice) => choice.value);
      // "lit" is a form of "light", and the word being typed also starts "lighthouse": both are offered.
      assert.deepEqual(values, [
        "light",
        "History",
        "Its first keeper was Agnes Hollow, who kept the lamp lit for thirty-two years.",
        "The Harbor Lighthouse stands on the northern breakwater of Port Wren and guides ships into the old…",
        "Maintenance",
        "To check the lighthouse lamp, run the diagnostic script:",
        "Visiting",
        "The lighthouse is open to visitors from April to October, every day from 10:00 to 17:00.",
      ]);
    });

    test("an answer with more results offers More results and Full passage buttons that fit in a custom id", async () => {
      const asked = h.server.command("ask", { question: "lighthouse" });
      await asked.response;
      const buttons = buttonsOf(h.server.originalMessage(asked.id));
      assert.deepEqual([...buttons.keys()], ["More results", "Full passage 2", "Full passage 3"]);
      assert.equal(buttons.get("More results"), "kb1:page:3:1200000000000000001");
      for (const id of buttons.values()) assert.ok(id.length <= 100);
    });

    test("More results pressed by the asker replaces the answer with the next results", async () => {
      const { press } = await pressOnLighthouseAnswer(h, "More results");
      const { type, data } = callback(await press.response);
      assert.equal(type, 7);
      assert.deepEqual(shown(data), {
        embeds: [
          {
            color: BLURPLE,
            description:
              "**The lighthouse is open to visitors from April to October, every day from 10:00 to 17:00.** Tickets cost 6 euros for adults and are free for children under twelve.\n\n" +
              "Visitors climb 143 steps to reach the gallery, which has a view over the whole bay.\n\n" +
              "**Harbor Lighthouse › Visiting** · `harbor-lighthouse.md:18` · [open](https://example.org/lighthouse#visiting)",
            footer: { text: "Question: lighthouse\nResult 4" },
          },
        ],
        components: [{ type: 1, components: [{ type: 2, style: 2, label: "Previous results", custom_id: "kb1:page:0:1200000000000000001" }] }],
        allowed_mentions: SAFE_MENTIONS,
      });
    });

    test("a button pressed by someone other than the asker answers that person privately", async () => {
      const { asked, press } = await pressOnLighthouseAnswer(h, "More results", { user: h.server.bob });
      const { type, data } = callback(await press.response);
      assert.equal(type, 4);
      assert.equal(data.flags, EPHEMERAL);
      assert.equal((data.embeds as Json[])[0]?.footer && ((data.embeds as Json[])[0]?.footer as Json).text, "Question: lighthouse\nResult 4");
      // Bob's copy has buttons of his own.
      assert.deepEqual([...buttonsOf(data).values()], ["kb1:page:0:1200000000000000002"]);
      // Alice's public answer is untouched.
      assert.equal(((h.server.originalMessage(asked.id)?.embeds as Json[])[0]?.footer as Json).text, "Question: lighthouse\nResults 1–3");
    });

    test("Show full passage shows the whole passage with a way back", async () => {
      const { message, press } = await pressOnLighthouseAnswer(h, "Full passage 2");
      const { type, data } = callback(await press.response);
      assert.equal(type, 7);
      assert.deepEqual(data.embeds, [
        {
          color: BLURPLE,
          title: "Harbor Lighthouse › Maintenance",
          url: "https://example.org/lighthouse#maintenance",
          description:
            "**To check the lighthouse lamp, run the diagnostic script:**\n\n```sh\nlamp-check --full --report\n```\n\n" +
            "**Part** │ **Interval**\nLens cleaning │ monthly\nBulb replacement │ yearly\n\n" +
            "`harbor-lighthouse.md:24`",
          footer: { text: "Question: lighthouse" },
        },
      ]);
      assert.deepEqual([...buttonsOf(data).entries()], [["Back to results", "kb1:page:0:1200000000000000001"]]);

      const back = h.server.button(String(message?.id), "kb1:page:0:1200000000000000001");
      const backData = callback(await back.response).data;
      assert.equal(((backData.embeds as Json[])[0]?.footer as Json).text, "Question: lighthouse\nResults 1–3");
    });

    test("a button from an unknown format is answered privately, not with an error", async () => {
      const asked = h.server.command("ask", { question: "lighthouse" });
      await asked.response;
      const press = h.server.button(String(h.server.originalMessage(asked.id)?.id), "legacy:more:3");
      const { type, data } = callback(await press.response);
      assert.equal(type, 4);
      assert.equal(data.flags, EPHEMERAL);
      assert.equal((data.embeds as Json[])[0]?.description, "This button belongs to an answer I can no longer read. Ask again for a fresh answer.");
    });

    test("an @mention in a server channel is answered as a reply to that message", async () => {
      const channel = h.server.channel("text");
      const question = h.server.message(`<@${h.server.botUser.id}> when was the lighthouse founded?`);
      const reply = await h.server.waitForRequest((request) => request.method === "POST" && request.route === `/channels/${channel.id}/messages`);
      const body = reply.body as Json;
      assert.deepEqual(body.message_reference, { message_id: question?.id, fail_if_not_exists: false });
      assert.deepEqual(body.allowed_mentions, SAFE_MENTIONS);
      assert.deepEqual(body.embeds, [{ color: BLURPLE, description: HISTORY, footer: { text: "Question: when was the lighthouse founded?\nResult 1" } }]);
      // Memory stays bounded in a big bot: no message history is kept, only the channel.
      const cached = h.bot.client.channels.cache.get(channel.id);
      assert.ok(cached?.isTextBased());
      assert.equal(cached.messages.cache.size, 0);
      // Users and members are kept to a bound, not for everyone who ever wrote.
      assert.equal((h.bot.client.users.cache as unknown as { maxSize: number }).maxSize, 1000);
      assert.equal((h.bot.client.guilds.cache.first()?.members.cache as unknown as { maxSize: number } | undefined)?.maxSize, 200);
    });

    test("a bare @mention gets the help text", async () => {
      const channel = h.server.channel("text");
      const mark = h.server.requests.length;
      const question = h.server.message(`<@${h.server.botUser.id}>`);
      const reply = await h.server.waitForRequest(
        (request) =>
          request.seq >= mark &&
          request.route === `/channels/${channel.id}/messages` &&
          (request.body as Json).message_reference !== undefined &&
          ((request.body as Json).message_reference as Json).message_id === question?.id,
      );
      assert.equal(((reply.body as Json).embeds as Json[])[0]?.title, "How to ask me");
    });

    test("a mention of the bot's managed role counts as a mention", async () => {
      const guild = h.server.guilds[0];
      const question = h.server.message(`<@&${guild?.botRoleId}> how many steps are there?`);
      const reply = await h.server.waitForRequest(
        (request) => ((request.body as Json | undefined)?.message_reference as Json | undefined)?.message_id === question?.id,
      );
      assert.match(String(((reply.body as Json).embeds as Json[])[0]?.description), /\*\*Visitors climb 143 steps/);
    });

    test("messages from bots, and messages that do not mention the bot, are ignored", async () => {
      const channel = h.server.channel("text");
      const from = h.server.requests.length;
      h.server.message(`<@${h.server.botUser.id}> when was the lighthouse founded?`, { author: h.server.otherBot });
      h.server.message("when was the lighthouse founded?", { author: h.server.bob });
      // Events on a shard are handled in order, so once the bot answers this one it has seen the two above.
      const sentinel = h.server.message(`<@${h.server.botUser.id}> how many steps are there?`);
      await h.server.waitForRequest((request) => ((request.body as Json | undefined)?.message_reference as Json | undefined)?.message_id === sentinel?.id);
      const posts = h.server.requestsAfter(from - 1, (request) => request.method === "POST" && request.route === `/channels/${channel.id}/messages`);
      assert.deepEqual(
        posts.map((request) => ((request.body as Json).message_reference as Json).message_id),
        [sentinel?.id],
      );
    });

    test("a DM is a question and is answered; the bot's own echoed reply is ignored", async () => {
      const dm = h.server.dmChannel(h.server.bob);
      const question = h.server.message("how much do tickets cost?", { where: "dm", author: h.server.bob });
      const reply = await h.server.waitForRequest(
        (request) => ((request.body as Json | undefined)?.message_reference as Json | undefined)?.message_id === question?.id,
      );
      assert.equal(reply.route, `/channels/${dm.id}/messages`);
      assert.match(
        String(((reply.body as Json).embeds as Json[])[0]?.description),
        /\*\*Tickets cost 6 euros for adults and are free for children under twelve\.\*\*/,
      );
      const sentinel = h.server.message("when was the lighthouse founded?", { where: "dm", author: h.server.bob });
      await h.server.waitForRequest((request) => ((request.body as Json | undefined)?.message_reference as Json | undefined)?.message_id === sentinel?.id);
      assert.equal(h.server.requestsAfter(reply.seq, (request) => request.route === `/channels/${dm.id}/messages`).length, 1);
    });

    test("a follow-up in a DM is answered in the context of the previous question", async () => {
      const carol = { id: "1200000000000000003", username: "carol", global_name: "carol", discriminator: "0", avatar: null };
      const first = h.server.message("who was the first keeper of the lighthouse?", { where: "dm", author: carol });
      await h.server.waitForRequest((request) => ((request.body as Json | undefined)?.message_reference as Json | undefined)?.message_id === first?.id);
      const followUp = h.server.message("and when was it founded?", { where: "dm", author: carol });
      const reply = await h.server.waitForRequest(
        (request) => ((request.body as Json | undefined)?.message_reference as Json | undefined)?.message_id === followUp?.id,
      );
      const embed = ((reply.body as Json).embeds as Json[])[0];
      // Without the context the library (founded 1902) wins; with it, the lighthouse does.
      assert.match(String(embed?.description), /^\*\*The lighthouse was founded in 1871 by the Port Wren Maritime Society\./);
      assert.equal((embed?.footer as Json).text, "Question: and when was it founded?\nFollowing up on: who was the first keeper of the lighthouse?\nResult 1");
    });

    test("a follow-up in a thread uses the same person's previous question there", async () => {
      const first = h.server.message(`<@${h.server.botUser.id}> who was the first keeper of the lighthouse?`, { where: "thread" });
      await h.server.waitForRequest((request) => ((request.body as Json | undefined)?.message_reference as Json | undefined)?.message_id === first?.id);
      const followUp = h.server.message(`<@${h.server.botUser.id}> and when was it founded?`, { where: "thread" });
      const reply = await h.server.waitForRequest(
        (request) => ((request.body as Json | undefined)?.message_reference as Json | undefined)?.message_id === followUp?.id,
      );
      assert.equal(reply.route, `/channels/${h.server.channel("thread").id}/messages`);
      assert.match(String(((reply.body as Json).embeds as Json[])[0]?.description), /^\*\*The lighthouse was founded in 1871/);
    });

    test("knowledge text cannot mention anyone or inject markup", async () => {
      const { response } = h.server.command("ask", { question: "picnic schedule" });
      const embed = (callback(await response).data.embeds as Json[])[0];
      assert.equal(
        embed?.description,
        "**The community picnic is announced to @\u200Beveryone and @\u200Bhere every summer; contact \\<@123456789012345678\\> or see the official page for the picnic schedule.** " +
          "Bring your own \\|\\|snacks\\|\\| and blankets.\n\nThe picnic committee meets in the old boathouse on the first Monday of each month.\n\n" +
          "**Community \\*Notices\\* \\<@&123456789012345678\\> › Notices** · `notices.md:7`",
      );
    });

    test("a hostile question over the length limit gets a polite refusal within limits", async () => {
      const hostile = "@everyone <@&123456789012345678> **bold** [click](https://evil.example) ".repeat(100).slice(0, 6000);
      const { response } = h.server.command("ask", { question: hostile });
      const { data } = callback(await response);
      assert.deepEqual(shown(data), {
        embeds: [{ color: GREY, description: "Your question is 6000 characters long; please keep it to 300 characters or fewer." }],
        components: [],
        allowed_mentions: SAFE_MENTIONS,
        flags: EPHEMERAL,
      });
    });

    test("/sources lists the documents privately, with when they were loaded", async () => {
      const { response } = h.server.command("sources");
      const { data } = callback(await response);
      const { loadedAt, documents, passages } = h.engine.lastLoad;
      const loaded = Math.floor(loadedAt.getTime() / 1000);
      // Passage counts are the engine's business; the listing of them is this test's.
      const sources = await h.engine.sources();
      const count = (title: string) => sources.find((source) => source.title === title)?.passages;
      const plural = (n: number | undefined) => `${n} passage${n === 1 ? "" : "s"}`;
      assert.deepEqual(shown(data), {
        embeds: [
          {
            color: GREY,
            title: "Knowledge sources",
            description:
              `**Green Tea Basics** — ${plural(count("Green Tea Basics"))}\n` +
              `[Harbor Lighthouse](https://example.org/lighthouse) — 3 sections, ${plural(count("Harbor Lighthouse"))}\n` +
              `**Port Wren Library** — 2 sections, ${plural(count("Port Wren Library"))}\n` +
              `**Community \\*Notices\\* \\<@&123456789012345678\\>** — 1 section, ${plural(count("Community *Notices* <@&123456789012345678>"))}\n\n` +
              `${documents} documents, ${passages} passages. Last loaded <t:${loaded}:f> (<t:${loaded}:R>).`,
          },
        ],
        components: [],
        allowed_mentions: SAFE_MENTIONS,
        flags: EPHEMERAL,
      });
    });

    test("/help explains how to ask, privately", async () => {
      const { data } = callback(await h.server.command("help").response);
      assert.equal(data.flags, EPHEMERAL);
      const embed = (data.embeds as Json[])[0];
      assert.equal(embed?.title, "How to ask me");
      assert.match(String(embed?.description), /Mention me in a channel or thread: @KnowledgeBot when was the library founded\?/);
    });

    test("/reload defers privately, then reports what the reload found", async () => {
      const { id, response } = h.server.command("reload");
      assert.deepEqual(callback(await response), { type: 5, data: { flags: EPHEMERAL } });
      const token = h.server.interactions.get(id)?.token;
      const edit = await h.server.waitForRequest(
        (request) => request.method === "PATCH" && request.route === `/webhooks/${h.server.applicationId}/${token}/messages/@original`,
      );
      const embed = ((edit.body as Json).embeds as Json[])[0];
      assert.equal(embed?.title, "Knowledge reloaded");
      const loaded = new RegExp(
        `^Loaded 4 documents and ${h.engine.lastLoad.passages} passages in \\d+ ms\\.\\nPassages added: 0, removed: 0\\.\\nNo documents changed\\.$`,
      );
      assert.match(String(embed?.description), loaded);
    });
  });

describe("Discord bot, safety limits", () => {
  test("a 6000-character hostile question, when allowed, is answered safely within every limit", async () => {
    const h = await startHarness({ env: { MAX_QUESTION_LENGTH: "6000" } });
    try {
      const markup =
        "@everyone @here <@&123456789012345678> <@1200000000000000002> **when** was the __lighthouse__ ||founded||? [lighthouse](https://evil.example) `founded`\n# when\n> was ";
      const hostile = (markup + "when was the lighthouse founded? ".repeat(200)).slice(0, 6000);
      const { response } = h.server.command("ask", { question: hostile });
      const { type, data } = callback(await response);
      assert.equal(type, 4);
      const embed = (data.embeds as Json[])[0];
      // Which founding wins for such a question is the engine's call; that it is answered, safely, is this test's.
      assert.match(String(embed?.description), /^\*\*The (lighthouse|Port Wren Library) was founded in/);
      const footer = String((embed?.footer as Json).text);
      assert.ok(footer.length <= 2048);
      assert.ok(!/@everyone|@here|<@/.test(footer), "the echoed question mentions no one even as plain text");
      assert.deepEqual(h.server.violations, []);
    } finally {
      await h.close();
    }
  });

  test("the per-user rate limit answers politely: privately for /ask, once per window in a channel", async () => {
    const h = await startHarness({ env: { RATE_LIMIT_QUESTIONS: "1", RATE_LIMIT_WINDOW_SECONDS: "3600" } });
    try {
      await h.server.command("ask", { question: "lighthouse" }).response;
      const { data } = callback(await h.server.command("ask", { question: "lighthouse" }).response);
      assert.equal(data.flags, EPHEMERAL);
      assert.match(String((data.embeds as Json[])[0]?.description), /^You're asking faster than I can keep up\. Please try again in \d+ seconds\.$/);

      // Bob's first refusal in a channel is said once; after that he is ignored until the window ends.
      const bob = { author: h.server.bob };
      const allowed = h.server.message(`<@${h.server.botUser.id}> lighthouse`, bob);
      await h.server.waitForRequest((request) => ((request.body as Json | undefined)?.message_reference as Json | undefined)?.message_id === allowed?.id);
      const refused = h.server.message(`<@${h.server.botUser.id}> lighthouse again`, bob);
      const refusal = await h.server.waitForRequest(
        (request) => ((request.body as Json | undefined)?.message_reference as Json | undefined)?.message_id === refused?.id,
      );
      assert.match(String(((refusal.body as Json).embeds as Json[])[0]?.description), /^You're asking faster than I can keep up\./);
      h.server.message(`<@${h.server.botUser.id}> lighthouse once more`, bob);
      // Carol is not limited: her answer arriving shows the bot has handled Bob's third message (silently).
      const carol = { id: "1200000000000000003", username: "carol", global_name: "carol", discriminator: "0", avatar: null };
      const sentinel = h.server.message(`<@${h.server.botUser.id}> lighthouse`, { author: carol });
      await h.server.waitForRequest((request) => ((request.body as Json | undefined)?.message_reference as Json | undefined)?.message_id === sentinel?.id);
      const replies = h.server.requestsAfter(refusal.seq, (request) => request.route === `/channels/${h.server.channel().id}/messages`);
      assert.deepEqual(
        replies.map((request) => ((request.body as Json).message_reference as Json).message_id),
        [sentinel?.id],
      );
      assert.deepEqual(h.server.violations, []);
    } finally {
      await h.close();
    }
  });

  test("a failure while answering is logged and reported privately, and the bot keeps answering", async () => {
    const breakOn = (engine: AnswerEngine): AnswerEngine => {
      const ask = engine.ask.bind(engine);
      engine.ask = (question, options) => {
        if (question.includes("explode")) throw new Error("engine exploded");
        return ask(question, options);
      };
      return engine;
    };
    const h = await startHarness({ engine: breakOn });
    try {
      const { data } = callback(await h.server.command("ask", { question: "please explode" }).response);
      assert.deepEqual(shown(data), {
        embeds: [{ color: 15548997, description: "Something went wrong while answering. It has been logged; please try again in a moment." }],
        components: [],
        allowed_mentions: SAFE_MENTIONS,
        flags: EPHEMERAL,
      });
      assert.ok(h.logs.some((line) => /ERROR discord: interaction failed .*kind=\/ask .*error=Error: engine exploded/.test(line)));
      const next = callback(await h.server.command("ask", { question: "when was the lighthouse founded?" }).response);
      assert.equal((next.data.embeds as Json[])[0]?.description, HISTORY);
    } finally {
      await h.close();
    }
  });
});

describe("Discord bot, gateway", () => {
  test("after a dropped connection the bot resumes its session and answers what arrived meanwhile", async () => {
    const h = await startHarness();
    try {
      await h.server.dropConnection(0);
      // Dispatched while the bot is away: Discord keeps it and replays it on RESUME.
      const { response } = h.server.command("ask", { question: "when was the lighthouse founded?" });
      const resume = await h.server.waitForGateway((record) => record.op === 6);
      assert.equal(resume.path, "/resume", "the bot reconnects to resume_gateway_url");
      assert.equal(h.server.identifies().length, 1, "resumed, not identified again");
      const { data } = callback(await response);
      assert.equal((data.embeds as Json[])[0]?.description, HISTORY);
      const later = callback(await h.server.command("ask", { question: "how many steps are there?" }).response);
      assert.match(String((later.data.embeds as Json[])[0]?.description), /\*\*Visitors climb 143 steps/);
      assert.deepEqual(h.server.violations, []);
    } finally {
      await h.close();
    }
  });

  test("with two shards recommended, each shard identifies and answers for its own guilds", async () => {
    const h = await startHarness({ server: { recommendedShards: 2, maxConcurrency: 2, guilds: 2 }, sharding: { shards: "auto" } });
    try {
      assert.deepEqual(
        h.server
          .identifies()
          .map((record) => (record.d as Json).shard)
          .sort(),
        [
          [0, 2],
          [1, 2],
        ],
      );
      assert.deepEqual(
        h.server.guilds.map((guild) => h.server.shardOf(guild.id)),
        [0, 1],
      );
      const second = h.server.channel("text", 1);
      const { response } = h.server.command("ask", { question: "when was the lighthouse founded?" }, { where: second });
      const { data } = callback(await response);
      assert.equal((data.embeds as Json[])[0]?.description, HISTORY);
      assert.deepEqual(h.server.violations, []);
    } finally {
      await h.close();
    }
  });

  test("heartbeats are acknowledged, so the connection is never taken for a zombie", async () => {
    const h = await startHarness({ server: { heartbeatIntervalMs: 50 } });
    try {
      // discord.js resumes instead of beating again when a beat went unacknowledged.
      await h.server.waitForGateway((record) => record.op === 1);
      await h.server.waitForGateway((record) => record.op === 1 && h.server.gateway.filter((r) => r.op === 1).length >= 3);
      assert.equal(h.server.gateway.filter((record) => record.op === 6).length, 0);
    } finally {
      await h.close();
    }
  });

  test("stop() closes the gateway connection and ends the session", async () => {
    const h = await startHarness();
    await h.bot.stop();
    assert.equal(h.server.connected(0), false);
    await h.bot.stop();
    await h.server.close();
  });
});

describe("npm start", () => {
  test("logs in through DISCORD_API_URL, says which guilds and commands are live, answers, and exits 0 on SIGINT", async () => {
    const server = await DiscordTestServer.start();
    const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: root,
      env: {
        ...process.env,
        DISCORD_TOKEN: server.token,
        DISCORD_API_URL: server.apiUrl,
        DISCORD_GUILD_ID: "",
        KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
        WATCH_KNOWLEDGE: "false",
        LOG_LEVEL: "info",
        LOG_FORMAT: "pretty",
        RATE_LIMIT_QUESTIONS: "0",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    try {
      let log = "";
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        child.stderr.on("data", (chunk: Buffer) => {
          log += chunk.toString();
          if (log.includes("/ask is not registered yet")) resolve();
        });
        child.on("exit", () => reject(new Error(`npm start exited early:\n${log}`)));
      });
      assert.match(log, /discord: logged in as KnowledgeBot .*guilds=Test Guild 1 \(\d+\)/);
      assert.match(log, /WARN {2}discord: \/ask is not registered yet; run `npm run deploy-commands`/);
      const { data } = callback(await server.command("ask", { question: "when was the lighthouse founded?" }).response);
      assert.equal((data.embeds as Json[])[0]?.description, HISTORY);
      child.kill("SIGINT");
      assert.equal(await exited, 0);
      assert.equal(server.connected(0), false);
      assert.deepEqual(server.violations, []);
    } finally {
      child.kill("SIGKILL");
      await server.close();
    }
  });
});

describe("Discord bot, answers that are slow to come", () => {
  // Discord drops an interaction with no response within 3 s: a held-up answer is deferred, then edited in.
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const slowly = (engine: AnswerEngine): AnswerService => ({
    dir: engine.dir,
    get lastLoad() {
      return engine.lastLoad;
    },
    ask: async (question, options) => (await pause(150), engine.ask(question, options)),
    passage: async (key, question) => (await pause(150), engine.passage(key, question)),
    suggest: (partial, limit) => engine.suggest(partial, limit),
    sources: () => engine.sources(),
    reload: () => engine.reload(),
    close: () => engine.close(),
  });
  let h: Harness;
  before(async () => {
    h = await startHarness({ engine: slowly, deferAfterMs: 20 });
  });
  after(async () => {
    await h?.close();
  });
  afterEach(() => {
    assert.deepEqual(h.server.violations, [], "every payload is within Discord's limits and pings no one");
  });

  const edits = (token: string) => (request: RecordedRequest) =>
    request.method === "PATCH" && request.route === `/webhooks/${h.server.applicationId}/${token}/messages/@original`;

  test("/ask is acknowledged as thinking, and the answer is edited into that message", async () => {
    const asked = h.server.command("ask", { question: "when was the lighthouse founded?" });
    const { type, data } = callback(await asked.response);
    assert.equal(type, 5);
    assert.equal(Number(data?.flags ?? 0) & EPHEMERAL, 0);
    const edit = await h.server.waitForRequest(edits(asked.token));
    assert.deepEqual(shown(edit.body as Json), {
      embeds: [{ color: BLURPLE, description: HISTORY, footer: { text: "Question: when was the lighthouse founded?\nResult 1" } }],
      components: [],
      allowed_mentions: SAFE_MENTIONS,
    });
    assert.equal((h.server.originalMessage(asked.id)?.embeds as Json[])[0]?.description, HISTORY);
  });

  test("/ask private:true is acknowledged privately and answered privately", async () => {
    const asked = h.server.command("ask", { question: "when was the lighthouse founded?", private: true });
    const { type, data } = callback(await asked.response);
    assert.equal(type, 5);
    assert.equal(data?.flags, EPHEMERAL);
    await h.server.waitForRequest(edits(asked.token));
  });

  test("a slow public /ask with no match says so privately and removes the thinking message", async () => {
    const asked = h.server.command("ask", { question: "what is the meaning of life?" });
    assert.equal(callback(await asked.response).type, 5);
    const followUp = await h.server.waitForRequest(
      (request) => request.method === "POST" && request.route === `/webhooks/${h.server.applicationId}/${asked.token}`,
    );
    assert.equal((followUp.body as Json).flags, EPHEMERAL);
    assert.equal(((followUp.body as Json).embeds as Json[])[0]?.description, (NO_MATCH.embeds as Json[])[0]?.description);
    await h.server.waitForRequest(
      (request) => request.method === "DELETE" && request.route === `/webhooks/${h.server.applicationId}/${asked.token}/messages/@original`,
    );
  });

  test("a slow button press is acknowledged without a change, then the message is edited", async () => {
    const asked = h.server.command("ask", { question: "lighthouse" });
    await asked.response;
    await h.server.waitForRequest(edits(asked.token));
    const message = h.server.originalMessage(asked.id);
    const press = h.server.button(String(message?.id), buttonsOf(message).get("More results") ?? "");
    assert.equal(callback(await press.response).type, 6);
    const edit = await h.server.waitForRequest(edits(press.token));
    assert.deepEqual((((edit.body as Json).embeds as Json[])[0]?.footer as Json | undefined)?.text, "Question: lighthouse\nResult 4");
  });
});
