/**
 * The soak run's load on the bot (bench/soak.ts), through the loopback Discord server: mixed traffic
 * (slash commands, autocomplete and its floods, buttons, DMs, mentions and DM floods), faults on REST and
 * on the gateway, edits to the knowledge folder; and the tally of what became of each interaction and
 * message.
 */
import { readFile, readdir, rm, writeFile, appendFile } from "node:fs/promises";
import path from "node:path";
import { ComponentType, GatewayCloseCodes, InteractionResponseType, MessageFlags } from "discord-api-types/v10";
import { person } from "../test/support/discord-checks.ts";
import type { RestFault } from "../test/support/discord-faults.ts";
import { WS_GOING_AWAY, WS_NORMAL } from "../test/support/discord-gateway.ts";
import type { DiscordTestServer, FakeUser, Json, RecordedRequest } from "../test/support/discord-server.ts";

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
/** How many events of `perSecond` fall in one tick of `tickMs`, drawn so that the mean is right. */
const draw = (perSecond: number, tickMs: number) => {
  const mean = (perSecond * tickMs) / 1000;
  return Math.floor(mean) + (Math.random() < mean - Math.floor(mean) ? 1 : 0);
};

export interface Tally {
  /** Interactions dispatched; of those, delivered to an open connection of the bot. */
  dispatched: number;
  received: number;
  /** Delivered, answered at once (a callback within Discord's 3 s) with an answer, suggestions or a notice. */
  answered: number;
  /** Delivered, acknowledged within 3 s ("thinking…"), then answered by an edit or follow-up. */
  deferredAnswered: number;
  /** Delivered and answered with "you're asking faster than I can keep up; try again in N seconds". */
  toldToRetry: number;
  /** Delivered and never answered in time, or deferred and never followed up: what Discord shows as failed. */
  lost: number;
  lostExamples: string[];
  /** Dispatched while the bot's session was gone (closed for good, not yet identified again): Discord would not deliver them. */
  notDelivered: number;
  /** Milliseconds from dispatch to the answer the person sees (the callback, or the edit after a deferral). */
  timesMs: number[];
  /** DMs and mentions sent; replied to; left unanswered (rate limit silence, shed load, lost while away). */
  messages: { sent: number; replied: number; unanswered: number };
}

export const emptyTally = (): Tally => ({
  dispatched: 0,
  received: 0,
  answered: 0,
  deferredAnswered: 0,
  toldToRetry: 0,
  lost: 0,
  lostExamples: [],
  notDelivered: 0,
  timesMs: [],
  messages: { sent: 0, replied: 0, unanswered: 0 },
});

/** The questions to ask: headings and opening words of the knowledge, and some that are hard to answer. */
export async function questionsFrom(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (/\.(md|markdown|mdx|txt)$/i.test(entry.name)) {
        const text = await readFile(full, "utf8");
        for (const [, heading] of text.matchAll(/^#{1,4} +(.+)$/gm)) if (heading) out.push(`What about ${heading.trim()}?`);
        for (const paragraph of text.split(/\n\s*\n/).slice(0, 6)) {
          const words = paragraph
            .replace(/[#*_`>[\]()|-]/g, " ")
            .split(/\s+/)
            .filter(Boolean);
          if (words.length >= 6) out.push(`${words.slice(0, 7).join(" ")}?`);
        }
      }
    }
  };
  await walk(dir);
  return [
    ...out.slice(0, 2000),
    "What is the weather on Mars?",
    "@everyone <@123456789012345678> **who** [are](https://evil.example) you?",
    "x".repeat(290),
    "🤔🤔?!",
  ];
}

interface Sent {
  kind: string;
  at: number;
  token: string;
}

/**
 * Drives the server. `tick()` every TICK_MS sends the traffic; `settle()` classifies what is old enough
 * that nothing more can come of it, and drops it from the server, whose history would otherwise grow.
 */
export class Load {
  static readonly TICK_MS = 100;
  /** Past this, nothing more can happen to an interaction (its follow-up would have come) or a message. */
  static readonly SETTLED_MS = 20_000;

  readonly tally = emptyTally();
  private readonly sent = new Map<string, Sent>();
  private readonly byToken = new Map<string, string>();
  private readonly followedAt = new Map<string, number>();
  private readonly messagesSent = new Map<string, number>();
  private readonly replied = new Set<string>();
  private readonly answers: { messageId: string; asker: FakeUser }[] = [];
  private readonly users = Array.from({ length: 400 }, (_, i) => person(i));
  private ticks = 0;

  constructor(
    private readonly server: DiscordTestServer,
    private readonly questions: readonly string[],
  ) {
    server.onRequest = (request) => this.seen(request);
  }

  private seen(request: RecordedRequest): void {
    const webhook = /^\/webhooks\/\d+\/([^/]+)/.exec(request.route);
    const ok = request.status >= 200 && request.status < 300;
    if (webhook && ok && (request.method === "PATCH" || request.method === "POST")) {
      const id = this.byToken.get(webhook[1] ?? "");
      if (id && !this.followedAt.has(id)) this.followedAt.set(id, request.at);
    }
    const reference = ((request.body as Json | undefined)?.message_reference as Json | undefined)?.message_id;
    if (request.method === "POST" && request.status === 200 && typeof reference === "string") this.replied.add(reference);
    const callback = /^\/interactions\/(\d+)\//.exec(request.route);
    if (callback && ok && (request.body as Json | undefined)?.type === InteractionResponseType.ChannelMessageWithSource) {
      const record = this.server.interactions.get(callback[1] ?? "");
      const components = ((request.body as Json).data as Json | undefined)?.components as unknown[] | undefined;
      if (record?.originalMessageId && components?.length) {
        this.answers.push({ messageId: record.originalMessageId, asker: record.user });
        if (this.answers.length > 200) this.answers.shift();
      }
    }
  }

  private track(kind: string, interaction: { id: string; token: string; response: Promise<unknown> }): void {
    // The tally reads the server's record instead; an interaction left unanswered must not reject unheard.
    interaction.response.catch(() => undefined);
    this.tally.dispatched++;
    this.sent.set(interaction.id, { kind, at: performance.now(), token: interaction.token });
    this.byToken.set(interaction.token, interaction.id);
  }

  private ask(user: FakeUser = pick(this.users)): void {
    const question = pick(this.questions);
    this.track(
      "/ask",
      this.server.command("ask", { question, ...(Math.random() < 0.2 ? { private: true } : {}) }, { user, where: Math.random() < 0.2 ? "dm" : "guild" }),
    );
  }

  private autocomplete(user: FakeUser = pick(this.users)): void {
    const question = pick(this.questions);
    this.track("autocomplete", this.server.autocomplete("ask", "question", question.slice(0, 1 + Math.floor(Math.random() * question.length)), { user }));
  }

  private press(): void {
    const answer = pick(this.answers);
    const message = answer && this.server.messages.get(answer.messageId);
    if (!answer || !message) return;
    const ids = ((message.components as Json[] | undefined) ?? []).flatMap((row) =>
      ((row.components as Json[]) ?? []).filter((c) => c.type === ComponentType.Button).map((c) => String(c.custom_id)),
    );
    if (!ids.length) return;
    this.track("button", this.server.button(answer.messageId, pick(ids), { user: Math.random() < 0.7 ? answer.asker : pick(this.users) }));
  }

  private message(where: "dm" | "guild", author: FakeUser = pick(this.users)): void {
    const question = pick(this.questions);
    const sent = this.server.message(where === "dm" ? question : `<@${this.server.botUser.id}> ${question}`, { where, author });
    if (!sent) return;
    this.tally.messages.sent++;
    this.messagesSent.set(sent.id as string, performance.now());
  }

  /** One tick of traffic: a steady mix, with a burst now and then. */
  tick(): void {
    this.ticks++;
    const every = (seconds: number) => this.ticks % Math.round((seconds * 1000) / Load.TICK_MS) === 0;
    try {
      for (let i = draw(15, Load.TICK_MS); i > 0; i--) this.ask();
      for (let i = draw(8, Load.TICK_MS); i > 0; i--) this.autocomplete();
      for (let i = draw(4, Load.TICK_MS); i > 0; i--) this.press();
      for (let i = draw(4, Load.TICK_MS); i > 0; i--) this.message("dm");
      for (let i = draw(2, Load.TICK_MS); i > 0; i--) this.message("guild");
      if (Math.random() < 0.05) this.track("/sources", this.server.command("sources", {}, { user: pick(this.users) }));
      if (Math.random() < 0.05) this.track("/help", this.server.command("help", {}, { user: pick(this.users) }));
      if (every(90)) this.track("/reload", this.server.command("reload"));
      // One user asking ten at once (the rate limit), one flooding autocomplete, a DM flood from many.
      if (every(30)) for (let i = 0, user = pick(this.users); i < 10; i++) this.ask(user);
      if (every(60)) for (let i = 0, user = pick(this.users); i < 300; i++) this.autocomplete(user);
      if (every(120)) for (const user of this.users) this.message("dm", user);
    } catch (error) {
      // The bot's session is being replaced (no session to dispatch on); Discord would queue nothing either.
      if (!/has no session/.test((error as Error).message)) throw error;
    }
  }

  /** Classifies interactions and messages older than SETTLED_MS (all of them with `all`), and forgets them. */
  settle(all = false): void {
    const now = performance.now();
    for (const [id, sent] of this.sent) {
      if (!all && now - sent.at < Load.SETTLED_MS) break;
      this.classify(id, sent);
      this.sent.delete(id);
      this.byToken.delete(sent.token);
      this.followedAt.delete(id);
      this.server.interactions.delete(id);
    }
    for (const [id, at] of this.messagesSent) {
      if (!all && now - at < Load.SETTLED_MS) break;
      if (this.replied.delete(id)) this.tally.messages.replied++;
      else this.tally.messages.unanswered++;
      this.messagesSent.delete(id);
    }
    // The server's history, which nothing here reads once classified.
    this.server.requests.length = 0;
    this.server.ws.forgetHistory();
    for (const id of this.server.messages.keys()) {
      if (this.server.messages.size <= 3000) break;
      this.server.messages.delete(id);
    }
  }

  private classify(id: string, sent: Sent): void {
    const record = this.server.interactions.get(id);
    if (!record?.deliveredAt) {
      this.tally.notDelivered++;
      return;
    }
    this.tally.received++;
    const response = record.response;
    const body = response?.body as Json | undefined;
    const type = body?.type;
    const lost = (why: string) => {
      this.tally.lost++;
      if (this.tally.lostExamples.length < 10) this.tally.lostExamples.push(`${sent.kind}: ${why}`);
    };
    if (!response) return lost("no callback within 3 s");
    if (type === InteractionResponseType.DeferredChannelMessageWithSource || type === InteractionResponseType.DeferredMessageUpdate) {
      const followed = this.followedAt.get(id);
      if (followed === undefined) return lost("deferred, never followed up");
      this.tally.deferredAnswered++;
      this.tally.timesMs.push(followed - record.dispatchedAt);
      return;
    }
    const data = body?.data as Json | undefined;
    const description = (data?.embeds as Json[] | undefined)?.[0]?.description;
    const text = typeof description === "string" ? description : "";
    if (data?.flags === MessageFlags.Ephemeral && text.startsWith("You're asking faster than I can keep up")) this.tally.toldToRetry++;
    else this.tally.answered++;
    this.tally.timesMs.push(response.at - record.dispatchedAt);
  }
}

/** REST faults, one injected every few seconds on a route the bot uses. */
export function restFault(): { match: { method: string; route: RegExp }; fault: RestFault; times: number } {
  const routes = [
    { method: "POST", route: /^\/interactions\/\d+\/[^/]+\/callback$/ },
    { method: "POST", route: /^\/channels\/\d+\/messages$/ },
    { method: "PATCH", route: /^\/webhooks\// },
  ];
  const faults: RestFault[] = [
    { kind: "rate-limit", scope: "route", retryAfterMs: 200 + Math.random() * 800 },
    { kind: "rate-limit", scope: "global", retryAfterMs: 200 + Math.random() * 500 },
    { kind: "server-error" },
    { kind: "server-error", status: 502 },
    { kind: "error-after-effect" },
    { kind: "reset", afterEffect: false },
    { kind: "reset", afterEffect: true },
    { kind: "slow", delayMs: 300 + Math.random() * 1200 },
  ];
  return { match: pick(routes), fault: pick(faults), times: 1 + Math.floor(Math.random() * 3) };
}

/** The gateway faults, taken in turn so that a run of any length meets each. */
export const GATEWAY_FAULTS: { name: string; inject: (server: DiscordTestServer) => Promise<void> | void }[] = [
  { name: "close 4000", inject: (s) => s.dropConnection(0, GatewayCloseCodes.UnknownError) },
  { name: "op 7 reconnect", inject: (s) => s.requestReconnect(0) },
  { name: "close 1001", inject: (s) => s.dropConnection(0, WS_GOING_AWAY) },
  { name: "heartbeat ACK missing", inject: (s) => s.ws.skipHeartbeatAcks(0, 1) },
  { name: "close 4009", inject: (s) => s.dropConnection(0, GatewayCloseCodes.SessionTimedOut) },
  { name: "connection reset", inject: (s) => s.ws.resetConnection(0) },
  { name: "op 9 resumable", inject: (s) => s.ws.invalidateSession(0, true) },
  { name: "close 1000", inject: (s) => s.dropConnection(0, WS_NORMAL) },
  { name: "op 9 not resumable", inject: (s) => s.ws.invalidateSession(0, false) },
  { name: "close 4007", inject: (s) => s.dropConnection(0, GatewayCloseCodes.InvalidSeq) },
];

/**
 * Continuous edits to the knowledge folder (a temporary copy): paragraphs added at the top and the end of
 * files, documents added and removed, now and then a broken file. Each step is one edit.
 */
export class Editor {
  private step = 0;
  private readonly added: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly files: string[],
  ) {}

  async edit(): Promise<string> {
    this.step++;
    const n = this.step;
    const file = path.join(this.dir, pick(this.files));
    switch (n % 5) {
      case 0:
        await appendFile(file, `\n\nSoak edit ${n}: the harbour ferry timetable changes on public holidays, when the first boat leaves at nine.\n`);
        return "paragraph appended";
      case 1: {
        const text = await readFile(file, "utf8");
        const at = text.indexOf("\n\n");
        await writeFile(
          file,
          at < 0 ? text : `${text.slice(0, at)}\n\nSoak insert ${n}: a paragraph inserted near the top moves every passage below it.${text.slice(at)}`,
        );
        return "paragraph inserted at the top";
      }
      case 2: {
        const name = `soak-${n}.md`;
        await writeFile(
          path.join(this.dir, name),
          `---\ntitle: Soak note ${n}\nurl: "https://docs.example.com/guide)[Verify your account here](https://evil.example/login"\n---\n# Soak note ${n}\n\nSoak note ${n} says the lighthouse lamp is cleaned every Tuesday by the harbour staff.\n`,
        );
        this.added.push(name);
        return "document added";
      }
      case 3: {
        const name = this.added.shift();
        if (name) await rm(path.join(this.dir, name), { force: true });
        return "document removed";
      }
      default:
        await writeFile(
          path.join(this.dir, "broken.md"),
          n % 2 ? Buffer.from([0xff, 0x00, 0xfe]) : "# Fixed\n\nThe broken file was fixed and now says something about tide tables and harbour charts.\n",
        );
        return n % 2 ? "broken file written" : "broken file fixed";
    }
  }
}
