/** Small readers of what the bot sent to the loopback Discord server, shared by the Discord test files. */
import { MessageFlags } from "discord-api-types/v10";
import type { AnswerEngine } from "../../src/answer/engine.ts";
import type { AnswerService } from "../../src/answer/service.ts";
import type { FakeUser, Json, RecordedRequest } from "./discord-server.ts";

export const EPHEMERAL = MessageFlags.Ephemeral;

export const RATE_LIMITED = /^You're asking faster than I can keep up\. Please try again in \d+ seconds?\.$/;
export const UNSUPPORTED = "I can't handle that here. Use `/ask` for questions, or `/help` to see what I can do.";
export const STALE = "This button belongs to an answer I can no longer read. Ask again for a fresh answer.";

export function callback(request: RecordedRequest): { type: number; data: Json } {
  return request.body as { type: number; data: Json };
}

/** The description of the first embed of a message body. */
export function description(data: unknown): string | undefined {
  return ((data as Json | undefined)?.embeds as Json[] | undefined)?.[0]?.description as string | undefined;
}

/** Matches the bot's channel message that replies to message `id`. */
export function repliesTo(id: unknown): (request: RecordedRequest) => boolean {
  return (request) => request.method === "POST" && ((request.body as Json | undefined)?.message_reference as Json | undefined)?.message_id === id;
}

/** A person with a made-up id, for tests that need many different users. */
export function person(n: number): FakeUser {
  return { id: `12100000000000${String(n).padStart(5, "0")}`, username: `user${n}`, global_name: `user${n}`, discriminator: "0", avatar: null };
}

/** Resolves once `condition()` holds; polls, and fails after `guardMs` only so that a bug cannot hang the test. */
export async function until(condition: () => boolean, what: string, guardMs = 15_000): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > guardMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The engine's AnswerService with some methods replaced (the rest pass through). */
export function withEngine(engine: AnswerEngine, overrides: Partial<Pick<AnswerService, "ask" | "passage" | "suggest" | "sources" | "reload">>): AnswerService {
  return {
    dir: engine.dir,
    get lastLoad() {
      return engine.lastLoad;
    },
    ask: (question, options) => engine.ask(question, options),
    passage: (key, question) => engine.passage(key, question),
    suggest: (partial, limit) => engine.suggest(partial, limit),
    sources: () => engine.sources(),
    reload: () => engine.reload(),
    close: () => engine.close(),
    ...overrides,
  };
}
