/**
 * The Gateway half of the loopback Discord server (discord-server.ts): JSON encoding, no compression,
 * HELLO/IDENTIFY/RESUME, heartbeats, sessions that RESUME with replay of missed dispatches, sharding, the
 * intents rules. And the faults a real connection meets, for tests to inject: closes with any code, op 7
 * RECONNECT, op 9 INVALID_SESSION (resumable or not), heartbeats left unacknowledged, a connection reset.
 */
import type http from "node:http";
import { randomBytes } from "node:crypto";
import type { Duplex } from "node:stream";
import { GatewayCloseCodes, GatewayDispatchEvents, GatewayIntentBits, GatewayOpcodes } from "discord-api-types/v10";
import { WebSocketServer, WebSocket, type RawData } from "ws";
import type { FakeGuild, FakeUser, Json } from "./discord-world.ts";

export interface GatewayRecord {
  shardId: number;
  op: GatewayOpcodes;
  d: unknown;
  /** Which URL path the connection used: `/gateway` (from /gateway/bot) or `/resume` (resume_gateway_url). */
  path: string;
}

/** WebSocket close codes of the protocol itself (RFC 6455) that a Discord connection can end with. */
export const WS_NORMAL = 1000;
export const WS_GOING_AWAY = 1001;

export type GatewayCloseCode = GatewayCloseCodes | typeof WS_NORMAL | typeof WS_GOING_AWAY;

/**
 * Closes after which Discord will not resume the session: 4007 (a bad sequence number) and 4009 (timed
 * out) ask for a fresh IDENTIFY, and a normal close (1000) ends the session as it does when a client
 * sends it. Any other close, 1001 included, leaves the session resumable.
 */
const ENDS_SESSION = new Set<number>([WS_NORMAL, GatewayCloseCodes.InvalidSeq, GatewayCloseCodes.SessionTimedOut]);

const PRIVILEGED = GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;
/** Dispatches a session keeps for replay on RESUME. */
const REPLAY_BUFFER = 5000;

interface Session {
  id: string;
  shard: [number, number];
  intents: number;
  seq: number;
  /** Dispatches kept for replay on RESUME; `onSent` until it reached an open connection. */
  sent: { s: number; payload: string; onSent?: (() => void) | undefined }[];
  socket: WebSocket | undefined;
  resumable: boolean;
}

export interface GatewayWorld {
  token: string;
  botUser: FakeUser;
  applicationId: string;
  heartbeatIntervalMs: number;
  privilegedIntents: number;
  resumeUrl(): string;
  guildsOnShard(shard: [number, number]): FakeGuild[];
  guildCreate(guild: FakeGuild): Json;
}

export class Gateway {
  readonly records: GatewayRecord[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<number, Session>();
  private readonly waiters: { predicate: (r: GatewayRecord) => boolean; resolve: (r: GatewayRecord) => void }[] = [];
  /** Heartbeats to leave unacknowledged, per shard (the way a zombie connection looks to the client). */
  private readonly acksToSkip = new Map<number, number>();
  /** Sockets this server closed, whose close code is its own and not the client's. */
  private readonly closedHere = new WeakSet<WebSocket>();
  private readonly world: GatewayWorld;

  constructor(world: GatewayWorld) {
    this.world = world;
  }

  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, path: string): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, req, path));
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  forgetHistory(): void {
    this.records.length = 0;
  }

  shardCount(): number {
    const session = this.sessions.values().next().value;
    return session?.shard[1] ?? 1;
  }

  intentsOf(shardId: number): number | undefined {
    return this.sessions.get(shardId)?.intents;
  }

  waitFor(predicate: (record: GatewayRecord) => boolean, timeoutMs = 15_000): Promise<GatewayRecord> {
    const found = this.records.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching gateway payload within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
      this.waiters.push({
        predicate,
        resolve: (record) => {
          clearTimeout(timer);
          resolve(record);
        },
      });
    });
  }

  private record(record: GatewayRecord): void {
    this.records.push(record);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i];
      if (waiter?.predicate(record)) {
        this.waiters.splice(i, 1);
        waiter.resolve(record);
      }
    }
  }

  private send(socket: WebSocket, payload: Json): void {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
  }

  private onSocket(socket: WebSocket, req: http.IncomingMessage, path: string): void {
    const params = new URL(req.url ?? "/", "http://x").searchParams;
    if (params.get("v") !== "10") return socket.close(GatewayCloseCodes.InvalidAPIVersion, "Invalid API version");
    if (params.get("encoding") !== "json") return socket.close(GatewayCloseCodes.DecodeError, "Decode error: this server speaks JSON only");
    if (params.has("compress")) return socket.close(GatewayCloseCodes.DecodeError, "Decode error: no transport compression here");
    let session: Session | undefined;
    let shardId = -1;
    this.send(socket, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.world.heartbeatIntervalMs }, s: null, t: null });

    socket.on("message", (raw: RawData) => {
      let payload: Json;
      try {
        payload = JSON.parse(Buffer.isBuffer(raw) ? raw.toString("utf8") : Buffer.from(raw as ArrayBuffer).toString("utf8")) as Json;
      } catch {
        return socket.close(GatewayCloseCodes.DecodeError, "Decode error");
      }
      const op = payload.op as GatewayOpcodes;
      const d = payload.d as Json;
      const claimed =
        op === GatewayOpcodes.Identify && Array.isArray(d?.shard)
          ? Number(d.shard[0])
          : op === GatewayOpcodes.Resume
            ? (this.findSession(d?.session_id)?.shard[0] ?? -1)
            : shardId;
      this.record({ shardId: claimed, op, d, path });
      switch (op) {
        case GatewayOpcodes.Heartbeat: {
          const skip = this.acksToSkip.get(shardId) ?? 0;
          if (skip > 0) this.acksToSkip.set(shardId, skip - 1);
          else this.send(socket, { op: GatewayOpcodes.HeartbeatAck });
          break;
        }
        case GatewayOpcodes.Identify: {
          if (session) return socket.close(GatewayCloseCodes.AlreadyAuthenticated, "Already authenticated");
          if (d?.token !== this.world.token) return socket.close(GatewayCloseCodes.AuthenticationFailed, "Authentication failed");
          const intents = Number(d.intents);
          if (intents & PRIVILEGED & ~this.world.privilegedIntents) return socket.close(GatewayCloseCodes.DisallowedIntents, "Disallowed intent(s)");
          const shard = (Array.isArray(d.shard) ? d.shard : [0, 1]) as [number, number];
          if (!(shard[0] >= 0 && shard[0] < shard[1])) return socket.close(GatewayCloseCodes.InvalidShard, "Invalid shard");
          shardId = shard[0];
          this.sessions.get(shardId)?.socket?.close(GatewayCloseCodes.SessionTimedOut, "Session replaced");
          session = { id: randomBytes(16).toString("hex"), shard, intents, seq: 0, sent: [], socket, resumable: true };
          this.sessions.set(shardId, session);
          const guilds = this.world.guildsOnShard(shard);
          this.dispatch(
            GatewayDispatchEvents.Ready,
            {
              v: 10,
              user: { ...this.world.botUser, verified: true, mfa_enabled: false, flags: 0 },
              guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
              session_id: session.id,
              resume_gateway_url: this.world.resumeUrl(),
              shard,
              application: { id: this.world.applicationId, flags: 0 },
              private_channels: [],
              relationships: [],
              presences: [],
              guild_join_requests: [],
              geo_ordered_rtc_regions: [],
              user_settings: {},
              _trace: ["discord-test-server"],
            },
            shardId,
          );
          for (const guild of guilds) this.dispatch(GatewayDispatchEvents.GuildCreate, this.world.guildCreate(guild), shardId);
          break;
        }
        case GatewayOpcodes.Resume: {
          const resumed = this.findSession(d?.session_id);
          if (!resumed || !resumed.resumable || d?.token !== this.world.token) {
            this.send(socket, { op: GatewayOpcodes.InvalidSession, d: false });
            break;
          }
          session = resumed;
          shardId = resumed.shard[0];
          resumed.socket = socket;
          const since = Number(d.seq);
          for (const entry of resumed.sent) if (entry.s > since) this.sendEntry(socket, entry);
          this.dispatch(GatewayDispatchEvents.Resumed, { _trace: ["discord-test-server"] }, shardId);
          break;
        }
        case GatewayOpcodes.PresenceUpdate:
        case GatewayOpcodes.VoiceStateUpdate:
        case GatewayOpcodes.RequestGuildMembers:
          break;
        default:
          socket.close(GatewayCloseCodes.UnknownOpcode, "Unknown opcode");
      }
    });
    socket.on("close", (code) => {
      // A client that closes with 1000/1001 ends its session, as on Discord; any other close can resume.
      // (A close this server started has had its session decided in closeConnection.)
      if (session && session.socket === socket) {
        session.socket = undefined;
        if ((code === WS_NORMAL || code === WS_GOING_AWAY) && !this.closedHere.has(socket)) session.resumable = false;
      }
    });
  }

  private findSession(id: unknown): Session | undefined {
    return [...this.sessions.values()].find((candidate) => candidate.id === id);
  }

  /**
   * Sends a dispatch on a shard's session (kept for replay if the bot is disconnected). `onSent` is called
   * when it goes out on an open connection, now or on a RESUME. Returns its `s`.
   */
  dispatch(t: GatewayDispatchEvents, d: unknown, shardId = 0, onSent?: () => void): number {
    const session = this.sessions.get(shardId);
    if (!session) throw new Error(`shard ${shardId} has no session: has the bot identified?`);
    session.seq += 1;
    const entry = { s: session.seq, payload: JSON.stringify({ op: GatewayOpcodes.Dispatch, t, s: session.seq, d }), onSent };
    session.sent.push(entry);
    if (session.sent.length > REPLAY_BUFFER) session.sent.splice(0, session.sent.length - REPLAY_BUFFER);
    if (session.socket?.readyState === WebSocket.OPEN) this.sendEntry(session.socket, entry);
    return session.seq;
  }

  private sendEntry(socket: WebSocket, entry: Session["sent"][number]): void {
    socket.send(entry.payload);
    entry.onSent?.();
    entry.onSent = undefined;
  }

  connected(shardId = 0): boolean {
    return this.sessions.get(shardId)?.socket?.readyState === WebSocket.OPEN;
  }

  private socketOf(shardId: number): { session: Session; socket: WebSocket } {
    const session = this.sessions.get(shardId);
    if (!session?.socket) throw new Error(`shard ${shardId} is not connected`);
    return { session, socket: session.socket };
  }

  /**
   * Closes a shard's connection from Discord's side with `code`, and decides as Discord does whether the
   * session can be resumed (see ENDS_SESSION). Resolves once the socket is closed on this side.
   */
  async closeConnection(shardId: number, code: GatewayCloseCode): Promise<void> {
    const { session, socket } = this.socketOf(shardId);
    if (ENDS_SESSION.has(code)) session.resumable = false;
    this.closedHere.add(socket);
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.close(code, "test: closed by the server");
    await closed;
  }

  /** Ends the TCP connection without a close frame, as a network failure does (the client sees 1006). */
  async resetConnection(shardId = 0): Promise<void> {
    const { socket } = this.socketOf(shardId);
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.terminate();
    await closed;
  }

  /** Sends op 7 RECONNECT: Discord asks the client to reconnect and resume. */
  requestReconnect(shardId = 0): void {
    this.send(this.socketOf(shardId).socket, { op: GatewayOpcodes.Reconnect, d: null });
  }

  /** Sends op 9 INVALID_SESSION; when not `resumable`, the session is gone and only a fresh IDENTIFY works. */
  invalidateSession(shardId: number, resumable: boolean): void {
    const { session, socket } = this.socketOf(shardId);
    if (!resumable) session.resumable = false;
    this.send(socket, { op: GatewayOpcodes.InvalidSession, d: resumable });
  }

  /** Leaves the shard's next `count` heartbeats without an ACK. */
  skipHeartbeatAcks(shardId: number, count: number): void {
    this.acksToSkip.set(shardId, (this.acksToSkip.get(shardId) ?? 0) + count);
  }

  identifies(): GatewayRecord[] {
    return this.records.filter((record) => record.op === GatewayOpcodes.Identify);
  }
}
