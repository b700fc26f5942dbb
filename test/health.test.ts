/**
 * The health endpoint (src/health.ts): 503 naming the parts that are not ready, 200 once all are, the
 * statuses of other paths and methods, a port that cannot be used, and the probe the container runs.
 */
import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { HealthError, probeHealth, READY, Readiness, serveHealth, type HealthServer } from "../src/health.ts";
import { freePort } from "./support/free-port.ts";

async function serve(t: TestContext, readiness: Readiness): Promise<HealthServer> {
  const server = await serveHealth(readiness, 0);
  t.after(() => server.close());
  return server;
}

async function get(server: HealthServer, path = "/health", method = "GET") {
  const response = await fetch(`http://127.0.0.1:${server.port}${path}`, { method });
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    cache: response.headers.get("cache-control"),
    allow: response.headers.get("allow"),
    body: await response.text(),
  };
}

describe("Readiness", () => {
  test("ready only when every part is; the report names the parts that are not and what they are doing", () => {
    const readiness = new Readiness();
    assert.deepEqual(readiness.report(), { ready: true });
    readiness.set("index", "loading");
    let gateway = "connecting";
    readiness.set("gateway", () => gateway);
    assert.deepEqual(readiness.report(), { ready: false, notReady: { index: "loading", gateway: "connecting" } });
    readiness.set("index", READY);
    assert.deepEqual(readiness.report(), { ready: false, notReady: { gateway: "connecting" } });
    gateway = READY;
    assert.deepEqual(readiness.report(), { ready: true });
    gateway = "shard 0 resuming";
    assert.deepEqual(readiness.report(), { ready: false, notReady: { gateway: "shard 0 resuming" } });
  });
});

describe("GET /health", () => {
  test("503 with the parts that are not ready, then 200 once they are; never cached", async (t) => {
    const readiness = new Readiness();
    readiness.set("index", "loading");
    readiness.set("gateway", "connecting");
    const server = await serve(t, readiness);
    assert.deepEqual(await get(server), {
      status: 503,
      type: "application/json",
      cache: "no-store",
      allow: null,
      body: '{"ready":false,"notReady":{"index":"loading","gateway":"connecting"}}',
    });
    readiness.set("index", READY);
    assert.equal((await get(server)).body, '{"ready":false,"notReady":{"gateway":"connecting"}}');
    readiness.set("gateway", READY);
    assert.deepEqual(await get(server), { status: 200, type: "application/json", cache: "no-store", allow: null, body: '{"ready":true}' });
  });

  test("HEAD gives the status without a body; other methods 405, other paths 404", async (t) => {
    const readiness = new Readiness();
    readiness.set("index", "loading");
    const server = await serve(t, readiness);
    assert.deepEqual(await get(server, "/health", "HEAD"), { status: 503, type: "application/json", cache: "no-store", allow: null, body: "" });
    assert.deepEqual(await get(server, "/health?verbose=1"), {
      status: 503,
      type: "application/json",
      cache: "no-store",
      allow: null,
      body: '{"ready":false,"notReady":{"index":"loading"}}',
    });
    assert.deepEqual(await get(server, "/health", "POST"), {
      status: 405,
      type: "application/json",
      cache: "no-store",
      allow: "GET, HEAD",
      body: '{"error":"method not allowed"}',
    });
    assert.deepEqual(await get(server, "/"), {
      status: 404,
      type: "application/json",
      cache: "no-store",
      allow: null,
      body: '{"error":"not found; the health endpoint is /health"}',
    });
  });

  test("a port in use is a HealthError naming HEALTH_PORT", async (t) => {
    const first = await serve(t, new Readiness());
    await assert.rejects(serveHealth(new Readiness(), first.port), (error: unknown) => {
      assert.ok(error instanceof HealthError);
      assert.equal(error.message, `health: could not listen on HEALTH_PORT=${first.port}: the port is in use`);
      return true;
    });
  });
});

describe("probeHealth", () => {
  test("healthy on 200; not on 503, with the status and body; not when nothing answers", async (t) => {
    const readiness = new Readiness();
    readiness.set("gateway", "connecting");
    const server = await serve(t, readiness);
    const url = `http://127.0.0.1:${server.port}/health`;
    assert.deepEqual(await probeHealth(url), { healthy: false, line: '503 {"ready":false,"notReady":{"gateway":"connecting"}}' });
    readiness.set("gateway", READY);
    assert.deepEqual(await probeHealth(url), { healthy: true, line: '200 {"ready":true}' });
    const port = await freePort();
    assert.deepEqual(await probeHealth(`http://127.0.0.1:${port}/health`), {
      healthy: false,
      line: `health: could not reach http://127.0.0.1:${port}/health: ECONNREFUSED`,
    });
  });
});
