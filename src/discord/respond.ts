/**
 * What the bot says, decided without discord.js: a question, a button press or a partial question in, a
 * `Reply` out. The adapters in `bot.ts` and `commands.ts` only translate Discord events to these calls.
 */
import { sectionTrail } from "../answer/display.ts";
import type { AnswerService } from "../answer/service.ts";
import type { Config } from "../config.ts";
import type { Feedback } from "../feedback/feedback.ts";
import { FEEDBACK_MAX_LENGTH, type Surface } from "../feedback/question-log.ts";
import type { Logger } from "../log.ts";
import { decodeButton, decodeFeedbackModal } from "./custom-id.ts";
import {
  PAGE_SIZE,
  feedbackModal,
  renderFeedbackOff,
  renderFeedbackThanks,
  renderVoted,
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
import { LIMITS, truncate } from "./limits.ts";
import { neutralisePlain } from "./markdown.ts";
import { ConversationMemory, LoadShedder, LogThrottle, RateLimiter } from "./state.ts";

/** What every handler needs; built once per bot by `createBotContext`. */
export interface BotContext {
  engine: AnswerService;
  config: Pick<Config, "maxQuestionLength" | "rateLimitQuestions" | "rateLimitWindowSeconds">;
  logger: Logger;
  memory: ConversationMemory;
  limiter: RateLimiter;
  /** Autocomplete's own per-user limit (see AUTOCOMPLETE). */
  suggestLimiter: RateLimiter;
  /** Suggestions the engine is making now (see AUTOCOMPLETE). */
  suggesting: LoadShedder;
  /** DM and mention replies being answered or sent (see MAX_PENDING_REPLIES). */
  replies: LoadShedder;
  /** Interactions that expired before their reply: expected under load, logged sparingly. */
  expired: LogThrottle;
  /** The bot's username, for the help text. */
  botName: () => string;
  /** An interaction whose answer takes longer is acknowledged first and answered by an edit (see deferIfSlow). */
  deferAfterMs: number;
  /** The feedback database (question log, teach records); undefined when the bot runs without one. */
  feedback: Feedback | undefined;
  /** Whether questions, votes and feedback are logged (QUESTION_LOG); teach records work either way. */
  logQuestions: boolean;
}

/**
 * Autocomplete comes per pause in typing, from anyone, and a flood of it from one user once made 86% of
 * autocompletes miss Discord's 3 s and held other people's answers up to 12 s. So it is kept cheap and
 * apart from questions: a length cap, a per-user limit, a few suggestions, and at most `inFlight` being
 * made at once. Anything over a bound is answered at once with no suggestions; a question therefore
 * waits in the engine behind at most `inFlight` suggestions.
 */
export const AUTOCOMPLETE = {
  /** Longest partial question that gets suggestions; a choice holds at most 100 characters anyway. */
  maxChars: 100,
  /** Suggestions asked of the engine: enough to pick from, and its cost grows with the number. */
  suggestions: 10,
  /** Per user: 20 in 10 s is several a second of typing, and far below a flood. */
  perUser: 20,
  windowMs: 10_000,
  inFlight: 2,
} as const;

/**
 * DM and mention replies in flight at most. Discord takes about 50 messages a second from a bot, so 100
 * is two seconds of queue; past it, messages are deliberately not answered (a "too busy" reply would cost
 * the same send as an answer), and the episode is logged once. Once 3,000 DMs in 12 s meant the last
 * reply came after 62 s.
 */
export const MAX_PENDING_REPLIES = 100;

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
  maxPendingReplies?: number;
  feedback?: Feedback | undefined;
  /** QUESTION_LOG; default on. */
  logQuestions?: boolean;
}): BotContext {
  const { config, now } = options;
  return {
    engine: options.engine,
    config,
    logger: options.logger,
    memory: new ConversationMemory({ now }),
    limiter: new RateLimiter({ limit: config.rateLimitQuestions, windowMs: config.rateLimitWindowSeconds * 1000, now }),
    suggestLimiter: new RateLimiter({ limit: AUTOCOMPLETE.perUser, windowMs: AUTOCOMPLETE.windowMs, now }),
    suggesting: new LoadShedder(AUTOCOMPLETE.inFlight),
    replies: new LoadShedder(options.maxPendingReplies ?? MAX_PENDING_REPLIES),
    expired: new LogThrottle(60_000, now),
    botName: options.botName ?? (() => "me"),
    deferAfterMs: options.deferAfterMs ?? DEFER_AFTER_MS,
    feedback: options.feedback,
    logQuestions: options.logQuestions ?? true,
  };
}

/** The question log when questions are being logged. */
function questionLog(ctx: BotContext) {
  return ctx.logQuestions ? ctx.feedback?.questions : undefined;
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
  /** An interaction must always be answered; a message (DM or mention) need not be. */
  via: "interaction" | "message";
  /** Where it was asked, for the question log. */
  surface: Exclude<Surface, "terminal">;
  guildId?: string | undefined;
}

export interface QuestionOutcome {
  /** Undefined when saying nothing is the friendliest answer (a repeated rate-limit refusal to a DM or mention). */
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
    // An interaction unanswered for 3 s fails in Discord ("The application did not respond"), so every one
    // gets its (private) refusal. A DM or mention is told once per window and then ignored until the
    // window ends: replying to each message of a flood would only feed it.
    const say = input.via === "interaction" || decision.firstRefusal;
    return { kind: "rate-limited", reply: say ? renderRateLimited(decision.retryAfterMs / 1000) : undefined };
  }

  const context = input.conversationKey ? ctx.memory.get(input.conversationKey) : undefined;
  const started = performance.now();
  const answer = await ctx.engine.ask(question, { top: PAGE_SIZE + 1, ...(context ? { context } : {}) });
  // Best-effort and synchronous (a few hundred microseconds): the row id goes on the vote buttons.
  const logId = questionLog(ctx)?.recordQuestion({
    surface: input.surface,
    guildId: input.guildId,
    answer,
    durationMs: performance.now() - started,
    shown: answer.results.slice(0, PAGE_SIZE),
  });
  if (answer.results.length === 0) {
    if (answer.reason === "empty-question") return { kind: "help", reply: renderHelp(ctx.botName()) };
    return { kind: "no-match", reply: renderNoMatch(logId) };
  }
  if (input.conversationKey) ctx.memory.set(input.conversationKey, question);
  const state = context ? { question, context } : { question };
  return {
    kind: answer.answered ? "answer" : "unsure",
    reply: renderAnswer(answer, { askerId: input.userId, offset: 0, state, ephemeral: input.ephemeral, logId }),
  };
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

/** What a feedback button does: a private reply, or the feedback modal (which must be the first response). */
export type FeedbackOutcome = { mode: "reply"; reply: Reply } | { mode: "modal"; modal: ReturnType<typeof feedbackModal> };

/**
 * A 👍, 👎 or "Tell us what you were looking for" press, decided at once (a modal cannot follow a
 * deferral); undefined for any other button. Anyone may vote on any answer they can see, once.
 */
export function answerFeedbackButton(ctx: BotContext, input: Pick<ButtonInput, "customId" | "userId">): FeedbackOutcome | undefined {
  const action = decodeButton(input.customId);
  if (action?.kind !== "vote" && action?.kind !== "tell") return undefined;
  const log = questionLog(ctx);
  if (!log) return { mode: "reply", reply: renderFeedbackOff() };
  if (action.kind === "tell") return { mode: "modal", modal: feedbackModal(action.logId, FEEDBACK_MAX_LENGTH) };
  return { mode: "reply", reply: renderVoted(log.recordVote(action.logId, input.userId, action.vote), action.vote, action.logId) };
}

/** The feedback modal submitted: what to tell its author (privately). */
export function answerFeedbackModal(ctx: BotContext, input: { customId: string; userId: string; text: string }): Reply {
  const logId = decodeFeedbackModal(input.customId);
  if (logId === undefined) return renderStaleButton();
  const log = questionLog(ctx);
  if (!log) return renderFeedbackOff();
  return renderFeedbackThanks(log.recordFeedback(logId, input.userId, input.text));
}

export async function answerButton(ctx: BotContext, input: ButtonInput): Promise<ButtonOutcome> {
  const decoded = decodeButton(input.customId);
  const action = decoded?.kind === "page" || decoded?.kind === "full" ? decoded : undefined;
  const state = parseFooter(input.footer);
  if (!action || !state) return { mode: "reply", reply: renderStaleButton() };
  // Someone else's answer stays as its asker left it; the presser gets their own private copy.
  const own = action.askerId === input.userId;
  const view = { askerId: input.userId, offset: action.offset, state, ephemeral: !own || input.messageEphemeral, logId: action.logId };
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

/** Resolves with `fallback` after `ms` unless `work` settles first (work that fails counts as settling). */
function within<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * Autocomplete choices for what `userId` has typed so far, within the bounds of AUTOCOMPLETE and in time
 * for Discord's window; never throws (a failed suggestion is no suggestion).
 */
export async function suggestChoices(ctx: BotContext, partial: string, userId: string): Promise<{ name: string; value: string }[]> {
  if (partial.length > AUTOCOMPLETE.maxChars || !ctx.suggestLimiter.take(userId).allowed) return [];
  if (!ctx.suggesting.tryEnter().admitted) return [];
  // The slot is held until the engine is done, even when Discord's window closes first.
  const making = (async () => ctx.engine.suggest(normaliseQuestion(partial), AUTOCOMPLETE.suggestions))().finally(() => ctx.suggesting.leave());
  const choices = making.then(toChoices, (error: unknown) => {
    ctx.logger.warn("discord: autocomplete suggestions failed", { partial, error: error instanceof Error ? error.message : String(error) });
    return [];
  });
  return within(choices, ctx.deferAfterMs, []);
}

/**
 * Autocomplete choices of passages for /teach: those nearest to what is typed, or, before anything is
 * typed, to the question being taught. Name: where the passage is and how it starts; value: its key.
 * Within AUTOCOMPLETE's bounds and Discord's window, like suggestChoices; never throws.
 */
export async function passageChoices(ctx: BotContext, typed: string, question: string, userId: string): Promise<{ name: string; value: string }[]> {
  const words = normaliseQuestion(typed.trim() ? typed : question);
  if (!hasWords(words) || words.length > AUTOCOMPLETE.maxChars * 3 || !ctx.suggestLimiter.take(userId).allowed) return [];
  if (!ctx.suggesting.tryEnter().admitted) return [];
  const making = (async () => ctx.engine.ask(words, { top: LIMITS.choices, nearest: true, ranking: { minRelativeScore: 0 } }))().finally(() =>
    ctx.suggesting.leave(),
  );
  const choices = making.then(
    (answer) =>
      answer.results.map((r) => ({
        name: truncate(neutralisePlain(`${sectionTrail(r.source)} — ${r.answer.replace(/\s+/g, " ")}`), LIMITS.choiceName, { markdown: false }),
        value: r.key,
      })),
    (error: unknown) => {
      ctx.logger.warn("discord: passage choices failed", { error: error instanceof Error ? error.message : String(error) });
      return [];
    },
  );
  return within(choices, ctx.deferAfterMs, []);
}

/**
 * `text` (an error message shown in Discord) without the server's file-system layout: paths in the
 * knowledge folder relative to it, the folder itself by name, and any other absolute path as its last part.
 */
export function withoutServerPaths(text: string, knowledgeDir: string): string {
  const dir = knowledgeDir.replace(/\/+$/, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return text
    .replace(new RegExp(`${dir}/`, "g"), "")
    .replace(new RegExp(`${dir}(?![\\w.-])`, "g"), "the knowledge folder")
    .replace(/(?<![\w.:/~-])(?:\/[^\s/'"`()]+)+\/?/g, (absolute) => absolute.split("/").filter(Boolean).pop() ?? "");
}
