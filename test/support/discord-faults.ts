/**
 * REST faults the loopback Discord server (discord-server.ts) can inject, each as Discord or the network
 * between would cause it, so tests can check how the bot recovers: 429s with the headers discord.js reads,
 * 5xx before or after the request took effect, slow responses, connection resets.
 */
import type http from "node:http";
import { RESTJSONErrorCodes } from "discord-api-types/v10";

export type RestFault =
  /**
   * 429 Too Many Requests: on the route's bucket (X-RateLimit-* headers, scope user), on the bot's global
   * limit (X-RateLimit-Global) or a shared resource's limit (scope shared). The request has no effect.
   */
  | { kind: "rate-limit"; scope: "route" | "global" | "shared"; retryAfterMs: number }
  /** A 5xx before the request takes effect; discord.js retries it. */
  | { kind: "server-error"; status?: number }
  /** The request takes effect, but the answer is a 5xx (Discord's edge timing out): a retry repeats it. */
  | { kind: "error-after-effect"; status?: number }
  /** The request takes effect; the answer comes `delayMs` later. */
  | { kind: "slow"; delayMs: number }
  /** The connection is reset (TCP RST, so the client sees ECONNRESET and retries), before or after the request takes effect. */
  | { kind: "reset"; afterEffect: boolean };

export interface FaultMatch {
  method?: string;
  /** Tested against the path after `/api/v10`, e.g. `/channels/123/messages`. */
  route?: RegExp;
}

interface Rule extends FaultMatch {
  fault: RestFault;
  remaining: number;
}

/** Faults waiting for their requests: each matching request takes one, in the order they were added. */
export class RestFaults {
  private readonly rules: Rule[] = [];
  /** Every fault injected so far, by kind, for reports. */
  readonly injected = new Map<RestFault["kind"], number>();

  add(match: FaultMatch, fault: RestFault, times = 1): void {
    this.rules.push({ ...match, fault, remaining: times });
  }

  clear(): void {
    this.rules.length = 0;
  }

  take(method: string, route: string): RestFault | undefined {
    const index = this.rules.findIndex((rule) => (!rule.method || rule.method === method) && (!rule.route || rule.route.test(route)));
    const rule = this.rules[index];
    if (!rule) return undefined;
    if (--rule.remaining <= 0) this.rules.splice(index, 1);
    this.injected.set(rule.fault.kind, (this.injected.get(rule.fault.kind) ?? 0) + 1);
    return rule.fault;
  }
}

/** The headers and body of a 429 as Discord sends them (https://discord.com/developers/docs/topics/rate-limits). */
export function rateLimited(fault: Extract<RestFault, { kind: "rate-limit" }>, bucket: string): { headers: http.OutgoingHttpHeaders; body: unknown } {
  const seconds = fault.retryAfterMs / 1000;
  const headers: http.OutgoingHttpHeaders = {
    "content-type": "application/json",
    "retry-after": String(seconds),
    "x-ratelimit-scope": fault.scope === "route" ? "user" : fault.scope,
  };
  if (fault.scope === "global") {
    headers["x-ratelimit-global"] = "true";
  } else {
    Object.assign(headers, {
      "x-ratelimit-limit": "5",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String(Date.now() / 1000 + seconds),
      "x-ratelimit-reset-after": String(seconds),
      "x-ratelimit-bucket": bucket,
    });
  }
  return {
    headers,
    body: { message: "You are being rate limited.", retry_after: seconds, global: fault.scope === "global", code: RESTJSONErrorCodes.GeneralError },
  };
}
