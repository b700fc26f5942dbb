/**
 * What the bot says, decided without discord.js: a question, a button press or a partial question in, a
 * `Reply` out. The adapters in `bot.ts` and `commands.ts` only translate Discord events to these calls.
 */
import type { AnswerService } from "../answer/service.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { decodeButton } from "./custom-id.ts";
import {
  PAGE_SIZE,
  parseFooter,
  renderAnswer,
  renderHelp,
  renderNoMatch,
  renderNoMoreResults,
  renderPassage,
  renderPassageGone,
  renderRateLimited,
  renderStaleButton,
  renderTooLong,
  toChoices,
  type Reply,
} from "./format.ts";
import { LIMITS } from "./limits.ts";
import { ConversationMemory, RateLimiter } from "./state.ts";

/** What every handler needs; built once per bot by `createBotContext`. */
export interface BotContext {
  engine: AnswerService;
  config: Pick<Config, "maxQuestionLength" | "rateLimitQuestions" | "rateLimitWindowSeconds">;
  logger: Logger;
  memory: ConversationMemory;
  limiter: RateLimiter;
  /** The bot's username, for the help text. */
  botName: () => string;
  /** An interaction whose answer takes longer is acknowledged first and answered by an edit (see deferIfSlow). */
  deferAfterMs: number;
}

/**
 * Discord drops an interaction that has had no response within 3 s. An answer normally takes a
 * millisecond or two; one that is held up (a replaced answer worker, a stalled machine) gets a "thinking…"
 * acknowledgement at this point, and the answer is edited in when it comes.
 */
export const DEFER_AFTER_MS = 2_000;

export function createBotContext(options: {
  engine: AnswerService;
  config: BotContext["config"];
  logger: Logger;
  botName?: () => string;
  now?: () => number;
  deferAfterMs?: number;
}): BotContext {
  const { config, now } = options;
  return {
    engine: options.engine,
    config,
    logger: options.logger,
    memory: new ConversationMemory({ now }),
    limiter: new RateLimiter({ limit: config.rateLimitQuestions, windowMs: config.rateLimitWindowSeconds * 1000, now }),
    botName: options.botName ?? (() => "me"),
    deferAfterMs: options.deferAfterMs ?? DEFER_AFTER_MS,
  };
}

/**
 * What a person typed, as words to search for: Discord markup (mentions, channel links, timestamps, custom
 * emoji, bold/italic/spoiler/code markers, masked links) carries no meaning for the knowledge and only
 * dilutes the question. Whitespace is collapsed, since a pasted question may hold newlines and tabs.
 */
export function normaliseQuestion(raw: string): string {
  return raw
    .normalize("NFC")
    .replace(/<(?:@[!&]?|#)\d+>|<\/[^:>]+:\d+>|<t:-?\d+(?::\w)?>|<a?:\w+:\d+>/g, " ")
    .replace(/@(everyone|here)\b/gi, " ")
    .replace(/\[([^\]\n]*)\]\(<?https?:\/\/[^)\s]*>?\)/g, "$1")
    .replace(/\*\*|__|~~|\|\||`+|^\s*(?:#{1,3}|-#|>{1,3})\s/gm, " ")
    .replace(/\s+/gu, " ")
    .trim();
}

/** Whether there is anything to search for: a letter or a digit, not just spaces, punctuation or emoji. */
export function hasWords(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

/** Removes mentions of the bot (`<@id>`, legacy `<@!id>`, and its managed role `<@&id>`) from a message. */
export function stripBotMention(content: string, botId: string, botRoleId?: string): string {
  let out = content.replace(new RegExp(`<@!?${botId}>`, "g"), " ");
  if (botRoleId) out = out.replace(new RegExp(`<@&${botRoleId}>`, "g"), " ");
  return out;
}

export function mentionsBot(content: string, botId: string, botRoleId?: string): boolean {
  return new RegExp(`<@!?${botId}>`).test(content) || (botRoleId !== undefined && content.includes(`<@&${botRoleId}>`));
}

export interface QuestionInput {
  raw: string;
  userId: string;
  /** Set in DMs and threads, where follow-ups continue the person's previous question. */
  conversationKey?: string;
  ephemeral: boolean;
}

export interface QuestionOutcome {
  /** Undefined when saying nothing is the friendliest answer (a repeated rate-limit refusal in a channel). */
  reply: Reply | undefined;
  kind: "answer" | "unsure" | "no-match" | "help" | "too-long" | "rate-limited";
}

export async function answerQuestion(ctx: BotContext, input: QuestionInput): Promise<QuestionOutcome> {
  // The limit is on what the person typed (as Discord's max_length counts it), not on the cleaned words.
  const typed = input.raw.replace(/\s+/gu, " ").trim();
  const max = ctx.config.maxQuestionLength;
  if (typed.length > max) return { kind: "too-long", reply: renderTooLong(typed.length, max) };
  const question = normaliseQuestion(input.raw);
  if (!hasWords(question)) return { kind: "help", reply: renderHelp(ctx.botName()) };

  const decision = ctx.limiter.take(input.userId);
  if (!decision.allowed) {
    // In an ephemeral context a refusal is private and cheap; in a channel, say it once per window.
    const say = input.ephemeral || decision.firstRefusal;
    return { kind: "rate-limited", reply: say ? renderRateLimited(decision.retryAfterMs / 1000) : undefined };
  }

  const context = input.conversationKey ? ctx.memory.get(input.conversationKey) : undefined;
  const answer = await ctx.engine.ask(question, { top: PAGE_SIZE + 1, ...(context ? { context } : {}) });
  if (answer.results.length === 0) {
    if (answer.reason === "empty-question") return { kind: "help", reply: renderHelp(ctx.botName()) };
    return { kind: "no-match", reply: renderNoMatch() };
  }
  if (input.conversationKey) ctx.memory.set(input.conversationKey, question);
  const state = context ? { question, context } : { question };
  return { kind: answer.answered ? "answer" : "unsure", reply: renderAnswer(answer, { askerId: input.userId, offset: 0, state, ephemeral: input.ephemeral }) };
}

export interface ButtonInput {
  customId: string;
  userId: string;
  /** Footer text of the first embed of the message the button is on. */
  footer: string | undefined;
  /** Whether that message is ephemeral (then only its asker can see it). */
  messageEphemeral: boolean;
}

/** `update` edits the message the button is on; `reply` answers the presser privately. */
export interface ButtonOutcome {
  mode: "update" | "reply";
  reply: Reply;
}

export async function answerButton(ctx: BotContext, input: ButtonInput): Promise<ButtonOutcome> {
  const action = decodeButton(input.customId);
  const state = parseFooter(input.footer);
  if (!action || !state) return { mode: "reply", reply: renderStaleButton() };
  // Someone else's answer stays as its asker left it; the presser gets their own private copy.
  const own = action.askerId === input.userId;
  const view = { askerId: input.userId, offset: action.offset, state, ephemeral: !own || input.messageEphemeral };
  const mode = own ? "update" : "reply";

  if (action.kind === "page") {
    const answer = await ctx.engine.ask(state.question, {
      top: PAGE_SIZE + 1,
      offset: action.offset,
      ...(state.context ? { context: state.context } : {}),
    });
    if (answer.results.length === 0) return { mode: "reply", reply: renderNoMoreResults() };
    return { mode, reply: renderAnswer(answer, view) };
  }
  const passage = await ctx.engine.passage(action.key, state.question);
  if (!passage) return { mode: "reply", reply: renderPassageGone() };
  return { mode, reply: renderPassage(passage, view) };
}

/** `work`'s value; if it takes longer than `afterMs`, `defer()` is awaited first and `deferred` is true. */
export async function deferIfSlow<T>(work: Promise<T>, afterMs: number, defer: () => Promise<unknown>): Promise<{ value: T; deferred: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), afterMs);
  });
  const first = await Promise.race([work.then((value) => ({ value })), slow]);
  clearTimeout(timer);
  if (first) return { value: first.value, deferred: false };
  await defer();
  return { value: await work, deferred: true };
}

/** Autocomplete choices for what has been typed so far; never throws (a failed suggestion is no suggestion). */
export async function suggestChoices(ctx: BotContext, partial: string): Promise<{ name: string; value: string }[]> {
  try {
    return toChoices(await ctx.engine.suggest(normaliseQuestion(partial), LIMITS.choices));
  } catch (error) {
    ctx.logger.warn("discord: autocomplete suggestions failed", { partial, error });
    return [];
  }
}
