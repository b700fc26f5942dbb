/**
 * A Discord-compatible server on 127.0.0.1 for end-to-end tests and benchmarks: the REST API under
 * `${apiUrl}/v10` and the Gateway (JSON encoding, no compression), close enough to Discord that the
 * unmodified discord.js client logs in through `rest: { api: apiUrl }`.
 *
 * It records every REST request and checks every payload against Discord's limits and for safe
 * `allowed_mentions` (see discord-limits-check.ts); a bad payload is answered 400 like Discord would, and
 * listed in `violations` so a test can fail on it.
 *
 * Behaviour modelled on Discord's documentation: sessions that RESUME with replay of missed dispatches,
 * `resume_gateway_url`, sharding by `(guild_id >> 22) % shard_count`, intents (no guild messages without
 * GUILD_MESSAGES, privileged intents refused unless enabled) and the MESSAGE_CONTENT rule (content is
 * stripped unless the message is a DM, mentions the bot, or is the bot's own).
 */
import http from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { WebSocketServer, WebSocket, type RawData } from "ws";
import { choiceProblems, commandProblems, messageProblems } from "./discord-limits-check.ts";

export type Json = Record<string, unknown>;

const DISCORD_EPOCH = 1420070400000n;
let increment = 0n;
/** A real-looking snowflake (discord.js derives timestamps from them). */
export function snowflake(): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

export const Intents = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
  GuildPresences: 1 << 8,
} as const;
const PRIVILEGED = Intents.GuildMembers | Intents.GuildPresences | Intents.MessageContent;

export interface FakeUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: null;
  bot?: boolean;
}

export interface FakeChannel extends Json {
  id: string;
  type: number;
  guild_id?: string;
  name?: string;
}

export interface FakeGuild {
  id: string;
  name: string;
  channels: FakeChannel[];
  threads: FakeChannel[];
  botRoleId: string;
}

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
  status: number;
  problems: string[];
}

export interface GatewayRecord {
  shardId: number;
  op: number;
  d: unknown;
  /** Which URL path the connection used: `/gateway` (from /gateway/bot) or `/resume` (resume_gateway_url). */
  path: string;
}

interface Session {
  id: string;
  shard: [number, number];
  intents: number;
  seq: number;
  /** Dispatches kept for replay on RESUME. */
  sent: { s: number; payload: string }[];
  socket: WebSocket | undefined;
  resumable: boolean;
}

interface InteractionRecord {
  id: string;
  token: string;
  payload: Json;
  dispatchedAt: number;
  acknowledged: boolean;
  response?: RecordedRequest;
  originalMessageId?: string;
  waiters: ((request: RecordedRequest) => void)[];
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
}

type Handler = (request: RecordedRequest, params: string[]) => { status: number; body?: unknown };

function user(id: string, username: string, bot = false): FakeUser {
  return { id, username, global_name: bot ? null : username, discriminator: "0", avatar: null, ...(bot ? { bot: true } : {}) };
}

export class DiscordTestServer {
  readonly token: string;
  readonly botUser: FakeUser;
  readonly applicationId: string;
  readonly guilds: FakeGuild[] = [];
  /** Humans and another bot, for tests to act as. */
  readonly alice = user("1200000000000000001", "alice");
  readonly bob = user("1200000000000000002", "bob");
  readonly otherBot = user("1200000000000000009", "otherbot", true);

  readonly requests: RecordedRequest[] = [];
  readonly violations: { request: string; problems: string[] }[] = [];
  readonly gateway: GatewayRecord[] = [];
  readonly commands = { global: [] as Json[], guild: new Map<string, Json[]>() };
  readonly messages = new Map<string, Json>();
  readonly interactions = new Map<string, InteractionRecord>();

  apiUrl = "";
  private gatewayUrl = "";
  private resumeUrl = "";
  private readonly http: http.Server;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<number, Session>();
  private readonly dmChannels = new Map<string, FakeChannel>();
  private readonly requestWaiters: { predicate: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }[] = [];
  private readonly gatewayWaiters: { predicate: (r: GatewayRecord) => boolean; resolve: (r: GatewayRecord) => void }[] = [];
  private readonly routes: { method: string; pattern: RegExp; handler: Handler }[] = [];
  private readonly options: Required<DiscordTestServerOptions>;
  private nextSeq = 0;

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
    };
    this.token = this.options.token;
    this.botUser = user("1300000000000000001", "KnowledgeBot", true);
    this.applicationId = this.botUser.id;
    for (let i = 0; i < this.options.guilds; i++) this.guilds.push(this.makeGuild(i));
    this.http = http.createServer((req, res) => void this.onHttp(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.http.on("upgrade", (req, socket, head) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (path !== "/gateway" && path !== "/resume") return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, req, path));
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
   * Forgets the history of requests, gateway events (the resume buffer too), messages and answered
   * interactions; violations are kept. For long benchmark runs, where the history would only grow this
   * process's heap (Discord does not keep the bot's requests in the bot's machine).
   */
  forgetHistory(): void {
    this.requests.length = 0;
    this.gateway.length = 0;
    for (const session of this.sessions.values()) session.sent.length = 0;
    this.messages.clear();
    for (const [id, interaction] of this.interactions) if (interaction.response) this.interactions.delete(id);
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  // ---- world -------------------------------------------------------------------------------------

  private makeGuild(index: number): FakeGuild {
    // Guild i lands on shard i % count, since shard = (id >> 22) % count and the timestamp part is even + i.
    const base = (262_000_000_000n + BigInt(index)) << 22n;
    const id = base.toString();
    const channelId = (base + 11n).toString();
    const general: FakeChannel = { id: channelId, type: 0, guild_id: id, name: "general", position: 0, parent_id: null, permission_overwrites: [], nsfw: false, topic: null, last_message_id: null, rate_limit_per_user: 0, flags: 0 };
    const thread: FakeChannel = {
      id: (base + 12n).toString(),
      type: 11,
      guild_id: id,
      name: "questions",
      parent_id: channelId,
      owner_id: this.alice.id,
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
    };
    return { id, name: `Test Guild ${index + 1}`, channels: [general], threads: [thread], botRoleId: (base + 13n).toString() };
  }

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
      channel = { id: snowflake(), type: 1, recipients: [person], last_message_id: null, flags: 0 };
      this.dmChannels.set(person.id, channel);
    }
    return channel;
  }

  shardOf(guildId: string | undefined): number {
    const count = this.shardCount();
    return guildId ? Number((BigInt(guildId) >> 22n) % BigInt(count)) : 0;
  }

  private shardCount(): number {
    const session = this.sessions.values().next().value;
    return session?.shard[1] ?? 1;
  }

  private findChannel(id: string): FakeChannel | undefined {
    for (const guild of this.guilds) {
      const found = [...guild.channels, ...guild.threads].find((channel) => channel.id === id);
      if (found) return found;
    }
    return [...this.dmChannels.values()].find((channel) => channel.id === id);
  }

  private member(person: FakeUser, withUser = true): Json {
    return {
      ...(withUser ? { user: person } : {}),
      roles: [],
      nick: null,
      avatar: null,
      banner: null,
      premium_since: null,
      joined_at: "2024-01-01T00:00:00.000Z",
      deaf: false,
      mute: false,
      pending: false,
      flags: 0,
      communication_disabled_until: null,
      unusual_dm_activity_until: null,
    };
  }

  private guildCreate(guild: FakeGuild): Json {
    const everyone = { id: guild.id, name: "@everyone", permissions: "2222085186637376", position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0, icon: null, unicode_emoji: null };
    const botRole = { ...everyone, id: guild.botRoleId, name: this.botUser.username, position: 1, permissions: "2048", managed: true, tags: { bot_id: this.botUser.id } };
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: this.alice.id,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 1,
      explicit_content_filter: 0,
      roles: [everyone, botRole],
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: guild.channels[0]?.id ?? null,
      system_channel_flags: 0,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: "en-US",
      public_updates_channel_id: null,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      joined_at: "2024-01-01T00:00:00.000Z",
      large: false,
      unavailable: false,
      member_count: 3,
      voice_states: [],
      members: [{ ...this.member(this.botUser), roles: [guild.botRoleId] }],
      channels: guild.channels.map(({ guild_id: _omit, ...channel }) => channel),
      threads: guild.threads,
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
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
    const found = this.gateway.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching gateway payload within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
      this.gatewayWaiters.push({
        predicate,
        resolve: (record) => {
          clearTimeout(timer);
          resolve(record);
        },
      });
    });
  }

  /** The callback request for an interaction, once the bot has made it. */
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
    if (request.problems.length) this.violations.push({ request: `${request.method} ${request.route}`, problems: request.problems });
    for (let i = this.requestWaiters.length - 1; i >= 0; i--) {
      const waiter = this.requestWaiters[i];
      if (waiter?.predicate(request)) {
        this.requestWaiters.splice(i, 1);
        waiter.resolve(request);
      }
    }
  }

  private recordGateway(record: GatewayRecord): void {
    this.gateway.push(record);
    for (let i = this.gatewayWaiters.length - 1; i >= 0; i--) {
      const waiter = this.gatewayWaiters[i];
      if (waiter?.predicate(record)) {
        this.gatewayWaiters.splice(i, 1);
        waiter.resolve(record);
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
    const raw = Buffer.concat(chunks).toString("utf8");
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
    let result: { status: number; body?: unknown };
    try {
      if (!url.pathname.startsWith("/api/v10/")) {
        result = { status: 404, body: { message: "404: Not Found (this server speaks /api/v10)", code: 0 } };
      } else if (raw && !String(req.headers["content-type"]).startsWith("application/json")) {
        result = { status: 400, body: { message: "The test server only takes JSON bodies", code: 50035 } };
      } else {
        request.body = raw ? JSON.parse(raw) : undefined;
        result = this.handle(request);
      }
    } catch (error) {
      result = { status: 500, body: { message: `test server error: ${(error as Error).message}`, code: 0 } };
    }
    request.status = result.status;
    this.record(request);
    if (result.body === undefined) {
      res.writeHead(result.status).end();
    } else {
      res.writeHead(result.status, { "content-type": "application/json" }).end(JSON.stringify(result.body));
    }
    if (request.route.includes("/callback")) {
      const id = request.route.split("/")[2] ?? "";
      const interaction = this.interactions.get(id);
      if (interaction && result.status < 300 && !interaction.response) {
        interaction.response = request;
        for (const waiter of interaction.waiters.splice(0)) waiter(request);
      }
    }
  }

  private handle(request: RecordedRequest): { status: number; body?: unknown } {
    // Interaction callbacks and interaction webhooks are authenticated by their token, not the bot token.
    const tokenRoute = /^\/(interactions|webhooks)\//.test(request.route);
    if (!tokenRoute && request.headers.authorization !== `Bot ${this.token}`) {
      return { status: 401, body: { message: "401: Unauthorized", code: 0 } };
    }
    for (const route of this.routes) {
      if (route.method !== request.method) continue;
      const match = route.pattern.exec(request.route);
      if (match) return route.handler(request, match.slice(1));
    }
    return { status: 404, body: { message: "404: Not Found", code: 0 } };
  }

  private invalid(request: RecordedRequest, problems: string[]): { status: number; body: unknown } | undefined {
    if (!problems.length) return undefined;
    request.problems.push(...problems);
    return { status: 400, body: { message: "Invalid Form Body", code: 50035, errors: { _errors: problems.map((message) => ({ code: "BASE_TYPE_INVALID", message })) } } };
  }

  private createMessage(channelId: string, body: Json, extra: Json = {}): Json {
    const channel = this.findChannel(channelId);
    const message: Json = {
      id: snowflake(),
      channel_id: channelId,
      ...(channel?.guild_id ? { guild_id: channel.guild_id } : {}),
      author: this.botUser,
      content: typeof body.content === "string" ? body.content : "",
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: Array.isArray(body.embeds) ? body.embeds : [],
      components: Array.isArray(body.components) ? body.components : [],
      pinned: false,
      type: 0,
      flags: typeof body.flags === "number" ? body.flags : 0,
      ...extra,
    };
    this.messages.set(message.id as string, message);
    return message;
  }

  private echo(message: Json): void {
    if (!this.options.echoOwnMessages || ((message.flags as number) & 64) !== 0) return;
    const channel = this.findChannel(message.channel_id as string);
    try {
      this.dispatch("MESSAGE_CREATE", { ...message, channel_type: channel?.type ?? 0, ...(channel?.guild_id ? { member: this.member(this.botUser, false) } : {}) }, this.shardOf(channel?.guild_id));
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
      body: { id: this.applicationId, name: this.botUser.username, icon: null, description: "", bot_public: true, bot_require_code_grant: false, verify_key: "0".repeat(64), flags: 0, bot: this.botUser, team: null },
    });
    this.route("GET", /^\/applications\/@me$/, application);
    this.route("GET", /^\/oauth2\/applications\/@me$/, application);

    const commandsFor = (appId: string, guildId?: string) => {
      if (appId !== this.applicationId) return undefined;
      if (guildId === undefined) return this.commands.global;
      if (!this.guilds.some((guild) => guild.id === guildId)) return undefined;
      return this.commands.guild.get(guildId) ?? [];
    };
    const putCommands: Handler = (request, [appId = "", guildId]) => {
      if (!commandsFor(appId, guildId)) return { status: 403, body: { message: "Missing Access", code: 50001 } };
      const bad = this.invalid(request, commandProblems(request.body));
      if (bad) return bad;
      const stored = (request.body as Json[]).map((command) => ({
        id: snowflake(),
        application_id: this.applicationId,
        version: snowflake(),
        default_member_permissions: null,
        type: 1,
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
      return list ? { status: 200, body: list } : { status: 403, body: { message: "Missing Access", code: 50001 } };
    };
    this.route("GET", /^\/applications\/(\d+)\/commands$/, getCommands);
    this.route("GET", /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/, getCommands);

    this.route("POST", /^\/interactions\/(\d+)\/([^/]+)\/callback$/, (request, [id = "", token = ""]) => this.callback(request, id, token));

    const webhookInteraction = (appId: string, token: string) => {
      if (appId !== this.applicationId) return undefined;
      return [...this.interactions.values()].find((interaction) => interaction.token === token && interaction.acknowledged);
    };
    this.route("POST", /^\/webhooks\/(\d+)\/([^/]+)$/, (request, [appId = "", token = ""]) => {
      const interaction = webhookInteraction(appId, token);
      if (!interaction) return { status: 404, body: { message: "Unknown Webhook", code: 10015 } };
      const bad = this.invalid(request, messageProblems(request.body, this.options));
      if (bad) return bad;
      const message = this.createMessage(this.interactionChannelId(interaction), request.body as Json, { webhook_id: this.applicationId, application_id: this.applicationId });
      this.echo(message);
      return { status: 200, body: message };
    });
    this.route("PATCH", /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/, (request, [appId = "", token = "", messageId = ""]) => {
      const interaction = webhookInteraction(appId, token);
      const id = messageId === "@original" ? interaction?.originalMessageId : messageId;
      const message = id ? this.messages.get(id) : undefined;
      if (!interaction || !message) return { status: 404, body: { message: "Unknown Message", code: 10008 } };
      const bad = this.invalid(request, messageProblems({ ...(request.body as Json) }, this.options));
      if (bad) return bad;
      Object.assign(message, request.body as Json, { edited_timestamp: new Date().toISOString() });
      return { status: 200, body: message };
    });
    this.route("GET", /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/, (_request, [appId = "", token = "", messageId = ""]) => {
      const interaction = webhookInteraction(appId, token);
      const id = messageId === "@original" ? interaction?.originalMessageId : messageId;
      const message = id ? this.messages.get(id) : undefined;
      return message ? { status: 200, body: message } : { status: 404, body: { message: "Unknown Message", code: 10008 } };
    });
    this.route("DELETE", /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/, (_request, [appId = "", token = "", messageId = ""]) => {
      const interaction = webhookInteraction(appId, token);
      const id = messageId === "@original" ? interaction?.originalMessageId : messageId;
      return id && this.messages.delete(id) ? { status: 204 } : { status: 404, body: { message: "Unknown Message", code: 10008 } };
    });

    this.route("POST", /^\/channels\/(\d+)\/messages$/, (request, [channelId = ""]) => {
      if (!this.findChannel(channelId)) return { status: 404, body: { message: "Unknown Channel", code: 10003 } };
      const body = request.body as Json;
      const bad = this.invalid(request, messageProblems(body, this.options));
      if (bad) return bad;
      const reference = body.message_reference as Json | undefined;
      const referenced = reference ? this.messages.get(String(reference.message_id)) : undefined;
      if (reference && !referenced && reference.fail_if_not_exists !== false) {
        return { status: 400, body: { message: "Invalid Form Body", code: 50035, errors: { message_reference: { _errors: [{ code: "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", message: "Unknown message" }] } } } };
      }
      const message = this.createMessage(channelId, body, reference ? { type: 19, message_reference: { type: 0, channel_id: channelId, ...reference }, referenced_message: referenced ?? null } : {});
      this.echo(message);
      return { status: 200, body: message };
    });
    this.route("PATCH", /^\/channels\/(\d+)\/messages\/(\d+)$/, (request, [, messageId = ""]) => {
      const message = this.messages.get(messageId);
      if (!message) return { status: 404, body: { message: "Unknown Message", code: 10008 } };
      const bad = this.invalid(request, messageProblems(request.body, this.options));
      if (bad) return bad;
      Object.assign(message, request.body as Json, { edited_timestamp: new Date().toISOString() });
      return { status: 200, body: message };
    });
    this.route("POST", /^\/channels\/(\d+)\/typing$/, () => ({ status: 204 }));
  }

  private interactionChannelId(interaction: InteractionRecord): string {
    return String((interaction.payload.channel as Json | undefined)?.id ?? "");
  }

  private callback(request: RecordedRequest, id: string, token: string): { status: number; body?: unknown } {
    const interaction = this.interactions.get(id);
    if (!interaction || interaction.token !== token) return { status: 404, body: { message: "Unknown interaction", code: 10062 } };
    if (interaction.acknowledged) return { status: 400, body: { message: "Interaction has already been acknowledged.", code: 40060 } };
    const body = request.body as Json;
    const data = (body?.data ?? {}) as Json;
    let problems: string[] = [];
    let message: Json | undefined;
    switch (body?.type) {
      case 4: // CHANNEL_MESSAGE_WITH_SOURCE
        problems = messageProblems(data, this.options);
        if (!problems.length) {
          message = this.createMessage(this.interactionChannelId(interaction), data, { type: 20, webhook_id: this.applicationId, application_id: this.applicationId, interaction_metadata: { id, type: interaction.payload.type, user: this.userOf(interaction.payload), authorizing_integration_owners: interaction.payload.authorizing_integration_owners } });
          interaction.originalMessageId = message.id as string;
        }
        break;
      case 5: // DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE ("thinking…")
        message = this.createMessage(this.interactionChannelId(interaction), { content: "", flags: ((data.flags as number) ?? 0) | 128 }, { type: 20 });
        interaction.originalMessageId = message.id as string;
        break;
      case 6: // DEFERRED_UPDATE_MESSAGE
        if (interaction.payload.type !== 3) problems = ["DEFERRED_UPDATE_MESSAGE is only valid for component interactions"];
        break;
      case 7: {
        // UPDATE_MESSAGE
        if (interaction.payload.type !== 3) problems = ["UPDATE_MESSAGE is only valid for component interactions"];
        else problems = messageProblems(data, this.options);
        const target = this.messages.get(String((interaction.payload.message as Json | undefined)?.id));
        if (!problems.length && target) Object.assign(target, data, { edited_timestamp: new Date().toISOString() });
        break;
      }
      case 8: // APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
        problems = interaction.payload.type === 4 ? choiceProblems(body) : ["autocomplete result for a non-autocomplete interaction"];
        break;
      default:
        problems = [`unsupported callback type ${JSON.stringify(body?.type)}`];
    }
    const bad = this.invalid(request, problems);
    if (bad) return bad;
    interaction.acknowledged = true;
    if (message && body.type === 4) this.echo(message);
    if (request.query.get("with_response") === "true") {
      return { status: 200, body: { interaction: { id, type: interaction.payload.type }, resource: { type: body.type, ...(message ? { message } : {}) } } };
    }
    return { status: 204 };
  }

  private userOf(payload: Json): unknown {
    return payload.user ?? (payload.member as Json | undefined)?.user;
  }

  // ---- Gateway ------------------------------------------------------------------------------------

  private send(socket: WebSocket, payload: Json): void {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
  }

  private onSocket(socket: WebSocket, req: http.IncomingMessage, path: string): void {
    const params = new URL(req.url ?? "/", "http://x").searchParams;
    if (params.get("v") !== "10") return socket.close(4012, "Invalid API version");
    if (params.get("encoding") !== "json") return socket.close(4002, "Decode error: this server speaks JSON only");
    if (params.has("compress")) return socket.close(4002, "Decode error: no transport compression here");
    let session: Session | undefined;
    let shardId = -1;
    this.send(socket, { op: 10, d: { heartbeat_interval: this.options.heartbeatIntervalMs }, s: null, t: null });

    socket.on("message", (raw: RawData) => {
      let payload: Json;
      try {
        payload = JSON.parse(raw.toString()) as Json;
      } catch {
        return socket.close(4002, "Decode error");
      }
      const op = payload.op as number;
      const d = payload.d as Json;
      const claimed = op === 2 && Array.isArray(d?.shard) ? Number(d.shard[0]) : op === 6 ? ([...this.sessions.values()].find((c) => c.id === d?.session_id)?.shard[0] ?? -1) : shardId;
      this.recordGateway({ shardId: claimed, op, d, path });
      switch (op) {
        case 1:
          this.send(socket, { op: 11 });
          break;
        case 2: {
          if (session) return socket.close(4005, "Already authenticated");
          if (d?.token !== this.token) return socket.close(4004, "Authentication failed");
          const intents = Number(d.intents);
          if (intents & PRIVILEGED & ~this.options.privilegedIntents) return socket.close(4014, "Disallowed intent(s)");
          const shard = (Array.isArray(d.shard) ? d.shard : [0, 1]) as [number, number];
          if (!(shard[0] >= 0 && shard[0] < shard[1])) return socket.close(4010, "Invalid shard");
          shardId = shard[0];
          this.sessions.get(shardId)?.socket?.close(4009, "Session replaced");
          session = { id: randomBytes(16).toString("hex"), shard, intents, seq: 0, sent: [], socket, resumable: true };
          this.sessions.set(shardId, session);
          const guilds = this.guilds.filter((guild) => Number((BigInt(guild.id) >> 22n) % BigInt(shard[1])) === shard[0]);
          this.dispatch("READY", {
            v: 10,
            user: { ...this.botUser, verified: true, mfa_enabled: false, flags: 0 },
            guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
            session_id: session.id,
            resume_gateway_url: this.resumeUrl,
            shard,
            application: { id: this.applicationId, flags: 0 },
            private_channels: [],
            relationships: [],
            presences: [],
            guild_join_requests: [],
            geo_ordered_rtc_regions: [],
            user_settings: {},
            _trace: ["discord-test-server"],
          }, shardId);
          for (const guild of guilds) this.dispatch("GUILD_CREATE", this.guildCreate(guild), shardId);
          break;
        }
        case 6: {
          const resumed = [...this.sessions.values()].find((candidate) => candidate.id === d?.session_id);
          if (!resumed || !resumed.resumable || d?.token !== this.token) {
            this.send(socket, { op: 9, d: false });
            break;
          }
          session = resumed;
          shardId = resumed.shard[0];
          resumed.socket = socket;
          const since = Number(d.seq);
          for (const entry of resumed.sent) if (entry.s > since) socket.send(entry.payload);
          this.dispatch("RESUMED", { _trace: ["discord-test-server"] }, shardId);
          break;
        }
        case 3:
        case 4:
        case 8:
          break;
        default:
          socket.close(4001, "Unknown opcode");
      }
    });
    socket.on("close", (code) => {
      // A client that closes with 1000/1001 ends its session, as on Discord; any other close can resume.
      if (session && session.socket === socket) {
        session.socket = undefined;
        if (code === 1000 || code === 1001) session.resumable = false;
      }
    });
  }

  /** Sends a dispatch on a shard's session (kept for replay if the bot is disconnected). Returns its `s`. */
  dispatch(t: string, d: unknown, shardId = 0): number {
    const session = this.sessions.get(shardId);
    if (!session) throw new Error(`shard ${shardId} has no session: has the bot identified?`);
    session.seq += 1;
    const payload = JSON.stringify({ op: 0, t, s: session.seq, d });
    session.sent.push({ s: session.seq, payload });
    if (session.sent.length > 5000) session.sent.splice(0, session.sent.length - 5000);
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(payload);
    return session.seq;
  }

  /** Whether the shard's bot connection is currently open. */
  connected(shardId = 0): boolean {
    return this.sessions.get(shardId)?.socket?.readyState === WebSocket.OPEN;
  }

  /**
   * Drops a shard's connection the way a network blip or a Discord restart does (close code 4000 by default,
   * which discord.js answers with RESUME). Resolves once the socket is closed on this side.
   */
  async dropConnection(shardId = 0, code = 4000): Promise<void> {
    const socket = this.sessions.get(shardId)?.socket;
    if (!socket) throw new Error(`shard ${shardId} is not connected`);
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.close(code, "test: connection dropped");
    await closed;
  }

  /** Sends op 7 RECONNECT: Discord asks the client to reconnect and resume. */
  requestReconnect(shardId = 0): void {
    const socket = this.sessions.get(shardId)?.socket;
    if (!socket) throw new Error(`shard ${shardId} is not connected`);
    this.send(socket, { op: 7, d: null });
  }

  identifies(): GatewayRecord[] {
    return this.gateway.filter((record) => record.op === 2);
  }

  // ---- events as users would cause them ---------------------------------------------------------------

  private where(where: "guild" | "thread" | "dm" | FakeChannel, person: FakeUser): FakeChannel {
    if (where === "guild") return this.channel("text");
    if (where === "thread") return this.channel("thread");
    if (where === "dm") return this.dmChannel(person);
    return where;
  }

  private interactionBase(type: number, person: FakeUser, channel: FakeChannel): InteractionRecord {
    const id = snowflake();
    const token = Buffer.from(`interaction:${id}:${randomBytes(24).toString("hex")}`).toString("base64url");
    const guildId = channel.guild_id;
    const payload: Json = {
      id,
      application_id: this.applicationId,
      type,
      token,
      version: 1,
      app_permissions: "2248473465835073",
      locale: "en-US",
      entitlements: [],
      authorizing_integration_owners: { "0": guildId ?? "0" },
      context: guildId ? 0 : 1,
      attachment_size_limit: 10_485_760,
      channel: { ...channel, ...(guildId ? { permissions: "2248473465835073" } : {}) },
      channel_id: channel.id,
      ...(guildId
        ? { guild_id: guildId, guild: { id: guildId, locale: "en-US", features: [] }, guild_locale: "en-US", member: { ...this.member(person), permissions: "2248473465835073" } }
        : { user: person }),
    };
    const record: InteractionRecord = { id, token, payload, dispatchedAt: 0, acknowledged: false, waiters: [] };
    this.interactions.set(id, record);
    return record;
  }

  private sendInteraction(record: InteractionRecord, channel: FakeChannel): { id: string; token: string; response: Promise<RecordedRequest> } {
    const response = this.interactionResponse(record.id);
    record.dispatchedAt = performance.now();
    this.dispatch("INTERACTION_CREATE", record.payload, this.shardOf(channel.guild_id));
    return { id: record.id, token: record.token, response };
  }

  private commandData(name: string): Json {
    const all = [...this.commands.global, ...[...this.commands.guild.values()].flat()];
    const registered = all.find((command) => command.name === name);
    return { id: (registered?.id as string | undefined) ?? snowflake(), name, type: 1 };
  }

  /** A slash command used by `user` in a guild channel, thread or DM; `options` as name → value. */
  command(name: string, options: Record<string, string | number | boolean> = {}, init: { user?: FakeUser; where?: "guild" | "thread" | "dm" | FakeChannel } = {}) {
    const person = init.user ?? this.alice;
    const channel = this.where(init.where ?? "guild", person);
    const record = this.interactionBase(2, person, channel);
    const typeOf = (value: unknown) => (typeof value === "boolean" ? 5 : typeof value === "number" ? 4 : 3);
    record.payload.data = {
      ...this.commandData(name),
      ...(Object.keys(options).length ? { options: Object.entries(options).map(([optionName, value]) => ({ name: optionName, type: typeOf(value), value })) } : {}),
    };
    return this.sendInteraction(record, channel);
  }

  /** Autocomplete for `name`'s option `focused`, with `value` typed so far. */
  autocomplete(name: string, focused: string, value: string, init: { user?: FakeUser; where?: "guild" | "thread" | "dm" | FakeChannel } = {}) {
    const person = init.user ?? this.alice;
    const channel = this.where(init.where ?? "guild", person);
    const record = this.interactionBase(4, person, channel);
    record.payload.data = { ...this.commandData(name), options: [{ name: focused, type: 3, value, focused: true }] };
    return this.sendInteraction(record, channel);
  }

  /** A press on button `customId` of the bot's message `messageId`, by `user`. */
  button(messageId: string, customId: string, init: { user?: FakeUser } = {}) {
    const message = this.messages.get(messageId);
    if (!message) throw new Error(`no message ${messageId}`);
    const person = init.user ?? this.alice;
    const channel = this.findChannel(message.channel_id as string);
    if (!channel) throw new Error(`message ${messageId} is in an unknown channel`);
    const record = this.interactionBase(3, person, channel);
    record.payload.data = { custom_id: customId, component_type: 2 };
    record.payload.message = structuredClone(message);
    return this.sendInteraction(record, channel);
  }

  /** The message an interaction's first response created (type 4), as the server holds it now. */
  originalMessage(interactionId: string): Json | undefined {
    const id = this.interactions.get(interactionId)?.originalMessageId;
    return id ? this.messages.get(id) : undefined;
  }

  /**
   * A message posted by `author` (default Alice) in a guild channel, thread or DM. Mentions are derived from
   * `<@id>` in the content; content is stripped as Discord does when the bot lacks MESSAGE_CONTENT.
   * Returns the message as stored, or undefined when the bot's intents mean Discord would not deliver it.
   */
  message(content: string, init: { author?: FakeUser; where?: "guild" | "thread" | "dm" | FakeChannel } = {}): Json | undefined {
    const author = init.author ?? this.alice;
    const channel = this.where(init.where ?? "guild", author);
    const guildId = channel.guild_id;
    const known = [this.botUser, this.alice, this.bob, this.otherBot];
    const mentioned = known.filter((person) => new RegExp(`<@!?${person.id}>`).test(content));
    const guild = this.guilds.find((candidate) => candidate.id === guildId);
    const message: Json = {
      id: snowflake(),
      channel_id: channel.id,
      ...(guildId ? { guild_id: guildId, member: this.member(author, false) } : {}),
      author,
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: /@(everyone|here)/.test(content),
      mentions: mentioned.map((person) => (guildId ? { ...person, member: this.member(person, false) } : person)),
      mention_roles: guild && content.includes(`<@&${guild.botRoleId}>`) ? [guild.botRoleId] : [],
      attachments: [],
      embeds: [],
      components: [],
      pinned: false,
      type: 0,
      flags: 0,
      nonce: snowflake(),
      channel_type: channel.type,
    };
    this.messages.set(message.id as string, message);
    const shard = this.shardOf(guildId);
    const session = this.sessions.get(shard);
    if (!session) throw new Error(`shard ${shard} has no session`);
    const needed = guildId ? Intents.GuildMessages : Intents.DirectMessages;
    if (!(session.intents & needed)) return undefined;
    const botMentioned = mentioned.some((person) => person.id === this.botUser.id) || (message.mention_roles as string[]).length > 0;
    const delivered = session.intents & Intents.MessageContent || !guildId || botMentioned || author.id === this.botUser.id ? message : { ...message, content: "", embeds: [], attachments: [], components: [] };
    this.dispatch("MESSAGE_CREATE", delivered, shard);
    return message;
  }

  /** Requests the bot made after request number `seq` (exclusive) matching `predicate`. */
  requestsAfter(seq: number, predicate: (request: RecordedRequest) => boolean = () => true): RecordedRequest[] {
    return this.requests.filter((request) => request.seq > seq && predicate(request));
  }
}
