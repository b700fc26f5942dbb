/**
 * A Discord-compatible server on 127.0.0.1 for end-to-end tests, benchmarks and the soak run: the REST API
 * under `${apiUrl}/v10` and the Gateway (discord-gateway.ts), close enough to Discord that the unmodified
 * discord.js client logs in through `rest: { api: apiUrl }`.
 *
 * It records every REST request and checks every payload against Discord's limits and for safe
 * `allowed_mentions` (see discord-limits-check.ts); a bad payload is answered 400 like Discord would, and
 * listed in `violations` so a test can fail on it.
 *
 * Behaviour modelled on Discord's documentation: sessions that RESUME with replay of missed dispatches,
 * `resume_gateway_url`, sharding by `(guild_id >> 22) % shard_count`, intents (no guild messages without
 * GUILD_MESSAGES, privileged intents refused unless enabled), the MESSAGE_CONTENT rule (content is
 * stripped unless the message is a DM, mentions the bot, or is the bot's own), `enforce_nonce` (a repeated
 * nonce returns the message it made instead of a second one), and optionally the 3-second window of an
 * interaction. Faults can be injected on both halves: see `faults` (REST) and the gateway methods.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  ComponentType,
  GatewayCloseCodes,
  GatewayDispatchEvents,
  GatewayIntentBits,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  MessageReferenceType,
  MessageType,
  RESTJSONErrorCodes,
} from "discord-api-types/v10";
import { commandProblems, messageProblems } from "./discord-limits-check.ts";
import { Gateway, type GatewayCloseCode, type GatewayRecord } from "./discord-gateway.ts";
import { rateLimited, RestFaults } from "./discord-faults.ts";
import { callbackEffect, type CallbackWorld, type InteractionRecord } from "./discord-callbacks.ts";
import {
  ALL_PERMISSIONS,
  EVERYONE_PERMISSIONS,
  botMessage,
  guildCreate,
  interactionPayload,
  makeGuild,
  makeUser,
  member,
  snowflake,
  userMessage,
  type FakeChannel,
  type FakeGuild,
  type FakeUser,
  type Json,
} from "./discord-world.ts";

export { snowflake, type FakeChannel, type FakeGuild, type FakeUser, type GatewayRecord, type InteractionRecord, type Json };

export interface RecordedRequest {
  seq: number;
  method: string;
  /** Path after `/api/v10`, without the query, e.g. `/channels/123/messages`. */
  route: string;
  query: URLSearchParams;
  body: unknown;
  headers: http.IncomingHttpHeaders;
  /** performance.now() when the request arrived. */
  at: number;
  /** The status sent; 0 when the connection was reset instead. */
  status: number;
  problems: string[];
  /** Files of a multipart/form-data request (its `payload_json` is `body`). */
  files?: { field: string; name: string; type: string; bytes: Buffer }[];
}

export interface DiscordTestServerOptions {
  /** Bot token the server accepts. */
  token?: string;
  /** `shards` recommended by GET /gateway/bot. */
  recommendedShards?: number;
  /**
   * `session_start_limit.max_concurrency`: how many shards may IDENTIFY at once. discord.js waits 5 s
   * between identifies beyond it, so multi-shard tests want this at least the shard count. Default 1.
   */
  maxConcurrency?: number;
  /** Number of guilds the bot is in (ids chosen so that they spread over shards). Default 1. */
  guilds?: number;
  /** HELLO heartbeat interval. discord.js waits a random share of it before the first beat. */
  heartbeatIntervalMs?: number;
  /** Privileged intents enabled for the application; others asked for get close code 4014. Default none. */
  privilegedIntents?: number;
  /** Dispatch MESSAGE_CREATE for the bot's own messages, as Discord does. Default true. */
  echoOwnMessages?: boolean;
  /** Flag mention-looking text in payloads as a violation. Default true. */
  strictMentions?: boolean;
  /**
   * Refuse an interaction's first callback this long after its dispatch with 10062 Unknown interaction, as
   * Discord does after 3 s. Default: no limit, since tests never depend on time.
   */
  interactionWindowMs?: number;
}

type Handler = (request: RecordedRequest, params: string[]) => { status: number; body?: unknown };
type Where = "guild" | "thread" | "dm" | FakeChannel;
/** Who acts, where, and (in a guild) with which permissions; by default the owner's (all) or @everyone's. */
interface Actor {
  user?: FakeUser;
  where?: Where;
  permissions?: bigint;
}

/** How long Discord remembers a nonce for `enforce_nonce`: "the past few minutes". */
const NONCE_MEMORY_MS = 5 * 60_000;

const error = (status: number, message: string, code: RESTJSONErrorCodes) => ({ status, body: { message, code } });

export class DiscordTestServer {
  readonly token: string;
  readonly botUser = makeUser("1300000000000000001", "KnowledgeBot", true);
  readonly applicationId = this.botUser.id;
  readonly guilds: FakeGuild[] = [];
  /** Humans and another bot, for tests to act as. Alice owns the guilds. */
  readonly alice = makeUser("1200000000000000001", "alice");
  readonly bob = makeUser("1200000000000000002", "bob");
  readonly otherBot = makeUser("1200000000000000009", "otherbot", true);

  readonly requests: RecordedRequest[] = [];
  readonly violations: { request: string; problems: string[] }[] = [];
  readonly commands = { global: [] as Json[], guild: new Map<string, Json[]>() };
  readonly messages = new Map<string, Json>();
  readonly interactions = new Map<string, InteractionRecord>();
  /** REST faults to inject: `server.faults.add({ method, route }, fault, times)`. */
  readonly faults = new RestFaults();
  /** Called with every request once answered, for long runs that keep no history (the soak run). */
  onRequest: ((request: RecordedRequest) => void) | undefined;

  apiUrl = "";
  private gatewayUrl = "";
  private resumeUrl = "";
  private readonly http: http.Server;
  /** The Gateway, for faults on it: closeConnection, resetConnection, requestReconnect, invalidateSession, skipHeartbeatAcks. */
  readonly ws: Gateway;
  private readonly dmChannels = new Map<string, FakeChannel>();
  private readonly nonces = new Map<string, { messageId: string; at: number }>();
  private readonly requestWaiters: { predicate: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }[] = [];
  private readonly routes: { method: string; pattern: RegExp; handler: Handler }[] = [];
  private readonly options: Required<DiscordTestServerOptions>;
  private nextSeq = 0;
  private readonly callbackWorld: CallbackWorld;

  private constructor(options: DiscordTestServerOptions) {
    this.options = {
      token: options.token ?? "test-token.discord-test-server",
      recommendedShards: options.recommendedShards ?? 1,
      maxConcurrency: options.maxConcurrency ?? 1,
      guilds: options.guilds ?? 1,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      privilegedIntents: options.privilegedIntents ?? 0,
      echoOwnMessages: options.echoOwnMessages ?? true,
      strictMentions: options.strictMentions ?? true,
      interactionWindowMs: options.interactionWindowMs ?? Number.POSITIVE_INFINITY,
    };
    this.token = this.options.token;
    this.callbackWorld = {
      createMessage: (channelId, body, extra) => this.createMessage(channelId, body, extra),
      messages: this.messages,
      applicationId: this.applicationId,
      checks: this.options,
    };
    for (let i = 0; i < this.options.guilds; i++) this.guilds.push(makeGuild(i, this.alice.id));
    this.ws = new Gateway({
      token: this.token,
      botUser: this.botUser,
      applicationId: this.applicationId,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      privilegedIntents: this.options.privilegedIntents,
      resumeUrl: () => this.resumeUrl,
      guildsOnShard: (shard) => this.guilds.filter((guild) => Number((BigInt(guild.id) >> 22n) % BigInt(shard[1])) === shard[0]),
      guildCreate: (guild) => guildCreate(guild, this.botUser),
    });
    this.http = http.createServer((req, res) => void this.onHttp(req, res));
    this.http.on("upgrade", (req, socket, head) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (path !== "/gateway" && path !== "/resume") return socket.destroy();
      this.ws.upgrade(req, socket, head, path);
    });
    this.defineRoutes();
  }

  static async start(options: DiscordTestServerOptions = {}): Promise<DiscordTestServer> {
    const server = new DiscordTestServer(options);
    await new Promise<void>((resolve) => server.http.listen(0, "127.0.0.1", resolve));
    const { port } = server.http.address() as AddressInfo;
    server.apiUrl = `http://127.0.0.1:${port}/api`;
    server.gatewayUrl = `ws://127.0.0.1:${port}/gateway`;
    server.resumeUrl = `ws://127.0.0.1:${port}/resume`;
    return server;
  }

  /**
   * Forgets the history of requests, gateway events, messages and answered interactions; violations and
   * the sessions' resume buffers (bounded, and needed to resume) are kept. For long runs, where the history would only grow this process's
   * heap (Discord does not keep the bot's requests in the bot's machine).
   */
  forgetHistory(): void {
    this.requests.length = 0;
    this.ws.forgetHistory();
    this.messages.clear();
    this.nonces.clear();
    for (const [id, interaction] of this.interactions) if (interaction.response) this.interactions.delete(id);
  }

  async close(): Promise<void> {
    await this.ws.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  // ---- world -------------------------------------------------------------------------------------

  /** The guild's text channel and thread (first guild by default). */
  channel(kind: "text" | "thread" = "text", guildIndex = 0): FakeChannel {
    const guild = this.guilds[guildIndex];
    if (!guild) throw new Error(`no guild ${guildIndex}`);
    const channel = kind === "text" ? guild.channels[0] : guild.threads[0];
    if (!channel) throw new Error(`guild ${guild.id} has no ${kind} channel`);
    return channel;
  }

  /** The DM channel between the bot and `person`, created on first use. */
  dmChannel(person: FakeUser): FakeChannel {
    let channel = this.dmChannels.get(person.id);
    if (!channel) {
      channel = { id: snowflake(), type: ChannelType.DM, recipients: [person], last_message_id: null, flags: 0 };
      this.dmChannels.set(person.id, channel);
    }
    return channel;
  }

  shardOf(guildId: string | undefined): number {
    return guildId ? Number((BigInt(guildId) >> 22n) % BigInt(this.ws.shardCount())) : 0;
  }

  private findChannel(id: string): FakeChannel | undefined {
    for (const guild of this.guilds) {
      const found = [...guild.channels, ...guild.threads].find((channel) => channel.id === id);
      if (found) return found;
    }
    return [...this.dmChannels.values()].find((channel) => channel.id === id);
  }

  // ---- waiting ------------------------------------------------------------------------------------

  /**
   * Resolves with the first recorded request (past or future) matching `predicate`. The timeout only
   * turns a hang into a readable failure; tests never assert on time.
   */
  waitForRequest(predicate: (request: RecordedRequest) => boolean, timeoutMs = 15_000): Promise<RecordedRequest> {
    const found = this.requests.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const recent = this.requests.slice(-5).map((r) => `${r.method} ${r.route} ${r.status}`);
        reject(new Error(`no matching request within ${timeoutMs} ms; last requests: ${recent.join(", ") || "none"}`));
      }, timeoutMs);
      timer.unref();
      this.requestWaiters.push({
        predicate,
        resolve: (request) => {
          clearTimeout(timer);
          resolve(request);
        },
      });
    });
  }

  waitForGateway(predicate: (record: GatewayRecord) => boolean, timeoutMs = 15_000): Promise<GatewayRecord> {
    return this.ws.waitFor(predicate, timeoutMs);
  }

  /** The callback request that acknowledged an interaction, once the bot has made it. */
  interactionResponse(interactionId: string, timeoutMs = 15_000): Promise<RecordedRequest> {
    const record = this.interactions.get(interactionId);
    if (!record) return Promise.reject(new Error(`unknown interaction ${interactionId}`));
    if (record.response) return Promise.resolve(record.response);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`interaction ${interactionId} got no callback within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
      record.waiters.push((request) => {
        clearTimeout(timer);
        resolve(request);
      });
    });
  }

  private record(request: RecordedRequest): void {
    this.requests.push(request);
    this.onRequest?.(request);
    if (request.problems.length) this.violations.push({ request: `${request.method} ${request.route}`, problems: request.problems });
    for (let i = this.requestWaiters.length - 1; i >= 0; i--) {
      const waiter = this.requestWaiters[i];
      if (waiter?.predicate(request)) {
        this.requestWaiters.splice(i, 1);
        waiter.resolve(request);
      }
    }
  }

  // ---- REST ---------------------------------------------------------------------------------------

  private route(method: string, pattern: RegExp, handler: Handler): void {
    this.routes.push({ method, pattern, handler });
  }

  private async onHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString("utf8");
    const request: RecordedRequest = {
      seq: this.nextSeq++,
      method: req.method ?? "GET",
      route: decodeURIComponent(url.pathname.replace(/^\/api\/v10(?=\/)/, "")),
      query: url.searchParams,
      body: undefined,
      headers: req.headers,
      at: performance.now(),
      status: 0,
      problems: [],
    };
    const fault = this.faults.take(request.method, request.route);
    let result: { status: number; body?: unknown; headers?: http.OutgoingHttpHeaders };
    if (fault?.kind === "rate-limit") {
      result = { status: 429, ...rateLimited(fault, `${request.method}:${request.route.split("/").slice(0, 3).join("/")}`) };
    } else if (fault?.kind === "server-error") {
      result = { status: fault.status ?? 500, body: { message: "500: Internal Server Error", code: RESTJSONErrorCodes.GeneralError } };
    } else if (fault?.kind === "reset" && !fault.afterEffect) {
      return this.reset(req, request);
    } else {
      try {
        if (!url.pathname.startsWith("/api/v10/")) {
          result = error(404, "404: Not Found (this server speaks /api/v10)", RESTJSONErrorCodes.GeneralError);
        } else if (raw && String(req.headers["content-type"]).startsWith("multipart/form-data")) {
          // Attachments: Discord's multipart form, the message as `payload_json` and each file as `files[n]`.
          const form = await new Response(bytes, { headers: { "content-type": String(req.headers["content-type"]) } }).formData();
          const payload = form.get("payload_json");
          request.body = typeof payload === "string" ? JSON.parse(payload) : undefined;
          request.files = [];
          for (const [field, value] of form.entries()) {
            if (typeof value !== "string") request.files.push({ field, name: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
          }
          result = this.handle(request);
        } else if (raw && !String(req.headers["content-type"]).startsWith("application/json")) {
          result = error(400, "The test server only takes JSON and multipart bodies", RESTJSONErrorCodes.InvalidFormBodyOrContentType);
        } else {
          request.body = raw ? JSON.parse(raw) : undefined;
          result = this.handle(request);
        }
      } catch (thrown) {
        result = error(500, `test server error: ${(thrown as Error).message}`, RESTJSONErrorCodes.GeneralError);
      }
      if (fault?.kind === "reset") return this.reset(req, request);
      if (fault?.kind === "error-after-effect")
        result = { status: fault.status ?? 500, body: { message: "500: Internal Server Error", code: RESTJSONErrorCodes.GeneralError } };
      if (fault?.kind === "slow") await sleep(fault.delayMs);
    }
    request.status = result.status;
    this.record(request);
    if (result.body === undefined) res.writeHead(result.status, result.headers).end();
    else res.writeHead(result.status, { "content-type": "application/json", ...result.headers }).end(JSON.stringify(result.body));
    this.notifyAcknowledged(request);
  }

  private reset(req: http.IncomingMessage, request: RecordedRequest): void {
    this.record(request);
    req.socket.resetAndDestroy();
    this.notifyAcknowledged(request);
  }

  private notifyAcknowledged(request: RecordedRequest): void {
    if (!request.route.includes("/callback")) return;
    const interaction = this.interactions.get(request.route.split("/")[2] ?? "");
    if (interaction?.response === request) for (const waiter of interaction.waiters.splice(0)) waiter(request);
  }

  private handle(request: RecordedRequest): { status: number; body?: unknown } {
    // Interaction callbacks and interaction webhooks are authenticated by their token, not the bot token.
    const tokenRoute = /^\/(interactions|webhooks)\//.test(request.route);
    if (!tokenRoute && request.headers.authorization !== `Bot ${this.token}`) return error(401, "401: Unauthorized", RESTJSONErrorCodes.GeneralError);
    for (const route of this.routes) {
      if (route.method !== request.method) continue;
      const match = route.pattern.exec(request.route);
      if (match) return route.handler(request, match.slice(1));
    }
    return error(404, "404: Not Found", RESTJSONErrorCodes.GeneralError);
  }

  private invalid(request: RecordedRequest, problems: string[]): { status: number; body: unknown } | undefined {
    if (!problems.length) return undefined;
    request.problems.push(...problems);
    return {
      status: 400,
      body: {
        message: "Invalid Form Body",
        code: RESTJSONErrorCodes.InvalidFormBodyOrContentType,
        errors: { _errors: problems.map((message) => ({ code: "BASE_TYPE_INVALID", message })) },
      },
    };
  }

  private createMessage(channelId: string, body: Json, extra: Json = {}): Json {
    const message = botMessage(this.botUser, channelId, this.findChannel(channelId)?.guild_id, body, extra);
    this.messages.set(message.id as string, message);
    return message;
  }

  private echo(message: Json): void {
    if (!this.options.echoOwnMessages || ((message.flags as number) & MessageFlags.Ephemeral) !== 0) return;
    const channel = this.findChannel(message.channel_id as string);
    try {
      this.dispatch(
        GatewayDispatchEvents.MessageCreate,
        { ...message, channel_type: channel?.type ?? ChannelType.GuildText, ...(channel?.guild_id ? { member: member(this.botUser, false) } : {}) },
        this.shardOf(channel?.guild_id),
      );
    } catch {
      // No session (bot logged out): Discord would just not deliver it.
    }
  }

  private defineRoutes(): void {
    this.route("GET", /^\/gateway\/bot$/, () => ({
      status: 200,
      body: {
        url: this.gatewayUrl,
        shards: this.options.recommendedShards,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: this.options.maxConcurrency },
      },
    }));
    this.route("GET", /^\/gateway$/, () => ({ status: 200, body: { url: this.gatewayUrl } }));
    this.route("GET", /^\/users\/@me$/, () => ({ status: 200, body: { ...this.botUser, verified: true, mfa_enabled: false, flags: 0 } }));
    const application = () => ({
      status: 200,
      body: {
        id: this.applicationId,
        name: this.botUser.username,
        icon: null,
        description: "",
        bot_public: true,
        bot_require_code_grant: false,
        verify_key: "0".repeat(64),
        flags: 0,
        bot: this.botUser,
        team: null,
      },
    });
    this.route("GET", /^\/applications\/@me$/, application);
    this.route("GET", /^\/oauth2\/applications\/@me$/, application);

    const commandsFor = (appId: string, guildId?: string) => {
      if (appId !== this.applicationId) return undefined;
      if (guildId === undefined) return this.commands.global;
      if (!this.guilds.some((guild) => guild.id === guildId)) return undefined;
      return this.commands.guild.get(guildId) ?? [];
    };
    const missingAccess = error(403, "Missing Access", RESTJSONErrorCodes.MissingAccess);
    const putCommands: Handler = (request, [appId = "", guildId]) => {
      if (!commandsFor(appId, guildId)) return missingAccess;
      const bad = this.invalid(request, commandProblems(request.body));
      if (bad) return bad;
      const stored = (request.body as Json[]).map((command) => ({
        id: snowflake(),
        application_id: this.applicationId,
        version: snowflake(),
        default_member_permissions: null,
        type: ApplicationCommandType.ChatInput,
        nsfw: false,
        ...(guildId ? { guild_id: guildId } : {}),
        ...command,
      }));
      if (guildId) this.commands.guild.set(guildId, stored);
      else this.commands.global = stored;
      return { status: 200, body: stored };
    };
    this.route("PUT", /^\/applications\/(\d+)\/commands$/, putCommands);
    this.route("PUT", /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/, putCommands);
    const getCommands: Handler = (_request, [appId = "", guildId]) => {
      const list = commandsFor(appId, guildId);
      return list ? { status: 200, body: list } : missingAccess;
    };
    this.route("GET", /^\/applications\/(\d+)\/commands$/, getCommands);
    this.route("GET", /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/, getCommands);

    this.route("POST", /^\/interactions\/(\d+)\/([^/]+)\/callback$/, (request, [id = "", token = ""]) => this.callback(request, id, token));

    const webhookInteraction = (appId: string, token: string) => {
      if (appId !== this.applicationId) return undefined;
      return [...this.interactions.values()].find((interaction) => interaction.token === token && interaction.acknowledged);
    };
    const unknownMessage = error(404, "Unknown Message", RESTJSONErrorCodes.UnknownMessage);
    const webhookMessage = (appId: string, token: string, messageId: string) => {
      const interaction = webhookInteraction(appId, token);
      const id = messageId === "@original" ? interaction?.originalMessageId : messageId;
      return { interaction, id, message: id ? this.messages.get(id) : undefined };
    };
    this.route("POST", /^\/webhooks\/(\d+)\/([^/]+)$/, (request, [appId = "", token = ""]) => {
      const interaction = webhookInteraction(appId, token);
      if (!interaction) return error(404, "Unknown Webhook", RESTJSONErrorCodes.UnknownWebhook);
      const bad = this.invalid(request, messageProblems(request.body, this.options));
      if (bad) return bad;
      const message = this.createMessage(this.interactionChannelId(interaction), request.body as Json, {
        webhook_id: this.applicationId,
        application_id: this.applicationId,
      });
      this.echo(message);
      return { status: 200, body: message };
    });
    this.route("PATCH", /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/, (request, [appId = "", token = "", messageId = ""]) => {
      const { interaction, message } = webhookMessage(appId, token, messageId);
      if (!interaction || !message) return unknownMessage;
      const bad = this.invalid(request, messageProblems({ ...(request.body as Json) }, this.options));
      if (bad) return bad;
      Object.assign(message, request.body as Json, { edited_timestamp: new Date().toISOString() });
      return { status: 200, body: message };
    });
    this.route("GET", /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/, (_request, [appId = "", token = "", messageId = ""]) => {
      const { message } = webhookMessage(appId, token, messageId);
      return message ? { status: 200, body: message } : unknownMessage;
    });
    this.route("DELETE", /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/, (_request, [appId = "", token = "", messageId = ""]) => {
      const { id } = webhookMessage(appId, token, messageId);
      return id && this.messages.delete(id) ? { status: 204 } : unknownMessage;
    });

    this.route("POST", /^\/channels\/(\d+)\/messages$/, (request, [channelId = ""]) => this.postMessage(request, channelId));
    this.route("PATCH", /^\/channels\/(\d+)\/messages\/(\d+)$/, (request, [, messageId = ""]) => {
      const message = this.messages.get(messageId);
      if (!message) return unknownMessage;
      const bad = this.invalid(request, messageProblems(request.body, this.options));
      if (bad) return bad;
      Object.assign(message, request.body as Json, { edited_timestamp: new Date().toISOString() });
      return { status: 200, body: message };
    });
    this.route("POST", /^\/channels\/(\d+)\/typing$/, () => ({ status: 204 }));
  }

  private postMessage(request: RecordedRequest, channelId: string): { status: number; body?: unknown } {
    if (!this.findChannel(channelId)) return error(404, "Unknown Channel", RESTJSONErrorCodes.UnknownChannel);
    const body = request.body as Json;
    const nonce = body.nonce;
    const nonceProblems =
      nonce !== undefined && !(typeof nonce === "number" || (typeof nonce === "string" && nonce.length <= 25))
        ? [`nonce ${JSON.stringify(nonce)} is not an integer or a string of at most 25 characters`]
        : [];
    const bad = this.invalid(request, [...messageProblems(body, this.options), ...nonceProblems]);
    if (bad) return bad;
    // enforce_nonce: the same nonce from the same author in the same channel returns the message it made.
    const nonceKey = body.enforce_nonce === true && nonce !== undefined ? `${channelId}:${JSON.stringify(nonce)}` : undefined;
    const seen = nonceKey ? this.nonces.get(nonceKey) : undefined;
    const existing = seen && performance.now() - seen.at < NONCE_MEMORY_MS ? this.messages.get(seen.messageId) : undefined;
    if (existing) return { status: 200, body: existing };
    const reference = body.message_reference as Json | undefined;
    const referenced = reference ? this.messages.get(String(reference.message_id)) : undefined;
    if (reference && !referenced && reference.fail_if_not_exists !== false) {
      return {
        status: 400,
        body: {
          message: "Invalid Form Body",
          code: RESTJSONErrorCodes.InvalidFormBodyOrContentType,
          errors: { message_reference: { _errors: [{ code: "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", message: "Unknown message" }] } },
        },
      };
    }
    const message = this.createMessage(
      channelId,
      body,
      reference
        ? {
            type: MessageType.Reply,
            message_reference: { type: MessageReferenceType.Default, channel_id: channelId, ...reference },
            referenced_message: referenced ?? null,
          }
        : {},
    );
    if (nonceKey) this.nonces.set(nonceKey, { messageId: message.id as string, at: performance.now() });
    this.echo(message);
    return { status: 200, body: message };
  }

  private interactionChannelId(interaction: InteractionRecord): string {
    return interaction.channel.id;
  }

  private callback(request: RecordedRequest, id: string, token: string): { status: number; body?: unknown } {
    const interaction = this.interactions.get(id);
    const unknown = error(404, "Unknown interaction", RESTJSONErrorCodes.UnknownInteraction);
    if (!interaction || interaction.token !== token) return unknown;
    if (interaction.acknowledged) return error(400, "Interaction has already been acknowledged.", RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged);
    if (request.at - interaction.dispatchedAt >= this.options.interactionWindowMs) return unknown;
    const body = request.body as Json;
    const kind = interaction.payload.type as InteractionType;
    const { problems, message } = callbackEffect(this.callbackWorld, interaction, body);
    const bad = this.invalid(request, problems);
    if (bad) return bad;
    interaction.acknowledged = true;
    interaction.response = request;
    if (message && body.type === InteractionResponseType.ChannelMessageWithSource) this.echo(message);
    if (request.query.get("with_response") === "true") {
      return { status: 200, body: { interaction: { id, type: kind }, resource: { type: body.type, ...(message ? { message } : {}) } } };
    }
    return { status: 204 };
  }

  // ---- Gateway ------------------------------------------------------------------------------------

  /** Every gateway payload the bot sent. */
  get gateway(): GatewayRecord[] {
    return this.ws.records;
  }

  /** Sends a dispatch on a shard's session (kept for replay if the bot is disconnected). Returns its `s`. */
  dispatch(t: GatewayDispatchEvents, d: unknown, shardId = 0, onSent?: () => void): number {
    return this.ws.dispatch(t, d, shardId, onSent);
  }

  /** Whether the shard's bot connection is currently open. */
  connected(shardId = 0): boolean {
    return this.ws.connected(shardId);
  }

  /**
   * Drops a shard's connection the way a network blip or a Discord restart does (close code 4000 by default,
   * which discord.js answers with RESUME). Resolves once the socket is closed on this side.
   */
  dropConnection(shardId = 0, code: GatewayCloseCode = GatewayCloseCodes.UnknownError): Promise<void> {
    return this.ws.closeConnection(shardId, code);
  }

  /** Sends op 7 RECONNECT: Discord asks the client to reconnect and resume. */
  requestReconnect(shardId = 0): void {
    this.ws.requestReconnect(shardId);
  }

  identifies(): GatewayRecord[] {
    return this.ws.identifies();
  }

  // ---- events as users would cause them ---------------------------------------------------------------

  private where(where: Where, person: FakeUser): FakeChannel {
    if (where === "guild") return this.channel("text");
    if (where === "thread") return this.channel("thread");
    if (where === "dm") return this.dmChannel(person);
    return where;
  }

  /**
   * An interaction of any `type` with `data`, as Discord sends it; `mutate` may then break the payload
   * (drop a field, change a type) to send what a faulty or future Discord might.
   */
  interaction(type: InteractionType, data: Json | undefined, init: Actor & { message?: Json; mutate?: (payload: Json) => void } = {}) {
    const person = init.user ?? this.alice;
    const channel = this.where(init.where ?? "guild", person);
    const guild = this.guilds.find((candidate) => candidate.id === channel.guild_id);
    const permissions = init.permissions ?? (guild?.ownerId === person.id ? ALL_PERMISSIONS : EVERYONE_PERMISSIONS);
    const payload = interactionPayload({
      type,
      data,
      person,
      channel,
      applicationId: this.applicationId,
      permissions,
      ...(init.message ? { message: init.message } : {}),
    });
    const { id, token } = payload as { id: string; token: string };
    init.mutate?.(payload);
    const record: InteractionRecord = { id, token, payload, dispatchedAt: performance.now(), acknowledged: false, waiters: [], user: person, channel };
    this.interactions.set(id, record);
    const response = this.interactionResponse(id);
    this.dispatch(GatewayDispatchEvents.InteractionCreate, payload, this.shardOf(channel.guild_id), () => (record.deliveredAt = performance.now()));
    return { id, token, response };
  }

  private commandData(name: string): Json {
    const all = [...this.commands.global, ...[...this.commands.guild.values()].flat()];
    const registered = all.find((command) => command.name === name);
    return { id: registered?.id ?? snowflake(), name, type: ApplicationCommandType.ChatInput };
  }

  /** A slash command used by `user` in a guild channel, thread or DM; `options` as name → value. */
  command(name: string, options: Record<string, string | number | boolean> = {}, init: Actor = {}) {
    const typeOf = (value: unknown) =>
      typeof value === "boolean"
        ? ApplicationCommandOptionType.Boolean
        : typeof value === "number"
          ? ApplicationCommandOptionType.Integer
          : ApplicationCommandOptionType.String;
    const data = {
      ...this.commandData(name),
      ...(Object.keys(options).length
        ? { options: Object.entries(options).map(([optionName, value]) => ({ name: optionName, type: typeOf(value), value })) }
        : {}),
    };
    return this.interaction(InteractionType.ApplicationCommand, data, init);
  }

  /** Autocomplete for `name`'s option `focused`, with `value` typed so far. */
  autocomplete(name: string, focused: string, value: string, init: Actor = {}) {
    const data = { ...this.commandData(name), options: [{ name: focused, type: ApplicationCommandOptionType.String, value, focused: true }] };
    return this.interaction(InteractionType.ApplicationCommandAutocomplete, data, init);
  }

  /** A press on button `customId` of the bot's message `messageId`, by `user`. */
  button(messageId: string, customId: string, init: { user?: FakeUser } = {}) {
    const message = this.messages.get(messageId);
    if (!message) throw new Error(`no message ${messageId}`);
    const channel = this.findChannel(message.channel_id as string);
    if (!channel) throw new Error(`message ${messageId} is in an unknown channel`);
    return this.interaction(
      InteractionType.MessageComponent,
      { custom_id: customId, component_type: ComponentType.Button },
      { ...init, where: channel, message },
    );
  }

  /**
   * A submission of the modal that interaction `openedBy` was answered with, by the person it showed it to,
   * with `values` as text input custom id → what they typed (Discord sends each field, empty or not).
   */
  submitModal(openedBy: string, values: Record<string, string>, init: { user?: FakeUser } = {}) {
    const opened = this.interactions.get(openedBy);
    const modal = (opened?.response?.body as Json | undefined)?.data as Json | undefined;
    if (!opened || (opened.response?.body as Json | undefined)?.type !== InteractionResponseType.Modal || !modal)
      throw new Error(`interaction ${openedBy} was not answered with a modal`);
    const rows = (modal.components as Json[]).map((row) => ({
      type: ComponentType.ActionRow,
      components: (row.components as Json[]).map((input) => ({
        type: ComponentType.TextInput,
        custom_id: input.custom_id,
        value: values[input.custom_id as string] ?? "",
      })),
    }));
    return this.interaction(
      InteractionType.ModalSubmit,
      { custom_id: modal.custom_id, components: rows },
      { user: init.user ?? opened.user, where: opened.channel, ...(opened.payload.message ? { message: opened.payload.message as Json } : {}) },
    );
  }

  /** The message an interaction's first response created, as the server holds it now. */
  originalMessage(interactionId: string): Json | undefined {
    const id = this.interactions.get(interactionId)?.originalMessageId;
    return id ? this.messages.get(id) : undefined;
  }

  /**
   * A message posted by `author` (default Alice) in a guild channel, thread or DM. Mentions are derived from
   * `<@id>` in the content; content is stripped as Discord does when the bot lacks MESSAGE_CONTENT.
   * Returns the message as stored, or undefined when the bot's intents mean Discord would not deliver it.
   */
  message(content: string, init: { author?: FakeUser; where?: Where } = {}): Json | undefined {
    const author = init.author ?? this.alice;
    const channel = this.where(init.where ?? "guild", author);
    const guildId = channel.guild_id;
    const guild = this.guilds.find((candidate) => candidate.id === guildId);
    const message = userMessage({ author, channel, content, known: [this.botUser, this.alice, this.bob, this.otherBot], ...(guild ? { guild } : {}) });
    const mentioned = message.mentions as FakeUser[];
    this.messages.set(message.id as string, message);
    const shard = this.shardOf(guildId);
    const intents = this.ws.intentsOf(shard);
    if (intents === undefined) throw new Error(`shard ${shard} has no session`);
    if (!(intents & (guildId ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages))) return undefined;
    const botMentioned = mentioned.some((person) => person.id === this.botUser.id) || (message.mention_roles as string[]).length > 0;
    const delivered =
      intents & GatewayIntentBits.MessageContent || !guildId || botMentioned || author.id === this.botUser.id
        ? message
        : { ...message, content: "", embeds: [], attachments: [], components: [] };
    this.dispatch(GatewayDispatchEvents.MessageCreate, delivered, shard);
    return message;
  }

  /** Requests the bot made after request number `seq` (exclusive) matching `predicate`. */
  requestsAfter(seq: number, predicate: (request: RecordedRequest) => boolean = () => true): RecordedRequest[] {
    return this.requests.filter((request) => request.seq > seq && predicate(request));
  }
}
