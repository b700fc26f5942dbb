/**
 * The health endpoint (HEALTH_PORT): `GET /health` answers 200 `{"ready":true}` once every part of the
 * bot is ready (the index loaded, the gateway connected), and 503 with the parts that are not, e.g.
 * `{"ready":false,"notReady":{"gateway":"connecting"}}`. Container health checks (the Dockerfile's
 * HEALTHCHECK, through cli/health-check.ts) and orchestrators' readiness probes ask it.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ExpectedError } from "./log.ts";

/** A part's state: "ready", or what it is doing instead ("loading", "connecting", "shard 0 resuming"). */
export type PartState = string;
export const READY: PartState = "ready";

export interface HealthReport {
  ready: boolean;
  notReady?: Record<string, PartState>;
}

/** The parts the bot needs, each a state or a function that reads it when asked. */
export class Readiness {
  private readonly parts = new Map<string, PartState | (() => PartState)>();

  set(part: string, state: PartState | (() => PartState)): void {
    this.parts.set(part, state);
  }

  report(): HealthReport {
    const notReady: Record<string, PartState> = {};
    for (const [part, state] of this.parts) {
      const now = typeof state === "function" ? state() : state;
      if (now !== READY) notReady[part] = now;
    }
    return Object.keys(notReady).length ? { ready: false, notReady } : { ready: true };
  }
}

export class HealthError extends ExpectedError {
  override name = "HealthError";
}

export const HEALTH_PATH = "/health";

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `readiness` on `port` (0: any free port), on every interface so that an orchestrator's probe
 * reaches it too. The server never keeps the process alive by itself. Rejects with a HealthError when the
 * port cannot be used.
 */
export async function serveHealth(readiness: Readiness, port: number): Promise<HealthServer> {
  // Loaded here, not with the module: a bot without HEALTH_PORT (in the terminal, say) never needs it.
  const { createServer } = await import("node:http");
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", "content-length": Buffer.byteLength(text), ...headers });
      res.end(req.method === "HEAD" ? undefined : text);
    };
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== HEALTH_PATH) return send(404, { error: `not found; the health endpoint is ${HEALTH_PATH}` });
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, { error: "method not allowed" }, { allow: "GET, HEAD" });
    const report = readiness.report();
    send(report.ready ? 200 : 503, report);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const why = error.code === "EADDRINUSE" ? "the port is in use" : error.code === "EACCES" ? "permission denied" : error.message;
      reject(new HealthError(`health: could not listen on HEALTH_PORT=${port}: ${why}`, { cause: error }));
    });
    server.listen(port, () => resolve());
  });
  server.unref();
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a probe of the endpoint found: healthy or not, and one line saying why. */
export interface ProbeResult {
  healthy: boolean;
  line: string;
}

/** Asks the endpoint at `url` once; never throws. */
export async function probeHealth(url: string, timeoutMs = 5_000): Promise<ProbeResult> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.text()).trim();
    return { healthy: response.status === 200, line: `${response.status} ${body}` };
  } catch (error) {
    const cause = (error as Error).cause as NodeJS.ErrnoException | undefined;
    const reason =
      (error as Error).name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : (cause?.code ?? cause?.message ?? (error as Error).message);
    return { healthy: false, line: `health: could not reach ${url}: ${reason}` };
  }
}
