/**
 * `npm run deploy-commands` against the Discord test server: the exact PUT body, guild vs global, idempotence,
 * and the messages for a bad token, a missing token and a guild the bot is not in.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { commandData } from "../../src/discord/commands.ts";
import { deployCommands, DeployError } from "../../src/discord/deploy-commands.ts";
import { silentLogger } from "../../src/log.ts";
import { DiscordTestServer } from "../support/discord-server.ts";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

const ASK = {
  name: "ask",
  description: "Ask a question; I answer from the knowledge base and cite my sources.",
  type: 1,
  contexts: [0, 1],
  integration_types: [0],
  options: [
    { type: 3, name: "question", description: "What do you want to know?", required: true, max_length: 300, autocomplete: true },
    { type: 5, name: "private", description: "Only you see the answer (default: everyone in the channel does).", required: false },
  ],
};
const SOURCES = { name: "sources", description: "List the documents I answer from.", type: 1, contexts: [0, 1], integration_types: [0] };
const HELP = { name: "help", description: "How to ask me questions.", type: 1, contexts: [0, 1], integration_types: [0] };
const RELOAD = {
  name: "reload",
  description: "Reload the knowledge base from its folder (administrators).",
  type: 1,
  default_member_permissions: "8",
  contexts: [0],
  integration_types: [0],
};

const GAPS = {
  name: "gaps",
  description: "What people asked that I could not answer, and how to close the gaps (administrators).",
  type: 1,
  default_member_permissions: "8",
  contexts: [0],
  integration_types: [0],
  options: [{ type: 4, name: "days", description: "The last N days, today included (default 7).", required: false, min_value: 1, max_value: 3650 }],
};
const TEACH = {
  name: "teach",
  description: "Teach me that a question should find a passage, or undo that (administrators).",
  type: 1,
  default_member_permissions: "8",
  contexts: [0],
  integration_types: [0],
  options: [
    { type: 3, name: "question", description: "The question, as people ask it.", required: true, max_length: 300 },
    {
      type: 3,
      name: "passage",
      description: "The passage it should find: type words of it and pick one.",
      required: true,
      max_length: 100,
      autocomplete: true,
    },
    { type: 5, name: "remove", description: "Undo this teaching instead (default: teach it).", required: false },
  ],
};

describe("deploy-commands", () => {
  let server: DiscordTestServer;
  before(async () => {
    server = await DiscordTestServer.start();
  });
  after(async () => {
    await server.close();
  });

  const options = (overrides: Partial<Parameters<typeof deployCommands>[0]> = {}) => ({
    token: server.token,
    apiUrl: server.apiUrl,
    guildId: undefined,
    maxQuestionLength: 300,
    logger: silentLogger,
    ...overrides,
  });

  test("the command definitions are exactly what Discord is sent", () => {
    assert.deepEqual(commandData({ maxQuestionLength: 300 }), [ASK, SOURCES, HELP, RELOAD, GAPS, TEACH]);
  });

  test("registers to the guild when DISCORD_GUILD_ID is set, with the application id read from the token", async () => {
    const guildId = server.guilds[0]?.id ?? "";
    const from = server.requests.length;
    const result = await deployCommands(options({ guildId }));
    assert.deepEqual(result, { applicationId: server.applicationId, scope: "guild", guildId, commands: ["ask", "sources", "help", "reload", "gaps", "teach"] });
    const requests = server.requests.slice(from);
    assert.deepEqual(
      requests.map((request) => `${request.method} ${request.route}`),
      ["GET /applications/@me", `PUT /applications/${server.applicationId}/guilds/${guildId}/commands`],
    );
    assert.deepEqual(requests[1]?.body, [ASK, SOURCES, HELP, RELOAD, GAPS, TEACH]);
    assert.equal(requests[1]?.headers.authorization, `Bot ${server.token}`);
    assert.deepEqual(server.violations, []);
  });

  test("registers globally without a guild id, and running it again changes nothing", async () => {
    const first = await deployCommands(options());
    const ids = server.commands.global.map((command) => command.name);
    const second = await deployCommands(options());
    assert.deepEqual(first, second);
    assert.deepEqual(
      server.commands.global.map((command) => command.name),
      ids,
    );
    const puts = server.requests.filter((request) => request.method === "PUT" && request.route === `/applications/${server.applicationId}/commands`);
    assert.equal(puts.length, 2);
    assert.deepEqual(puts[0]?.body, puts[1]?.body);
  });

  test("max_length follows MAX_QUESTION_LENGTH", async () => {
    await deployCommands(options({ maxQuestionLength: 1000 }));
    const last = server.requests.filter((request) => request.method === "PUT").at(-1);
    assert.equal((last?.body as { options?: { max_length?: number }[] }[])[0]?.options?.[0]?.max_length, 1000);
  });

  test("a bad token gets a message that says what to do", async () => {
    await assert.rejects(deployCommands(options({ token: "not-the-token" })), (error: unknown) => {
      assert.ok(error instanceof DeployError);
      assert.equal(
        error.message,
        "DISCORD_TOKEN was rejected by Discord (401 Unauthorized): copy the bot token again from the Developer Portal (Bot → Reset Token).",
      );
      return true;
    });
  });

  test("a missing token is named", async () => {
    await assert.rejects(
      deployCommands(options({ token: undefined })),
      /^DeployError: DISCORD_TOKEN is not set: put the bot token in \.env \(see \.env\.example\) to register commands\.$/,
    );
  });

  test("a guild the bot is not in is named with its id", async () => {
    await assert.rejects(
      deployCommands(options({ guildId: "123456789012345678" })),
      (error: unknown) =>
        error instanceof DeployError &&
        error.message.startsWith('Discord refused to register commands in DISCORD_GUILD_ID="123456789012345678" (403 Missing Access)'),
    );
  });

  test("npm run deploy-commands works from the command line and exits 1 on a bad token", async () => {
    const run = promisify(execFile);
    const env = {
      ...process.env,
      DISCORD_API_URL: server.apiUrl,
      DISCORD_GUILD_ID: server.guilds[0]?.id ?? "",
      LOG_LEVEL: "info",
      LOG_FORMAT: "pretty",
      KNOWLEDGE_DIR: "knowledge",
    };
    const ok = await run(process.execPath, ["--import", "tsx", "src/discord/deploy-commands.ts"], { cwd: ROOT, env: { ...env, DISCORD_TOKEN: server.token } });
    assert.match(
      ok.stderr,
      /INFO {2}deploy-commands: registered in guild \(live now\) application=1300000000000000001 guild=\d+ commands=\/ask \/sources \/help \/reload \/gaps \/teach/,
    );
    await assert.rejects(
      run(process.execPath, ["--import", "tsx", "src/discord/deploy-commands.ts"], { cwd: ROOT, env: { ...env, DISCORD_TOKEN: "wrong" } }),
      (error: { code?: number; stderr?: string }) => {
        assert.equal(error.code, 1);
        assert.match(String(error.stderr), /DISCORD_TOKEN was rejected by Discord \(401 Unauthorized\)/);
        return true;
      },
    );
  });
});
