/**
 * The bot recovers from every fault the loopback Discord server can inject: gateway closes (1000, 1001,
 * 4000, 4007, 4009), resets, op 7, op 9 (resumable or not), unacknowledged heartbeats, and REST 429s
 * (per route, global, shared), 5xx, slow responses and resets. It resumes where Discord allows it
 * (answering what was dispatched meanwhile, which Discord replays) and identifies again where not, and
 * answers afterwards. Each test runs its own bot, so that they can run at once: a fresh IDENTIFY waits up
 * to 5 s for discord.js's identify throttle.
 */
import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { GatewayCloseCodes, GatewayOpcodes, InteractionResponseType } from "discord-api-types/v10";
import type { RestFault } from "../support/discord-faults.ts";
import { WS_GOING_AWAY, WS_NORMAL, type GatewayCloseCode } from "../support/discord-gateway.ts";
import { callback, description, repliesTo, withEngine } from "../support/discord-checks.ts";
import { startHarness, type Harness, type HarnessOptions } from "../support/discord-harness.ts";
import type { Json } from "../support/discord-server.ts";

const HISTORY = /^\*\*The lighthouse was founded in 1871/;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function harness(t: TestContext, options: HarnessOptions = {}): Promise<Harness> {
  const h = await startHarness(options);
  t.after(() => h.close());
  return h;
}

async function answers(h: Harness, question = "when was the lighthouse founded?"): Promise<void> {
  const { type, data } = callback(await h.server.command("ask", { question }).response);
  assert.equal(type, InteractionResponseType.ChannelMessageWithSource);
  assert.match(description(data) ?? "", HISTORY);
}

const ops = (h: Harness, op: GatewayOpcodes) => h.server.gateway.filter((record) => record.op === op).length;

/** Waits for the bot's second IDENTIFY (its session was ended), then checks it answers on the new session. */
async function identifiesAgainAndAnswers(h: Harness): Promise<void> {
  await h.server.waitForGateway((record) => record.op === GatewayOpcodes.Identify && h.server.identifies().length === 2, 20_000);
  await answers(h);
}

/** What was dispatched while the bot was away is replayed on RESUME and answered; no second IDENTIFY. */
async function resumesAndAnswersWhatCameMeanwhile(h: Harness): Promise<void> {
  const { response } = h.server.command("ask", { question: "when was the lighthouse founded?" });
  await h.server.waitForGateway((record) => record.op === GatewayOpcodes.Resume);
  assert.match(description(callback(await response).data) ?? "", HISTORY);
  assert.equal(h.server.identifies().length, 1, "resumed, not identified again");
  await answers(h);
}

describe("Discord bot, gateway faults", { concurrency: true }, () => {
  for (const code of [GatewayCloseCodes.UnknownError, WS_GOING_AWAY] as GatewayCloseCode[]) {
    test(`a close with ${code} is resumed, and what was dispatched meanwhile is answered`, async (t) => {
      const h = await harness(t);
      await h.server.dropConnection(0, code);
      await resumesAndAnswersWhatCameMeanwhile(h);
    });
  }

  for (const code of [WS_NORMAL, GatewayCloseCodes.InvalidSeq, GatewayCloseCodes.SessionTimedOut] as GatewayCloseCode[]) {
    test(`a close with ${code} ends the session: the bot identifies again and answers`, async (t) => {
      const h = await harness(t);
      await h.server.dropConnection(0, code);
      await identifiesAgainAndAnswers(h);
    });
  }

  test("a connection reset (no close frame) is resumed", async (t) => {
    const h = await harness(t);
    await h.server.ws.resetConnection(0);
    await resumesAndAnswersWhatCameMeanwhile(h);
  });

  test("op 7 RECONNECT is resumed, and what was dispatched meanwhile is answered", async (t) => {
    const h = await harness(t);
    h.server.requestReconnect(0);
    await resumesAndAnswersWhatCameMeanwhile(h);
  });

  test("op 9 INVALID_SESSION that may be resumed is resumed", async (t) => {
    const h = await harness(t);
    h.server.ws.invalidateSession(0, true);
    await h.server.waitForGateway((record) => record.op === GatewayOpcodes.Resume);
    await answers(h);
    assert.equal(h.server.identifies().length, 1);
  });

  test("op 9 INVALID_SESSION that may not be resumed makes the bot identify again", async (t) => {
    const h = await harness(t);
    h.server.ws.invalidateSession(0, false);
    await identifiesAgainAndAnswers(h);
  });

  test("a heartbeat left unacknowledged makes the bot drop the zombie connection and resume", async (t) => {
    const h = await harness(t, { server: { heartbeatIntervalMs: 200 } });
    await h.server.waitForGateway((record) => record.op === GatewayOpcodes.Heartbeat);
    h.server.ws.skipHeartbeatAcks(0, 1);
    await resumesAndAnswersWhatCameMeanwhile(h);
    assert.ok(ops(h, GatewayOpcodes.Heartbeat) >= 2);
  });
});

describe("Discord bot, REST faults", { concurrency: true }, () => {
  const CALLBACK = { method: "POST", route: /^\/interactions\/\d+\/[^/]+\/callback$/ };
  const MESSAGES = { method: "POST", route: /^\/channels\/\d+\/messages$/ };
  const faults: [string, RestFault][] = [
    ["a 429 on the route", { kind: "rate-limit", scope: "route", retryAfterMs: 300 }],
    ["a global 429", { kind: "rate-limit", scope: "global", retryAfterMs: 300 }],
    ["a 429 on a shared resource", { kind: "rate-limit", scope: "shared", retryAfterMs: 300 }],
    ["a 500", { kind: "server-error" }],
    ["a 502", { kind: "server-error", status: 502 }],
    ["a connection reset before Discord acts", { kind: "reset", afterEffect: false }],
    ["a slow response", { kind: "slow", delayMs: 800 }],
  ];
  for (const [name, fault] of faults) {
    test(`${name} on an interaction callback: the callback is retried and the answer arrives`, async (t) => {
      const h = await harness(t);
      h.server.faults.add(CALLBACK, fault);
      await answers(h);
      assert.equal(h.server.faults.injected.get(fault.kind), 1);
      assert.deepEqual(h.server.violations, []);
    });

    test(`${name} on a mention reply: it is retried and posted once`, async (t) => {
      const h = await harness(t);
      h.server.faults.add(MESSAGES, fault);
      const question = h.server.message(`<@${h.server.botUser.id}> when was the lighthouse founded?`);
      const reply = await h.server.waitForRequest((request) => repliesTo(question?.id)(request) && request.status === 200);
      assert.match(description(reply.body) ?? "", HISTORY);
      assert.equal([...h.server.messages.values()].filter((message) => (message.message_reference as Json | undefined)?.message_id === question?.id).length, 1);
    });
  }

  test("a 500 after Discord took the callback: the retry's 'already acknowledged' counts as answered, logged once, no error", async (t) => {
    const h = await harness(t);
    h.server.faults.add(CALLBACK, { kind: "error-after-effect" });
    const asked = h.server.command("ask", { question: "when was the lighthouse founded?" });
    assert.match(description(callback(await asked.response).data) ?? "", HISTORY);
    await h.server.waitForRequest((request) => request.route.startsWith(`/interactions/${asked.id}/`) && request.status === 400);
    await pause(50);
    assert.deepEqual(
      h.logs.filter((line) => /WARN|ERROR/.test(line)).map((line) => line.replace(/^\S+ /, "").replace(/ interaction=.*/, "")),
      ["WARN  discord: interaction reply not sent: it was already answered (a retried response)"],
    );
    await answers(h);
  });

  test("a 500 after Discord took a deferral: the answer is still edited in", async (t) => {
    const h = await harness(t, {
      deferAfterMs: 20,
      engine: (engine) => withEngine(engine, { ask: async (question, options) => (await pause(150), engine.ask(question, options)) }),
    });
    h.server.faults.add(CALLBACK, { kind: "error-after-effect" });
    const asked = h.server.command("ask", { question: "when was the lighthouse founded?" });
    assert.equal(callback(await asked.response).type, InteractionResponseType.DeferredChannelMessageWithSource);
    const edit = await h.server.waitForRequest((request) => request.method === "PATCH" && request.route.endsWith(`/${asked.token}/messages/@original`));
    assert.match(description(edit.body) ?? "", HISTORY);
  });
});
