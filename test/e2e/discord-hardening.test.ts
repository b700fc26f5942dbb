/**
 * The faults issue 11's fault-injection run found, each driven through the real bot against the loopback
 * Discord server: rate-limited interactions, repeated mention replies, /reload's reach and what it
 * shows, autocomplete floods, the bounded reply queue. No assertion is on time.
 */
import assert from "node:assert/strict";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, test, type TestContext } from "node:test";
import { GatewayDispatchEvents, InteractionResponseType } from "discord-api-types/v10";
import type { AnswerEngine } from "../../src/answer/engine.ts";
import { AUTOCOMPLETE, withoutServerPaths } from "../../src/discord/respond.ts";
import { callback, description, EPHEMERAL, person, RATE_LIMITED, repliesTo, until, withEngine } from "../support/discord-checks.ts";
import { FIXTURE_KNOWLEDGE, startHarness, type Harness, type HarnessOptions } from "../support/discord-harness.ts";
import type { Json, RecordedRequest } from "../support/discord-server.ts";

const FOUNDED = "when was the lighthouse founded?";
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function harness(t: TestContext, options: HarnessOptions = {}): Promise<Harness> {
  const h = await startHarness(options);
  t.after(() => h.close());
  return h;
}

function kindOf(request: RecordedRequest): string {
  const { type, data } = callback(request);
  if (type !== InteractionResponseType.ChannelMessageWithSource) return `callback type ${type}`;
  if (data.flags === EPHEMERAL) return RATE_LIMITED.test(description(data) ?? "") ? "refused" : `private: ${description(data)}`;
  return "answered";
}

describe("rate-limited interactions", () => {
  test("a burst of 10 /ask from one user with a limit of 5 gets 10 callbacks: 5 answers and 5 private refusals", async (t) => {
    const h = await harness(t, { env: { RATE_LIMIT_QUESTIONS: "5", RATE_LIMIT_WINDOW_SECONDS: "3600" } });
    const burst = Array.from({ length: 10 }, () => h.server.command("ask", { question: FOUNDED }));
    const responses = await Promise.all(burst.map((interaction) => interaction.response));
    assert.deepEqual(responses.map(kindOf), [...Array<string>(5).fill("answered"), ...Array<string>(5).fill("refused")]);
    assert.deepEqual(h.server.violations, []);
  });

  test("over the limit, a DM gets one refusal per window and then silence", async (t) => {
    const h = await harness(t, { env: { RATE_LIMIT_QUESTIONS: "2", RATE_LIMIT_WINDOW_SECONDS: "3600" } });
    const bob = { where: "dm" as const, author: h.server.bob };
    const replies: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      const question = h.server.message(FOUNDED, bob);
      replies.push(description((await h.server.waitForRequest(repliesTo(question?.id))).body));
    }
    assert.match(replies[0] ?? "", /^\*\*The lighthouse was founded in 1871/);
    assert.match(replies[1] ?? "", /^\*\*The lighthouse was founded in 1871/);
    assert.match(replies[2] ?? "", RATE_LIMITED);
    const ignored = h.server.message(FOUNDED, bob);
    // Messages on a shard are handled in order: once Carol is answered, Bob's fourth has been handled.
    const sentinel = h.server.message(FOUNDED, { where: "dm", author: person(1) });
    await h.server.waitForRequest(repliesTo(sentinel?.id));
    assert.equal(h.server.requests.filter(repliesTo(ignored?.id)).length, 0);
  });
});

describe("mention and DM replies are sent once", () => {
  const posts = (h: Harness, id: unknown) => h.server.requests.filter(repliesTo(id));
  const stored = (h: Harness, id: unknown) =>
    [...h.server.messages.values()].filter((message) => (message.message_reference as Json | undefined)?.message_id === id);

  for (const fault of [
    { name: "a connection reset after Discord made the message", fault: { kind: "reset", afterEffect: true } as const },
    { name: "a 500 after Discord made the message", fault: { kind: "error-after-effect" } as const },
  ]) {
    test(`${fault.name} is retried with the same nonce, and Discord keeps one reply`, async (t) => {
      const h = await harness(t);
      h.server.faults.add({ method: "POST", route: /^\/channels\/\d+\/messages$/ }, fault.fault);
      const question = h.server.message(`<@${h.server.botUser.id}> ${FOUNDED}`);
      await h.server.waitForRequest((request) => repliesTo(question?.id)(request) && request.status === 200);
      const sent = posts(h, question?.id);
      assert.equal(sent.length, 2, "the first attempt and discord.js's retry");
      for (const request of sent) {
        assert.equal((request.body as Json).nonce, question?.id);
        assert.equal((request.body as Json).enforce_nonce, true);
      }
      assert.equal(stored(h, question?.id).length, 1);
    });
  }

  test("a message delivered twice (a replayed dispatch) is answered once", async (t) => {
    const h = await harness(t);
    const question = h.server.message(FOUNDED, { where: "dm", author: h.server.bob });
    h.server.dispatch(GatewayDispatchEvents.MessageCreate, question);
    await until(() => posts(h, question?.id).filter((request) => request.status === 200).length === 2, "both replies to be sent");
    assert.equal(stored(h, question?.id).length, 1);
  });
});

describe("/reload", () => {
  test("is refused, privately, to a member who is not an administrator and in a DM, without reloading", async (t) => {
    let reloads = 0;
    const h = await harness(t, { engine: (engine: AnswerEngine) => withEngine(engine, { reload: () => (reloads++, engine.reload()) }) });
    const refusal = "Only server administrators can use `/reload`, and only in a server.";
    const fromBob = callback(await h.server.command("reload", {}, { user: h.server.bob }).response);
    assert.deepEqual([fromBob.type, fromBob.data.flags, description(fromBob.data)], [InteractionResponseType.ChannelMessageWithSource, EPHEMERAL, refusal]);
    const fromDm = callback(await h.server.command("reload", {}, { where: "dm" }).response);
    assert.deepEqual([fromDm.type, fromDm.data.flags, description(fromDm.data)], [InteractionResponseType.ChannelMessageWithSource, EPHEMERAL, refusal]);
    assert.equal(reloads, 0);
    assert.equal(h.logs.filter((line) => line.includes("/reload refused")).length, 2);
    // The guild owner (an administrator) may.
    assert.equal(callback(await h.server.command("reload").response).type, InteractionResponseType.DeferredChannelMessageWithSource);
    await until(() => reloads === 1, "the owner's reload");
  });

  test("reports problems and failures with paths relative to the knowledge folder, never the server's", async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "kb-reload-paths-"));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const kb = path.join(dir, "kb");
    await cp(FIXTURE_KNOWLEDGE, kb, { recursive: true });
    const h = await harness(t, { knowledgeDir: kb });
    const edited = async () => {
      const { token } = h.server.command("reload");
      const edit = await h.server.waitForRequest((request) => request.method === "PATCH" && request.route.includes(token));
      const text = JSON.stringify(edit.body);
      assert.ok(!text.includes(dir), `a server path in ${text}`);
      return ((edit.body as Json).embeds as Json[])[0] as Json;
    };

    await writeFile(path.join(kb, ".hygiene.json"), "{ not json");
    const report = await edited();
    assert.equal(report.title, "Knowledge reloaded");
    assert.match(
      String((report.fields as Json[])[0]?.value),
      /^\*\*\.hygiene\.json\*\*: hygiene-config: \.hygiene\.json is not valid JSON: .* — using the last good settings$/,
    );

    await rm(kb, { recursive: true, force: true });
    const failed = await edited();
    assert.equal(failed.description, "Reload failed; still answering from the previous knowledge.\nknowledge: folder not found: the knowledge folder");
  });

  test("withoutServerPaths keeps paths in the knowledge folder relative and hides every other absolute path", () => {
    const kb = "/srv/bot/knowledge";
    assert.equal(withoutServerPaths("knowledge: folder not found: /srv/bot/knowledge", kb), "knowledge: folder not found: the knowledge folder");
    assert.equal(withoutServerPaths("cannot read /srv/bot/knowledge/docs/a.md: EACCES", kb), "cannot read docs/a.md: EACCES");
    assert.equal(
      withoutServerPaths("no usable knowledge files in /srv/bot/knowledge (add .md files)", kb),
      "no usable knowledge files in the knowledge folder (add .md files)",
    );
    assert.equal(withoutServerPaths("snapshot /srv/bot/.cache/index-1a2b.json is corrupt", kb), "snapshot index-1a2b.json is corrupt");
    assert.equal(withoutServerPaths("/srv/bot/knowledge-old/x.md and /etc/passwd", kb), "x.md and passwd");
    assert.equal(withoutServerPaths("see https://example.org/docs/a and and/or", kb), "see https://example.org/docs/a and and/or");
  });
});

describe("autocomplete floods", () => {
  test("300 autocompletes at once from one user: every one is answered, at most the per-user limit reach the engine, two at a time, and another user's /ask is answered meanwhile", async (t) => {
    let calls = 0;
    let inFlight = 0;
    let most = 0;
    const h = await harness(t, {
      engine: (engine) =>
        withEngine(engine, {
          suggest: async (partial, limit) => {
            calls++;
            most = Math.max(most, ++inFlight);
            await pause(5);
            inFlight--;
            return engine.suggest(partial, limit);
          },
        }),
    });
    const flood = Array.from({ length: 300 }, (_, i) => h.server.autocomplete("ask", "question", `light${i % 7}`));
    const other = h.server.command("ask", { question: FOUNDED }, { user: h.server.bob });
    const answered = await Promise.all(flood.map((interaction) => interaction.response));
    assert.ok(answered.every((request) => callback(request).type === InteractionResponseType.ApplicationCommandAutocompleteResult));
    assert.match(description(callback(await other.response).data) ?? "", /^\*\*The lighthouse was founded in 1871/);
    assert.ok(calls <= AUTOCOMPLETE.perUser, `${calls} suggestions made`);
    assert.ok(most <= AUTOCOMPLETE.inFlight, `${most} suggestions made at once`);
    const empty = answered.filter((request) => (callback(request).data.choices as unknown[]).length === 0).length;
    assert.ok(empty >= 300 - AUTOCOMPLETE.perUser, `${empty} empty answers`);
    // Bob's own autocomplete is not held back by Alice's flood.
    const bobs = callback(await h.server.autocomplete("ask", "question", "light", { user: h.server.bob }).response);
    assert.ok((bobs.data.choices as unknown[]).length > 0);
    assert.deepEqual(h.server.violations, []);
  });

  test("a partial question over the length cap gets no suggestions and costs the engine nothing", async (t) => {
    let calls = 0;
    const h = await harness(t, { engine: (engine) => withEngine(engine, { suggest: (partial, limit) => (calls++, engine.suggest(partial, limit)) }) });
    const long = callback(await h.server.autocomplete("ask", "question", "lighthouse ".repeat(10).slice(0, AUTOCOMPLETE.maxChars + 1)).response);
    assert.deepEqual(long.data.choices, []);
    assert.equal(calls, 0);
    const fitting = callback(await h.server.autocomplete("ask", "question", "lighthouse ".repeat(10).slice(0, AUTOCOMPLETE.maxChars)).response);
    assert.ok((fitting.data.choices as unknown[]).length > 0);
    assert.equal(calls, 1);
  });

  test("interactions that expire before their reply are logged once, without a stack trace", async (t) => {
    // Every callback comes too late: the server's 3-second window is made 0.
    const h = await harness(t, { server: { interactionWindowMs: 0 } });
    const sent = [...Array.from({ length: 5 }, () => h.server.autocomplete("ask", "question", "light")), h.server.command("ask", { question: FOUNDED })];
    await until(() => sent.every(({ id }) => h.server.requests.some((request) => request.route.startsWith(`/interactions/${id}/`))), "every callback attempt");
    await until(() => h.logs.some((line) => line.includes("interaction reply not sent")), "the log line");
    // Room for any further line (a second warning, an error while telling the user) to show up.
    await pause(50);
    const lines = h.logs.filter((line) => /WARN|ERROR/.test(line));
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(lines[0] ?? "", /WARN {2}discord: interaction reply not sent: it expired before the reply \(Discord allows 3 s\) interaction=\d+ kind=\/ask/);
    assert.ok(!h.logs.some((line) => line.includes("\n    at ")), "no stack traces");
  });
});

describe("the DM and mention reply queue is bounded", () => {
  test("past the bound, messages are left unanswered on purpose, and the episode is logged once when it starts and once when it ends", async (t) => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let asked = 0;
    const h = await harness(t, {
      maxPendingReplies: 3,
      engine: (engine) => withEngine(engine, { ask: async (question, options) => (asked++, await gate, engine.ask(question, options)) }),
    });
    const questions = Array.from({ length: 10 }, (_, i) => h.server.message(FOUNDED, { where: "dm", author: person(i) }));
    const unanswered = () => h.logs.filter((line) => line.includes("message left unanswered (too many replies in flight)")).length;
    await until(() => asked === 3 && unanswered() === 7, "three questions asked and seven left");
    open();
    await until(() => h.logs.some((line) => line.includes("reply queue drained")), "the queue to drain");
    const answeredIds = questions.filter((question) => h.server.requests.some(repliesTo(question?.id))).map((question) => question?.id);
    assert.deepEqual(
      answeredIds,
      questions.slice(0, 3).map((question) => question?.id),
    );
    const warnings = h.logs.filter((line) => line.includes("WARN"));
    assert.deepEqual(
      warnings.map((line) => line.replace(/^\S+ /, "")),
      [
        "WARN  discord: over 3 DM and mention replies in flight; leaving new ones unanswered until the queue drains",
        "WARN  discord: reply queue drained; 7 DM and mention messages were left unanswered",
      ],
    );
    // And the bot answers again.
    const after = h.server.message(FOUNDED, { where: "dm", author: person(99) });
    await h.server.waitForRequest(repliesTo(after?.id));
  });
});
