/**
 * The one protocol between the bot's thread and its answering workers (src/answer/rpc.ts), over a
 * MessageChannel: calls both ways, errors by class, notices, what is owed, and closing.
 */
import assert from "node:assert/strict";
import { MessageChannel } from "node:worker_threads";
import { describe, test, type TestContext } from "node:test";
import { KnowledgeError } from "../src/knowledge/files.ts";
import { Link } from "../src/answer/rpc.ts";

type Server = { add(a: number, b: number): number; fail(message: string): void; later(): Promise<string>; seen(note: string): void };
type Client = { name(): string };

function pair(t: TestContext, server: Partial<Server>, client: Partial<Client> = {}) {
  const { port1, port2 } = new MessageChannel();
  t.after(() => {
    port1.close();
    port2.close();
  });
  const serving = new Link<Client, Server>(port1, server);
  const calling = new Link<Server, Client>(port2, client, { KnowledgeError });
  return { serving, calling };
}

describe("rpc Link", () => {
  test("a call returns the other side's value, and that side can call back", async (t) => {
    const { serving, calling } = pair(t, { add: (a, b) => a + b }, { name: () => "client" });
    assert.equal(await calling.call("add", 2, 3), 5);
    assert.equal(await serving.call("name"), "client");
  });

  test("an error comes back with its message, as the caller's class when it names one", async (t) => {
    const { calling } = pair(t, {
      fail(message) {
        throw message === "known" ? new KnowledgeError("knowledge: folder not found: /x") : new RangeError("out of range");
      },
    });
    await assert.rejects(
      calling.call("fail", "known"),
      (error: unknown) => error instanceof KnowledgeError && error.message === "knowledge: folder not found: /x",
    );
    await assert.rejects(calling.call("fail", "other"), { name: "RangeError", message: "out of range" });
  });

  test("a method the other side does not serve is refused, naming it", async (t) => {
    const { calling } = pair(t, {});
    await assert.rejects(calling.call("add", 1, 2), { message: 'rpc: Expected a method this side serves, got "add"' });
  });

  test("a notice runs on the other side without a reply", async (t) => {
    let resolve: (note: string) => void = () => undefined;
    const seen = new Promise<string>((r) => (resolve = r));
    const { calling } = pair(t, { seen: (note) => resolve(note) });
    calling.notify("seen", "hello");
    assert.equal(await seen, "hello");
    assert.equal(calling.owed, 0);
  });

  test("what is owed, how long the other side has been silent, and settled() once nothing is", async (t) => {
    let finish: (value: string) => void = () => undefined;
    const { calling } = pair(t, { later: () => new Promise<string>((r) => (finish = r)) });
    assert.equal(calling.silentFor(), 0);
    const answer = calling.call("later");
    assert.equal(calling.owed, 1);
    assert.ok(calling.silentFor(performance.now() + 20_000) >= 20_000);
    let settled = false;
    const idle = calling.settled().then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false);
    await new Promise((resolve) => setTimeout(resolve, 10));
    finish("done");
    assert.equal(await answer, "done");
    await idle;
    assert.equal(calling.owed, 0);
    assert.equal(calling.silentFor(), 0);
  });

  test("close() rejects what is owed and every later call with its reason", async (t) => {
    const { calling } = pair(t, { later: () => new Promise<string>(() => undefined) });
    const owed = calling.call("later");
    calling.close(new Error("engine: the answer worker stopped (exit code 1); the question was not answered"));
    await assert.rejects(owed, { message: "engine: the answer worker stopped (exit code 1); the question was not answered" });
    await assert.rejects(calling.call("add", 1, 1), { message: "engine: the answer worker stopped (exit code 1); the question was not answered" });
  });
});
