/**
 * Logging (src/log.ts): the pretty line and the JSON record for the same calls, errors with their causes
 * and without a stack when expected, fixed fields (shard) on every line, and records from worker threads
 * naming their worker.
 */
import assert from "node:assert/strict";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import fc from "fast-check";
import { ThreadedEngine } from "../src/answer/threaded.ts";
import { createLogger, ExpectedError, postingLogger, relayLog, serializeError, type LogFormat, type PostedLog } from "../src/log.ts";

const QA = path.join(import.meta.dirname, "fixtures", "engine", "qa");
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

function capture(format: LogFormat, level: Parameters<typeof createLogger>[0] = "debug", bindings?: Record<string, unknown>) {
  const lines: string[] = [];
  const logger = createLogger(level, { format, write: (line) => lines.push(line), ...(bindings ? { bindings } : {}) });
  return { logger, lines };
}

/** JSON records without their time, which is checked apart. */
function records(lines: string[]): Record<string, unknown>[] {
  return lines.map((line) => {
    const { time, ...rest } = JSON.parse(line) as Record<string, unknown>;
    assert.match(String(time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    return rest;
  });
}

class TokenError extends ExpectedError {
  override name = "TokenError";
}

describe("pretty lines", () => {
  test("time, level, shard and worker, message, then the context as key=value", () => {
    const { logger, lines } = capture("pretty", "debug", { shard: 1, shardCount: 4 });
    logger.info("knowledge: loaded", { documents: 3, dir: "/srv/kb docs", changes: { added: ["a.md"] }, worker: "build", skipped: undefined });
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? "", STAMP);
    assert.equal(lines[0]?.replace(STAMP, ""), 'INFO  [shard 1/4] [build worker] knowledge: loaded documents=3 dir=/srv/kb docs changes={"added":["a.md"]}');
  });

  test("below the level nothing is written; silent writes nothing at all", () => {
    const warn = capture("pretty", "warn");
    warn.logger.debug("d");
    warn.logger.info("i");
    warn.logger.warn("w");
    warn.logger.error("e");
    assert.deepEqual(
      warn.lines.map((l) => l.replace(STAMP, "")),
      ["WARN  w", "ERROR e"],
    );
    const silent = capture("json", "silent");
    silent.logger.error("e");
    assert.deepEqual(silent.lines, []);
  });

  test("an error shows its type, message, fields, where it was thrown and its causes, on the same line", () => {
    const { logger, lines } = capture("pretty");
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    logger.error("discord: interaction failed", { error: new TypeError("engine exploded", { cause: refused }) });
    assert.match(
      lines[0]?.replace(STAMP, "") ?? "",
      /^ERROR discord: interaction failed error=TypeError: engine exploded at \S+ \(test\/log\.test\.ts:\d+:\d+\); caused by Error: connect ECONNREFUSED 127\.0\.0\.1:9 \(code=ECONNREFUSED\) at \S+ \(test\/log\.test\.ts:\d+:\d+\)$/,
    );
  });

  test("an expected error is its message alone, with no place in the code", () => {
    const { logger, lines } = capture("pretty");
    logger.warn("discord: reload failed", { error: new TokenError("DISCORD_TOKEN was rejected") });
    assert.equal(lines[0]?.replace(STAMP, ""), "WARN  discord: reload failed error=TokenError: DISCORD_TOKEN was rejected");
  });

  test("any message and any context values make exactly one line", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.string()))),
        (message, context) => {
          const { logger, lines } = capture("pretty");
          logger.info(message, context);
          assert.equal(lines.length, 1);
          assert.doesNotMatch(lines[0] ?? "", /[\r\n]/);
        },
      ),
    );
  });
});

describe("JSON records", () => {
  test("level, time, the fixed fields, the context and msg; no pid or hostname", () => {
    const { logger, lines } = capture("json", "info", { shard: 0, shardCount: 2 });
    logger.info("discord: logged in as KnowledgeBot", { user: "130", guilds: "Test Guild 1 (1)" });
    logger.debug("not written");
    assert.deepEqual(records(lines), [
      { level: "info", shard: 0, shardCount: 2, user: "130", guilds: "Test Guild 1 (1)", msg: "discord: logged in as KnowledgeBot" },
    ]);
  });

  test("a context field replaces a fixed field of the same name, and pino's own names get a `_`", () => {
    const { logger, lines } = capture("json", "info", { shard: 0 });
    logger.warn("discord: gateway connection error", { shard: 3, level: "high", msg: "m", time: 1, big: 10n });
    assert.deepEqual(records(lines), [{ level: "warn", shard: 3, level_: "high", msg_: "m", time_: 1, big: "10", msg: "discord: gateway connection error" }]);
  });

  test("an error carries its whole cause chain, each with its stack; an expected one has none", () => {
    const { logger, lines } = capture("json");
    const inner = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED", errno: -111 });
    logger.error("failed", { error: new Error("outer", { cause: new TokenError("middle", { cause: inner }) }) });
    const error = records(lines)[0]?.error as Record<string, unknown>;
    const middle = error.cause as Record<string, unknown>;
    const last = middle.cause as Record<string, unknown>;
    assert.equal(error.type, "Error");
    assert.equal(error.message, "outer");
    assert.match(String(error.stack), /^Error: outer\n {4}at /);
    assert.deepEqual(middle, { type: "TokenError", message: "middle", cause: last });
    assert.deepEqual(
      { ...last, stack: undefined },
      { type: "Error", message: "connect ECONNREFUSED 127.0.0.1:9", code: "ECONNREFUSED", errno: -111, stack: undefined },
    );
    assert.match(String(last.stack), /^Error: connect ECONNREFUSED/);
  });

  test("an AggregateError lists its errors; a cause that is not an Error is kept as data", () => {
    const aggregate = serializeError(new AggregateError([new TokenError("a"), new TokenError("b")], "all addresses failed", { cause: { attempt: 2 } }));
    assert.deepEqual(
      { ...aggregate, stack: undefined },
      {
        type: "AggregateError",
        message: "all addresses failed",
        stack: undefined,
        cause: { attempt: 2 },
        errors: [
          { type: "TokenError", message: "a" },
          { type: "TokenError", message: "b" },
        ],
      },
    );
  });

  test("any message and string context round-trip through the JSON line", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.dictionary(
          fc.string().filter((k) => !["level", "time", "msg", "__proto__"].includes(k)),
          fc.string(),
        ),
        (message, context) => {
          const { logger, lines } = capture("json");
          logger.info(message, context);
          assert.equal(lines.length, 1);
          assert.deepEqual(records(lines)[0], { level: "info", ...context, msg: message });
        },
      ),
    );
  });
});

describe("records from worker threads", () => {
  test("a posted record is plain data (errors serialized) and is logged with the worker it came from", () => {
    const posted: PostedLog[] = [];
    const inWorker = postingLogger((record) => posted.push(record));
    inWorker.warn("knowledge: skipped a.md", { error: new TokenError("unreadable"), n: 1n });
    assert.deepEqual(posted, [{ log: "warn", message: "knowledge: skipped a.md", context: { error: { type: "TokenError", message: "unreadable" }, n: "1" } }]);
    // structuredClone is what postMessage does: the record must survive it unchanged.
    assert.deepEqual(structuredClone(posted[0]), posted[0]);

    const { logger, lines } = capture("json");
    for (const record of posted) relayLog(logger, record, "build");
    // Relayed again by the answer worker's parent: the record keeps the name of the thread it came from.
    relayLog(logger, { log: "info", message: "relayed twice", context: { worker: "build" } }, "answer");
    relayLog(logger, { log: "info", message: "from the answer worker" }, "answer");
    assert.deepEqual(records(lines), [
      { level: "warn", worker: "build", error: { type: "TokenError", message: "unreadable" }, n: "1", msg: "knowledge: skipped a.md" },
      { level: "info", worker: "build", msg: "relayed twice" },
      { level: "info", worker: "answer", msg: "from the answer worker" },
    ]);
  });

  test("the bot's engine: the answering worker's records say answer, the engine's own in the bot's thread name no worker", async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "kb-log-"));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const kb = path.join(dir, "kb");
    await cp(QA, kb, { recursive: true });
    const { logger, lines } = capture("json");
    const engine = await ThreadedEngine.open(kb, { logger });
    t.after(() => engine.close());
    // A rebuild runs in a new answering worker; a reload that fails is reported by the engine in the bot's thread.
    await writeFile(path.join(kb, "empty.md"), "");
    await engine.reload();
    await rm(kb, { recursive: true, force: true });
    await engine.reload().catch(() => undefined);
    const seen = records(lines).map((r) => ({
      worker: r.worker,
      msg: String(r.msg)
        .replace(kb, "KB")
        .replace(/ at .*$/, ""),
    }));
    assert.ok(
      seen.some((r) => r.worker === "answer" && r.msg.startsWith("knowledge: skipped empty.md")),
      JSON.stringify(seen),
    );
    assert.ok(
      seen.some((r) => r.worker === undefined && r.msg.startsWith("knowledge: reload failed, still answering from the knowledge loaded")),
      JSON.stringify(seen),
    );
  });
});
