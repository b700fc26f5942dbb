/**
 * The only in-memory state of the bot: the last question per conversation (for follow-ups) and per-user
 * rate limiting. Both are bounded and expire, and losing them on restart is harmless.
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
