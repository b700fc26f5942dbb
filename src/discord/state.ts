/**
 * The only in-memory state of the bot: the last question per conversation (for follow-ups), per-user
 * rate limiting, the bounds on work in flight and on repeated log lines. All are bounded, and losing them
 * on restart is harmless.
 */

export type Clock = () => number;

export interface ConversationMemoryOptions {
  /** How long a previous question stays usable as context. */
  ttlMs?: number;
  /** Conversations remembered at most; the least recently used go first. */
  maxEntries?: number;
  now?: Clock;
}

/** Remembers the last question asked by one person in one DM or thread. */
export class ConversationMemory {
  private readonly entries = new Map<string, { question: string; at: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: Clock;

  constructor(options: ConversationMemoryOptions = {}) {
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.maxEntries = options.maxEntries ?? 1000;
    this.now = options.now ?? Date.now;
  }

  static key(channelId: string, userId: string): string {
    return `${channelId}:${userId}`;
  }

  get(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.question;
  }

  set(key: string, question: string): void {
    // Re-inserting moves the key to the end of the Map's order, which is what makes the eviction LRU.
    this.entries.delete(key);
    this.entries.set(key, { question, at: this.now() });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface RateLimiterOptions {
  /** Questions allowed per window; 0 disables the limit. */
  limit: number;
  windowMs: number;
  now?: Clock;
  /** Users tracked at most, so a flood of distinct users cannot grow memory without bound. */
  maxUsers?: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number; firstRefusal: boolean };

/** A sliding-window limit per user. */
export class RateLimiter {
  private readonly hits = new Map<string, { times: number[]; warned: boolean }>();
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: Clock;
  private readonly maxUsers: number;

  constructor(options: RateLimiterOptions) {
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.now = options.now ?? Date.now;
    this.maxUsers = options.maxUsers ?? 10_000;
  }

  /** Counts a question by `userId` if allowed. `firstRefusal` lets channel replies say "slow down" only once per window. */
  take(userId: string): RateDecision {
    if (this.limit <= 0) return { allowed: true };
    const now = this.now();
    const entry = this.hits.get(userId) ?? { times: [], warned: false };
    entry.times = entry.times.filter((at) => now - at < this.windowMs);
    if (entry.times.length === 0) entry.warned = false;
    this.hits.delete(userId);
    this.hits.set(userId, entry);
    if (this.hits.size > this.maxUsers) {
      const oldest = this.hits.keys().next().value;
      if (oldest !== undefined) this.hits.delete(oldest);
    }
    if (entry.times.length < this.limit) {
      entry.times.push(now);
      return { allowed: true };
    }
    const retryAfterMs = (entry.times[0] ?? now) + this.windowMs - now;
    const firstRefusal = !entry.warned;
    entry.warned = true;
    return { allowed: false, retryAfterMs, firstRefusal };
  }
}

/**
 * A bound on work in flight (replies being answered and sent); past it, new work is shed. Shedding comes
 * in episodes, reported once each: `tryEnter` says when one starts, and `leave` returns how much was shed
 * when it ends, once the work in flight has fallen to half the bound (so a queue hovering at the bound
 * does not start and end an episode on every message).
 */
export class LoadShedder {
  private inFlight = 0;
  private shed = 0;
  private shedding = false;
  readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  tryEnter(): { admitted: true } | { admitted: false; episodeStarts: boolean } {
    if (this.inFlight < this.max) {
      this.inFlight++;
      return { admitted: true };
    }
    this.shed++;
    const episodeStarts = !this.shedding;
    this.shedding = true;
    return { admitted: false, episodeStarts };
  }

  /** Ends one admitted piece of work; returns the number shed in the episode that this ends, if it ends one. */
  leave(): number | undefined {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (!this.shedding || this.inFlight > this.max / 2) return undefined;
    const shed = this.shed;
    this.shedding = false;
    this.shed = 0;
    return shed;
  }

  get size(): number {
    return this.inFlight;
  }
}

/**
 * For expected failures that can come in floods (interactions that expired before the reply): the first
 * is logged, the rest within `windowMs` are only counted, and the next one after that is logged with the
 * count, so a flood is a few log lines rather than one per event.
 */
export class LogThrottle {
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;
  private readonly windowMs: number;
  private readonly now: Clock;

  constructor(windowMs = 60_000, now: Clock = Date.now) {
    this.windowMs = windowMs;
    this.now = now;
  }

  /** Whether to log this occurrence, and how many went unlogged since the last line. */
  hit(): { log: true; suppressed: number } | { log: false } {
    const now = this.now();
    if (now - this.lastLoggedAt < this.windowMs) {
      this.suppressed++;
      return { log: false };
    }
    const suppressed = this.suppressed;
    this.lastLoggedAt = now;
    this.suppressed = 0;
    return { log: true, suppressed };
  }
}
