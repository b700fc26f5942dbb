/**
 * Malformed and unexpected interactions: every type and component type is decided on (vetInteraction),
 * and through the real bot each one with an id and a token gets exactly one answer, nothing becomes an
 * unhandled rejection, and the bot keeps answering. Includes a fast-check fuzz of broken payloads.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { ApplicationCommandType, ComponentType, InteractionResponseType, InteractionType } from "discord-api-types/v10";
import { vetInteraction } from "../../src/discord/guard.ts";
import { callback, description, EPHEMERAL, STALE, UNSUPPORTED } from "../support/discord-checks.ts";
import { startHarness, type Harness } from "../support/discord-harness.ts";
import type { Json } from "../support/discord-server.ts";

const ASK = { name: "ask", type: ApplicationCommandType.ChatInput, options: [{ name: "question", type: 3, value: "when was the lighthouse founded?" }] };
const BUTTON = { custom_id: "kb1:page:3:1200000000000000001", component_type: ComponentType.Button };

describe("vetInteraction", () => {
  const base = { id: "1300000000000000100", token: "tok", user: { id: "1200000000000000001" }, entitlements: [], authorizing_integration_owners: { "0": "1" } };
  const message = { id: "1300000000000000200", channel_id: "1300000000000000300", embeds: [], components: [] };
  const cases: [string, unknown, string][] = [
    ["a whole slash command", { ...base, type: InteractionType.ApplicationCommand, data: ASK }, "deliver"],
    ["a whole autocomplete", { ...base, type: InteractionType.ApplicationCommandAutocomplete, data: ASK }, "deliver"],
    ["a whole button press", { ...base, type: InteractionType.MessageComponent, data: BUTTON, message }, "deliver"],
    ["not an object", "INTERACTION", "none: no id or token"],
    ["no token", { ...base, token: "", type: InteractionType.ApplicationCommand, data: ASK }, "none: no id or token"],
    ["a ping", { ...base, type: InteractionType.Ping }, "none: a ping, which Discord sends over HTTP, never the gateway"],
    ["a button without its message", { ...base, type: InteractionType.MessageComponent, data: BUTTON }, "stale: a button without its message"],
    [
      "a button on a message without an id",
      { ...base, type: InteractionType.MessageComponent, data: BUTTON, message: { ...message, id: 7 } },
      "stale: a button on a malformed message",
    ],
    ["a component interaction without data", { ...base, type: InteractionType.MessageComponent, message }, "stale: a component interaction without data"],
    [
      "a select menu",
      { ...base, type: InteractionType.MessageComponent, data: { custom_id: "x", component_type: ComponentType.StringSelect, values: [] }, message },
      "unsupported: a select menu (component type 3), which this bot never sends",
    ],
    [
      "a text input",
      { ...base, type: InteractionType.MessageComponent, data: { custom_id: "x", component_type: ComponentType.TextInput }, message },
      "unsupported: component type 4, which cannot send an interaction from a message of this bot",
    ],
    [
      "an unknown component type",
      { ...base, type: InteractionType.MessageComponent, data: { custom_id: "x", component_type: 99 }, message },
      "unsupported: component type 99, unknown to this bot",
    ],
    [
      "a user context-menu command",
      { ...base, type: InteractionType.ApplicationCommand, data: { name: "Profile", type: ApplicationCommandType.User, target_id: "1" } },
      "unsupported: an application command of type 2, which this bot does not register",
    ],
    [
      "an unknown command type",
      { ...base, type: InteractionType.ApplicationCommand, data: { name: "x", type: 42 } },
      "unsupported: application command type 42, unknown to this bot",
    ],
    ["a command without data", { ...base, type: InteractionType.ApplicationCommand }, "unsupported: a command without data"],
    ["a command without a name", { ...base, type: InteractionType.ApplicationCommand, data: { ...ASK, name: 5 } }, "unsupported: no command name"],
    [
      "a command whose options are not a list",
      { ...base, type: InteractionType.ApplicationCommand, data: { ...ASK, options: { question: "x" } } },
      "unsupported: malformed options",
    ],
    ["a command without a user", { ...base, user: undefined, type: InteractionType.ApplicationCommand, data: ASK }, "unsupported: no user"],
    [
      "a command in a malformed channel",
      { ...base, channel: { id: "1", type: "text" }, type: InteractionType.ApplicationCommand, data: ASK },
      "unsupported: a malformed channel",
    ],
    [
      "an autocomplete with malformed options",
      { ...base, type: InteractionType.ApplicationCommandAutocomplete, data: { ...ASK, options: [1] } },
      "choices: malformed options",
    ],
    ["a modal submission without a custom id", { ...base, type: InteractionType.ModalSubmit, data: { components: [] } }, "stale: a modal without a custom id"],
    ["a modal submission without data", { ...base, type: InteractionType.ModalSubmit }, "stale: a modal submission without data"],
    ["an unknown interaction type", { ...base, type: 42, data: {} }, "unsupported: interaction type 42, unknown to this bot"],
  ];
  for (const [name, payload, expected] of cases) {
    test(name, () => {
      const verdict = vetInteraction(payload);
      assert.equal(verdict.deliver ? "deliver" : `${verdict.answer}: ${verdict.reason}`, expected);
    });
  }

  test("what is delivered is a copy of the fields the bot reads, each of its documented type", () => {
    const odd = {
      ...base,
      type: InteractionType.MessageComponent,
      data: { ...BUTTON, extra: { deep: [null] } },
      guild_id: "1300000000000000400",
      member: { user: { id: "1200000000000000001", username: 7 }, permissions: "all", roles: ["1", null, 3] },
      user: undefined,
      entitlements: [null, { id: "x" }],
      app_permissions: { bits: 1 },
      message: { ...message, flags: { ephemeral: true }, embeds: [{ footer: { text: "Question: q" }, fields: "x" }, null], author: 5 },
    };
    const verdict = vetInteraction(odd);
    assert.ok(verdict.deliver);
    assert.deepEqual(verdict.payload, {
      id: base.id,
      application_id: "0",
      type: InteractionType.MessageComponent,
      token: "tok",
      version: 1,
      data: BUTTON,
      guild_id: "1300000000000000400",
      member: {
        user: { id: "1200000000000000001", username: "", global_name: null, discriminator: "0", avatar: null },
        roles: ["1"],
        nick: null,
        joined_at: null,
        deaf: false,
        mute: false,
        flags: 0,
      },
      locale: "en-US",
      entitlements: [],
      authorizing_integration_owners: { "0": "1" },
      context: null,
      message: {
        id: message.id,
        channel_id: message.channel_id,
        type: 0,
        content: "",
        embeds: [{ footer: { text: "Question: q" } }, {}],
        components: [],
        attachments: [],
        flags: 0,
      },
    });
  });
});

describe("Discord bot, malformed interactions", () => {
  let h: Harness;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  before(async () => {
    process.on("unhandledRejection", onRejection);
    h = await startHarness();
  });
  after(async () => {
    process.off("unhandledRejection", onRejection);
    await h?.close();
  });

  /** Answers the bot still gives: a normal question after each malformed one. */
  async function stillAnswers(): Promise<void> {
    const { data } = callback(await h.server.command("ask", { question: "when was the lighthouse founded?" }).response);
    assert.match(description(data) ?? "", /^\*\*The lighthouse was founded in 1871/);
  }

  const privately = (text: string) => (body: { type: number; data: Json }) => {
    assert.equal(body.type, InteractionResponseType.ChannelMessageWithSource);
    assert.equal(body.data.flags, EPHEMERAL);
    assert.equal(description(body.data), text);
  };

  const cases: [string, () => ReturnType<Harness["server"]["interaction"]>, (body: { type: number; data: Json }) => void][] = [
    ["a button press without its message is told to ask again", () => h.server.interaction(InteractionType.MessageComponent, BUTTON), privately(STALE)],
    [
      "an unknown component type",
      () =>
        h.server.interaction(
          InteractionType.MessageComponent,
          { custom_id: "x", component_type: 99 },
          { message: { id: "1300000000000000200", channel_id: h.server.channel().id, embeds: [] } },
        ),
      privately(UNSUPPORTED),
    ],
    [
      "a select menu",
      () =>
        h.server.interaction(
          InteractionType.MessageComponent,
          { custom_id: "x", component_type: ComponentType.StringSelect, values: ["a"] },
          { message: { id: "1300000000000000200", channel_id: h.server.channel().id } },
        ),
      privately(UNSUPPORTED),
    ],
    ["an unknown interaction type", () => h.server.interaction(42 as InteractionType, { name: "ask" }), privately(UNSUPPORTED)],
    [
      "a modal submission of a modal this bot never opened is told to ask again",
      () => h.server.interaction(InteractionType.ModalSubmit, { custom_id: "x", components: [] }),
      privately(STALE),
    ],
    [
      "a message context-menu command",
      () =>
        h.server.interaction(InteractionType.ApplicationCommand, {
          id: "1",
          name: "Quote",
          type: ApplicationCommandType.Message,
          target_id: "1",
          resolved: { messages: {} },
        }),
      privately(UNSUPPORTED),
    ],
    ["a slash command we never registered", () => h.server.command("weather"), privately(UNSUPPORTED)],
    [
      "an /ask without its user",
      () => h.server.interaction(InteractionType.ApplicationCommand, ASK, { mutate: (p) => delete p.member }),
      privately(UNSUPPORTED),
    ],
    [
      "an autocomplete with malformed options gets an empty list",
      () => h.server.interaction(InteractionType.ApplicationCommandAutocomplete, { ...ASK, options: "light" }),
      (body) => assert.deepEqual(body, { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: [] } }),
    ],
  ];
  for (const [name, send, check] of cases) {
    test(`${name}, and the bot keeps answering`, async () => {
      check(callback(await send().response));
      await stillAnswers();
      assert.deepEqual(rejections, []);
      assert.deepEqual(h.server.violations, []);
    });
  }

  test("a ping over the gateway gets nothing (it cannot be answered there), and the bot keeps answering", async () => {
    const ping = h.server.interaction(InteractionType.Ping, undefined);
    ping.response.catch(() => undefined);
    await stillAnswers();
    assert.equal(h.server.requests.filter((request) => request.route.startsWith(`/interactions/${ping.id}/`)).length, 0);
    assert.deepEqual(rejections, []);
  });

  test("fuzz: a payload with any of its fields dropped or replaced gets exactly one answer, and nothing is left unhandled", async () => {
    const fields = [
      "type",
      "data",
      "channel",
      "channel_id",
      "guild_id",
      "member",
      "app_permissions",
      "entitlements",
      "authorizing_integration_owners",
      "context",
      "locale",
      "version",
      "message",
      "user",
    ];
    const nested = [
      "data.name",
      "data.type",
      "data.options",
      "data.resolved",
      "data.custom_id",
      "data.component_type",
      "member.user",
      "member.permissions",
      "member.roles",
      "channel.type",
      "channel.id",
      "channel.recipients",
      "message.id",
      "message.channel_id",
      "message.author",
      "message.embeds",
      "message.components",
      "message.flags",
      "message.timestamp",
      "entitlements.0",
    ];
    const change = fc.record({
      drop: fc.subarray([...fields, ...nested], { maxLength: 3 }),
      set: fc.array(fc.tuple(fc.constantFrom(...fields, ...nested), fc.oneof(fc.jsonValue(), fc.constantFrom(1, 2, 3, 4, 5, 99, "2", null))), { maxLength: 2 }),
      kind: fc.constantFrom("command", "autocomplete", "button"),
    });
    await fc.assert(
      fc.asyncProperty(change, async ({ drop, set, kind }) => {
        const message = { id: "1300000000000000200", channel_id: h.server.channel().id, embeds: [], components: [] };
        const [type, data] =
          kind === "command"
            ? [InteractionType.ApplicationCommand, ASK]
            : kind === "autocomplete"
              ? [InteractionType.ApplicationCommandAutocomplete, ASK]
              : [InteractionType.MessageComponent, BUTTON];
        const sent = h.server.interaction(type, structuredClone(data), {
          message,
          mutate: (payload) => {
            const at = (key: string): [Json | undefined, string] => {
              const [head, tail] = key.split(".") as [string, string | undefined];
              if (tail === undefined) return [payload, head];
              const parent = payload[head];
              return [typeof parent === "object" && parent !== null && !Array.isArray(parent) ? (parent as Json) : undefined, tail];
            };
            for (const key of drop) {
              const [parent, name] = at(key);
              if (parent) delete parent[name];
            }
            for (const [key, value] of set) {
              const [parent, name] = at(key);
              if (parent) parent[name] = value;
            }
          },
        });
        const payload = h.server.interactions.get(sent.id)?.payload as Json;
        if (payload.type === InteractionType.Ping) {
          sent.response.catch(() => undefined);
          return;
        }
        await sent.response;
        const callbacks = h.server.requests.filter((request) => request.route.startsWith(`/interactions/${sent.id}/`) && request.status < 300);
        assert.equal(callbacks.length, 1);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 60) },
    );
    await stillAnswers();
    assert.deepEqual(rejections, []);
    assert.deepEqual(h.server.violations, []);
  });
});
