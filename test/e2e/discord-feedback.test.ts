/**
 * Feedback through Discord against the loopback server: questions logged with their surface, votes and
 * re-votes, the feedback modal, /gaps with its chart, /teach and its undo, and the same buttons with the
 * question log turned off. The real bot, a real feedback database in a temporary DATA_DIR.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { FEEDBACK_MAX_LENGTH } from "../../src/feedback/question-log.ts";
import { startHarness, type Harness } from "../support/discord-harness.ts";
import type { FakeUser, Json, RecordedRequest } from "../support/discord-server.ts";

const EPHEMERAL = 64;
const VISITING_KEY = "pNV5dzpTCogz";
const DOG = "can I bring my dog";
const NO_MATCH = "I couldn't find that in the knowledge base. Try other key words, or use `/sources` to see what I know about.";

const callback = (request: RecordedRequest) => request.body as { type: number; data: Json };
const description = (data: Json | undefined) => ((data?.embeds as Json[] | undefined)?.[0]?.description as string | undefined) ?? "";

function buttonsOf(data: Json | undefined): Map<string, string> {
  const rows = (data?.components ?? []) as { components: { label: string; custom_id: string }[] }[];
  return new Map(rows.flatMap((row) => row.components.map((button) => [button.label, button.custom_id] as [string, string])));
}

function voteRow(logId: number): Json {
  return {
    type: 1,
    components: [
      { type: 2, style: 2, label: "Helpful", custom_id: `kb1:vote:up:${logId}`, emoji: { name: "👍" } },
      { type: 2, style: 2, label: "Not helpful", custom_id: `kb1:vote:down:${logId}`, emoji: { name: "👎" } },
    ],
  };
}

interface Row {
  id: number;
  surface: string;
  guild_id: string | null;
  question: string;
  outcome: string;
}

function questions(h: Harness): Row[] {
  return h.feedback?.store.run("test", (db) => db.prepare("SELECT id, surface, guild_id, question, outcome FROM questions ORDER BY id").all() as Row[]) ?? [];
}

function votes(h: Harness, logId: number): { vote: number | null; feedback: string | null }[] {
  return (
    h.feedback?.store.run(
      "test",
      (db) =>
        db.prepare("SELECT vote, feedback FROM votes WHERE question_id = ? ORDER BY voted_at, feedback_at").all(logId) as {
          vote: number | null;
          feedback: string | null;
        }[],
    ) ?? []
  );
}

/** The edit of a deferred reply to interaction `id`. */
async function editOf(h: Harness, id: string): Promise<RecordedRequest> {
  const token = h.server.interactions.get(id)?.token;
  return h.server.waitForRequest(
    (request) => request.method === "PATCH" && request.route === `/webhooks/${h.server.applicationId}/${token}/messages/@original`,
  );
}

async function ask(h: Harness, question: string, user?: FakeUser) {
  const asked = h.server.command("ask", { question }, user ? { user } : {});
  const { data } = callback(await asked.response);
  return { asked, data, message: h.server.originalMessage(asked.id) };
}

async function press(h: Harness, message: Json | undefined, customId: string, user?: FakeUser) {
  const pressed = h.server.button(String(message?.id), customId, user ? { user } : {});
  return { pressed, ...callback(await pressed.response) };
}

describe("Discord feedback, end to end", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ feedback: true, threaded: true });
  });
  after(async () => {
    await h?.close();
  });
  afterEach(() => {
    assert.deepEqual(h.server.violations, [], "every payload is within Discord's limits and pings no one");
  });

  test("a slash answer is logged (surface, server, outcome) and carries 👍 and 👎 for its row", async () => {
    const before = questions(h).length;
    const { data } = await ask(h, "when was the lighthouse founded?");
    const row = questions(h).at(-1);
    assert.equal(questions(h).length, before + 1);
    assert.deepEqual(row && { ...row, id: 0 }, {
      id: 0,
      surface: "slash",
      guild_id: h.server.guilds[0]?.id,
      question: "when was the lighthouse founded?",
      outcome: "answered",
    });
    assert.deepEqual(data.components, [voteRow(row?.id ?? 0)]);
  });

  test("a no-match reply and an unsure one carry the vote buttons too, and are logged with their outcome", async () => {
    const none = await ask(h, DOG);
    const noneRow = questions(h).at(-1);
    assert.equal(description(none.data), NO_MATCH);
    assert.equal(noneRow?.outcome, "no-match");
    assert.deepEqual(none.data.components, [voteRow(noneRow?.id ?? 0)]);
    const unsure = await ask(h, "Is the lighthouse haunted?");
    const unsureRow = questions(h).at(-1);
    assert.equal(unsureRow?.outcome, "unsure");
    assert.deepEqual(buttonsOf(unsure.data).get("Show full passage"), `kb1:full:0:${VISITING_KEY}:${h.server.alice.id}:${unsureRow?.id}`);
    assert.deepEqual((unsure.data.components as Json[]).at(-1), voteRow(unsureRow?.id ?? 0));
  });

  test("a mention and a DM are logged as such, the mention with its server, the DM without", async () => {
    const channel = h.server.channel("text");
    const mention = h.server.message(`<@${h.server.botUser.id}> when was the lighthouse founded?`);
    await h.server.waitForRequest(
      (request) =>
        request.route === `/channels/${channel.id}/messages` &&
        ((request.body as Json | undefined)?.message_reference as Json | undefined)?.message_id === mention?.id,
    );
    const dm = h.server.message("how much do tickets cost?", { author: h.server.bob, where: "dm" });
    const reply = await h.server.waitForRequest(
      (request) => ((request.body as Json | undefined)?.message_reference as Json | undefined)?.message_id === dm?.id,
    );
    const [m, d] = questions(h).slice(-2);
    assert.deepEqual([m?.surface, m?.guild_id, d?.surface, d?.guild_id], ["mention", h.server.guilds[0]?.id, "dm", null]);
    assert.deepEqual(((reply.body as Json).components as Json[]).at(-1), voteRow(d?.id ?? 0));
  });

  test("a vote is acknowledged privately; the same vote again is not counted twice; another vote changes it", async () => {
    const { message } = await ask(h, "when was the lighthouse founded?");
    const logId = questions(h).at(-1)?.id ?? 0;
    const up = await press(h, message, `kb1:vote:up:${logId}`);
    assert.deepEqual([up.type, up.data.flags, description(up.data), up.data.components], [4, EPHEMERAL, "Thanks, your 👍 is recorded.", []]);
    const again = await press(h, message, `kb1:vote:up:${logId}`);
    assert.equal(description(again.data), "You already voted 👍 on this answer.");
    const down = await press(h, message, `kb1:vote:down:${logId}`);
    assert.equal(description(down.data), "Thanks, your vote is now 👎. What were you looking for? It helps whoever keeps the knowledge base fill the gap.");
    assert.deepEqual(buttonsOf(down.data), new Map([["Tell us what you were looking for", `kb1:tell:${logId}`]]));
    assert.deepEqual(votes(h, logId), [{ vote: -1, feedback: null }]);
    const bob = await press(h, message, `kb1:vote:up:${logId}`, h.server.bob);
    assert.equal(description(bob.data), "Thanks, your 👍 is recorded.");
    assert.deepEqual(
      votes(h, logId)
        .map((v) => v.vote)
        .sort(),
      [-1, 1],
    );
    // The answer itself is left as it was: a vote changes no one's message.
    assert.deepEqual(h.server.messages.get(String(message?.id))?.components, [voteRow(logId)]);
  });

  test("paging and Full passage keep the vote buttons of the same logged question", async () => {
    const { message } = await ask(h, "lighthouse");
    const logId = questions(h).at(-1)?.id ?? 0;
    const more = buttonsOf(message).get("More results") ?? "";
    assert.equal(more, `kb1:page:3:${h.server.alice.id}:${logId}`);
    const paged = await press(h, message, more);
    assert.equal(paged.type, 7);
    assert.deepEqual((paged.data.components as Json[]).at(-1), voteRow(logId));
    assert.equal(questions(h).at(-1)?.id, logId, "paging asks again but logs no new question");
  });

  test("👎 offers the feedback modal, within Discord's limits; what is written is recorded, and writing again replaces it", async () => {
    const { message } = await ask(h, "Is the lighthouse haunted?");
    const logId = questions(h).at(-1)?.id ?? 0;
    const down = await press(h, message, `kb1:vote:down:${logId}`);
    const ephemeral = h.server.originalMessage(down.pressed.id);
    const tell = await press(h, ephemeral, `kb1:tell:${logId}`);
    assert.deepEqual(tell, {
      pressed: tell.pressed,
      type: 9,
      data: {
        custom_id: `kb1:told:${logId}`,
        title: "Tell us what you were looking for",
        components: [
          {
            type: 1,
            components: [
              {
                type: 4,
                custom_id: "text",
                style: 2,
                label: "What did you hope to find?",
                placeholder: "The answer you needed, or the words you would search with",
                required: false,
                max_length: FEEDBACK_MAX_LENGTH,
              },
            ],
          },
        ],
      },
    });
    const sent = callback(await h.server.submitModal(tell.pressed.id, { text: "Whether there are ghost tours <@1200000000000000002>" }).response);
    assert.deepEqual([sent.type, sent.data.flags, description(sent.data)], [4, EPHEMERAL, "Thanks, your feedback is recorded."]);
    const replaced = callback(await h.server.submitModal(tell.pressed.id, { text: "Ghost tours at night" }).response);
    assert.equal(description(replaced.data), "Thanks, your feedback replaces what you wrote before.");
    const empty = callback(await h.server.submitModal(tell.pressed.id, { text: "  " }).response);
    assert.equal(description(empty.data), "Nothing was written, so nothing was recorded. Thanks anyway.");
    assert.deepEqual(votes(h, logId), [{ vote: -1, feedback: "Ghost tours at night" }]);
  });

  test("a vote for a question the log does not hold gets a clear private reply", async () => {
    const { message } = await ask(h, "when was the lighthouse founded?");
    const gone = await press(h, message, "kb1:vote:up:987654321");
    assert.deepEqual(
      [gone.type, gone.data.flags, description(gone.data)],
      [4, EPHEMERAL, "I no longer have this answer in my question log (old answers are deleted after a while), so the vote was not recorded. Thanks anyway."],
    );
    const modal = callback(
      await h.server.interaction(5, {
        custom_id: "kb1:told:987654321",
        components: [{ type: 1, components: [{ type: 4, custom_id: "text", value: "ghost tours" }] }],
      }).response,
    );
    assert.match(description(modal.data), /^I no longer have this answer in my question log/);
  });

  test("/gaps and /teach are refused, privately, to someone who is not an administrator", async () => {
    for (const [name, options] of [
      ["gaps", {}],
      ["teach", { question: DOG, passage: VISITING_KEY }],
    ] as const) {
      const { data, type } = callback(await h.server.command(name, options, { user: h.server.bob }).response);
      assert.deepEqual([type, data.flags, description(data)], [4, EPHEMERAL, `Only server administrators can use \`/${name}\`, and only in a server.`]);
    }
    const choices = callback(await h.server.autocomplete("teach", "passage", "visitors", { user: h.server.bob }).response);
    assert.deepEqual(choices.data, { choices: [] });
  });

  test("/gaps sends the report privately, escaped and in chunks within Discord's limits, with the chart attached", async () => {
    // Asked most often, so it is the first gap; what is left of the markup after the question is cleaned must show as typed.
    for (let i = 0; i < 3; i++) await ask(h, "Where is the gift_shop *today*?");
    const gaps = h.server.command("gaps", { days: 7 });
    assert.deepEqual(callback(await gaps.response), { type: 5, data: { flags: EPHEMERAL } });
    const edit = await editOf(h, gaps.id);
    const body = edit.body as Json;
    const content = String(body.content);
    assert.ok(content.length <= 2000 && content.length > 0);
    assert.ok(content.includes('1. "Where is the gift\\_shop \\*today\\*?": asked 3×, no-match'), content);
    assert.deepEqual(body.allowed_mentions, { parse: [], replied_user: false });
    const [chart] = edit.files ?? [];
    assert.equal(chart?.name, "outcomes-per-day.png");
    assert.deepEqual([...(chart?.bytes.subarray(0, 8) ?? [])], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  test("/teach offers passages by autocomplete, teaches one (then found first, also reworded), and remove:true undoes it", async () => {
    const offered = callback(await h.server.autocomplete("teach", "passage", "visitors gallery").response);
    const choices = offered.data.choices as { name: string; value: string }[];
    assert.ok(choices.length >= 1 && choices.length <= 25);
    assert.ok(choices.every((c) => c.name.length <= 100 && c.value.length <= 100));
    assert.deepEqual(choices[0], {
      name: "Harbor Lighthouse › Visiting — Visitors climb 143 steps to reach the gallery, which has a view over…",
      value: VISITING_KEY,
    });

    assert.equal(description((await ask(h, DOG)).data), NO_MATCH);
    const taught = h.server.command("teach", { question: DOG, passage: VISITING_KEY });
    assert.deepEqual(callback(await taught.response), { type: 5, data: { flags: EPHEMERAL } });
    const said = description((await editOf(h, taught.id)).body as Json);
    assert.match(
      said,
      /^Taught #\d+: “can I bring my dog” → \*\*Harbor Lighthouse › Visiting\*\* · `harbor-lighthouse\.md:18` · \[open\]\(https:\/\/example\.org\/lighthouse#visiting\)\nAsked now, that question finds this passage first\.\nUndo: /,
    );
    for (const question of [DOG, "could I bring my dogs?"]) {
      const { data } = await ask(h, question);
      assert.match(description(data), /\*\*Harbor Lighthouse › Visiting\*\* · `harbor-lighthouse\.md:18`/, question);
    }

    const undo = h.server.command("teach", { question: DOG, passage: VISITING_KEY, remove: true });
    await undo.response;
    assert.match(description((await editOf(h, undo.id)).body as Json), /^Removed teach record #\d+\.$/);
    assert.equal(description((await ask(h, DOG)).data), NO_MATCH);
    const again = h.server.command("teach", { question: DOG, passage: VISITING_KEY, remove: true });
    await again.response;
    assert.equal(
      description((await editOf(h, again.id)).body as Json),
      'Expected a question taught for that passage, got "can I bring my dog": there is no such teach record.',
    );
  });
});

describe("Discord feedback with QUESTION_LOG=off", () => {
  test("answers carry no vote buttons and log nothing; an old vote button is told feedback is off", async () => {
    const h = await startHarness({ feedback: true, env: { QUESTION_LOG: "off" } });
    try {
      const { data, message } = await ask(h, "when was the lighthouse founded?");
      assert.deepEqual(data.components, []);
      assert.deepEqual(questions(h), []);
      const old = await press(h, message, "kb1:vote:down:1");
      assert.deepEqual([old.type, old.data.flags, description(old.data)], [4, EPHEMERAL, "Feedback is turned off on this bot, so nothing was recorded."]);
      assert.deepEqual(h.server.violations, []);
    } finally {
      await h.close();
    }
  });
});
