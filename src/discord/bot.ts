/**
 * The Discord adapter: logs in, routes events to `respond.ts` through one error boundary per entry point,
 * and sends what comes back. No answering logic lives here.
 */
import {
  Client,
  DiscordAPIError,
  Events,
  GatewayDispatchEvents,
  GatewayIntentBits,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  Options,
  Partials,
  Status,
  RESTJSONErrorCodes,
  Routes,
  type BaseInteraction,
  type ClientOptions,
  type ButtonInteraction,
  type Interaction,
  type ModalSubmitInteraction,
  type Message,
  type MessageReplyOptions,
  type RESTPostAPIInteractionCallbackJSONBody,
} from "discord.js";
import type { AnswerService } from "../answer/service.ts";
import type { Config } from "../config.ts";
import type { Feedback } from "../feedback/feedback.ts";
import type { Logger } from "../log.ts";
import { loginFailure } from "./api-errors.ts";
export { DiscordStartError } from "./api-errors.ts";
import { acknowledge, buildCommands, toEditReply, toInteractionReply, type SlashCommand } from "./commands.ts";
import { ALLOWED_MENTIONS, FEEDBACK_FIELD, renderError, renderStaleButton, renderUnsupported, type Reply } from "./format.ts";
import { vetInteraction, type Verdict } from "./guard.ts";
import {
  answerButton,
  answerFeedbackButton,
  answerFeedbackModal,
  answerQuestion,
  createBotContext,
  deferIfSlow,
  mentionsBot,
  stripBotMention,
  type BotContext,
} from "./respond.ts";
import { ConversationMemory } from "./state.ts";

/**
 * No privileged intents: Discord delivers the content of DMs and of messages that mention the bot without
 * MessageContent, and `Partials.Channel` lets DMs arrive before their channel is cached.
 */
export const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages];
export const PARTIALS = [Partials.Channel];

/**
 * What discord.js keeps in memory. The bot needs no message history (a button press carries its
 * message; a reply to a mention needs only its id) and no users or members beyond the people asking
 * now, so those caches are bounded: by default a bot in many servers grows with every person who ever
 * wrote, and keeps 200 messages per channel it can read. Guilds, channels and roles stay cached:
 * discord.js needs them to route events and check permissions.
 */
export function cacheSettings(): ClientOptions["makeCache"] {
  return Options.cacheWithLimits({
    ...Options.DefaultMakeCacheSettings,
    MessageManager: 0,
    ReactionManager: 0,
    UserManager: { maxSize: 1000, keepOverLimit: (user) => user.id === user.client.user.id },
    GuildMemberManager: { maxSize: 200, keepOverLimit: (member) => member.id === member.client.user.id },
  });
}

export interface DiscordBot {
  client: Client;
  /** "ready" while every shard of this client is connected, else what the first one that is not is doing (for /health). */
  gatewayState(): string;
  /** Destroys the client (closing the gateway connection); safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A reply to the message `sourceId`. Its nonce is that message's id, enforced: a send that Discord made
 * but whose response was lost (a slow or reset connection, so discord.js retries) and a message delivered
 * twice (a replayed dispatch) both return the first reply instead of posting a second.
 */
export function toMessageReply(reply: Reply, sourceId: string): MessageReplyOptions {
  return {
    ...toEditReply(reply),
    // The question may have been deleted meanwhile; answer in the channel anyway.
    failIfNotExists: false,
    nonce: sourceId,
    enforceNonce: true,
  };
}

function describeInteraction(interaction: BaseInteraction): Record<string, unknown> {
  return {
    interaction: interaction.id,
    kind:
      interaction.isChatInputCommand() || interaction.isAutocomplete()
        ? `/${interaction.commandName}`
        : interaction.isButton()
          ? `button ${interaction.customId}`
          : interaction.type,
    user: interaction.user.id,
    guild: interaction.guildId ?? "dm",
    channel: interaction.channelId ?? undefined,
  };
}

async function handleButton(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  const feedback = answerFeedbackButton(ctx, { customId: interaction.customId, userId: interaction.user.id });
  if (feedback?.mode === "modal") return void (await interaction.showModal(feedback.modal));
  if (feedback) return void (await interaction.reply(toInteractionReply({ ...feedback.reply, ephemeral: true })));
  const answering = answerButton(ctx, {
    customId: interaction.customId,
    userId: interaction.user.id,
    footer: interaction.message.embeds[0]?.footer?.text,
    messageEphemeral: interaction.message.flags.has(MessageFlags.Ephemeral),
  });
  // Slow: acknowledge without changing the message, then edit it or answer privately.
  const { value: outcome, deferred } = await deferIfSlow(answering, ctx.deferAfterMs, () => acknowledge(interaction, () => interaction.deferUpdate()));
  if (outcome.mode === "update") {
    if (deferred) await interaction.editReply(toEditReply(outcome.reply));
    else await interaction.update(toEditReply(outcome.reply));
  } else {
    const reply = toInteractionReply({ ...outcome.reply, ephemeral: true });
    if (deferred) await interaction.followUp(reply);
    else await interaction.reply(reply);
  }
}

async function handleModal(interaction: ModalSubmitInteraction, ctx: BotContext): Promise<void> {
  // The field is optional: Discord leaves it out, or sends it empty, when nothing was written.
  const text = interaction.fields.fields.find((field) => "customId" in field && field.customId === FEEDBACK_FIELD);
  const reply = answerFeedbackModal(ctx, {
    customId: interaction.customId,
    userId: interaction.user.id,
    text: text && "value" in text && typeof text.value === "string" ? text.value : "",
  });
  await interaction.reply(toInteractionReply({ ...reply, ephemeral: true }));
}

/**
 * Why a failed reply to an interaction needs no more than a log line: the interaction expired (Discord
 * allows 3 s; under load that is expected, and nothing can be sent any more) or was already answered.
 */
function expectedFailure(error: unknown): string | undefined {
  if (!(error instanceof DiscordAPIError)) return undefined;
  if (error.code === RESTJSONErrorCodes.UnknownInteraction) return "it expired before the reply (Discord allows 3 s)";
  if (error.code === RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged) return "it was already answered (a retried response)";
  return undefined;
}

/** Tells the person something went wrong, in whatever way the interaction still allows. */
async function reportInteractionError(interaction: BaseInteraction): Promise<void> {
  if (interaction.isAutocomplete()) {
    if (!interaction.responded) await interaction.respond([]);
    return;
  }
  if (!interaction.isRepliable()) return;
  const reply = toInteractionReply(renderError());
  if (interaction.replied || interaction.deferred) await interaction.followUp(reply);
  else await interaction.reply(reply);
}

export function createHandlers(client: Client, ctx: BotContext, commands: SlashCommand[]) {
  const byName = new Map(commands.map((command) => [command.data.name, command]));
  const { logger } = ctx;

  /** Every interaction type has its case; the guard (guard.ts) lets only whole commands, autocompletes and buttons through. */
  async function dispatchInteraction(interaction: Interaction): Promise<void> {
    switch (interaction.type) {
      case InteractionType.ApplicationCommand: {
        const command = interaction.isChatInputCommand() ? byName.get(interaction.commandName) : undefined;
        if (!interaction.isChatInputCommand() || !command) {
          logger.warn("discord: unknown command (stale registration? run npm run deploy-commands)", describeInteraction(interaction));
          await interaction.reply(toInteractionReply(renderUnsupported()));
          return;
        }
        await command.execute(interaction, ctx);
        return;
      }
      case InteractionType.ApplicationCommandAutocomplete: {
        const command = byName.get(interaction.commandName);
        await (command?.autocomplete ? command.autocomplete(interaction, ctx) : interaction.respond([]));
        return;
      }
      case InteractionType.MessageComponent:
        if (interaction.isButton()) await handleButton(interaction, ctx);
        else await interaction.reply(toInteractionReply(renderUnsupported()));
        return;
      case InteractionType.ModalSubmit:
        await handleModal(interaction, ctx);
        return;
      // No Ping case: Discord sends pings over HTTP only, and discord.js has no Ping interaction.
      default: {
        const unknown: never = interaction;
        logger.warn("discord: interaction of an unknown type", { interaction: (unknown as BaseInteraction).id });
      }
    }
  }

  async function onInteraction(interaction: Interaction): Promise<void> {
    try {
      await dispatchInteraction(interaction);
    } catch (error) {
      const expected = expectedFailure(error);
      if (expected) {
        const log = ctx.expired.hit();
        if (log.log)
          logger.warn(`discord: interaction reply not sent: ${expected}`, {
            ...describeInteraction(interaction),
            ...(log.suppressed ? { "more since the last such line": log.suppressed } : {}),
          });
        return;
      }
      logger.error("discord: interaction failed", { ...describeInteraction(interaction), error });
      try {
        await reportInteractionError(interaction);
      } catch (replyError) {
        logger.warn("discord: could not tell the user about the failure", { interaction: interaction.id, error: replyError });
      }
    }
  }

  async function onMessage(message: Message): Promise<void> {
    // Bots (this one included), webhooks and system messages are never questions; answering them can loop.
    if (message.author.bot || message.webhookId || message.system) return;
    const botUser = client.user;
    if (!botUser) return;
    try {
      let raw = message.content;
      // Without the Message Content intent every server message arrives; only mentions hold any text.
      if (message.inGuild() && !raw.includes("<@")) return;
      if (message.inGuild()) {
        const botRoleId = message.guild.roles.botRoleFor(botUser)?.id;
        if (!mentionsBot(message.content, botUser.id, botRoleId)) return;
        raw = stripBotMention(message.content, botUser.id, botRoleId);
      }
      const continues = !message.inGuild() || message.channel.isThread();
      await withinReplyBudget(message, async () => {
        const outcome = await answerQuestion(ctx, {
          raw,
          userId: message.author.id,
          conversationKey: continues ? ConversationMemory.key(message.channelId, message.author.id) : undefined,
          ephemeral: false,
          via: "message",
          surface: message.inGuild() ? "mention" : "dm",
          guildId: message.guildId ?? undefined,
        });
        if (outcome.reply) await message.reply(toMessageReply(outcome.reply, message.id));
      });
    } catch (error) {
      logger.error("discord: message failed", {
        message: message.id,
        user: message.author.id,
        guild: message.guildId ?? "dm",
        channel: message.channelId,
        error,
      });
      try {
        await message.reply(toMessageReply(renderError(), message.id));
      } catch (replyError) {
        logger.warn("discord: could not tell the user about the failure", {
          message: message.id,
          error: replyError instanceof Error ? replyError.message : String(replyError),
        });
      }
    }
  }

  /** Runs `reply` if the bound on replies in flight allows (MAX_PENDING_REPLIES); otherwise the message goes unanswered, on purpose. */
  async function withinReplyBudget(message: Message, reply: () => Promise<void>): Promise<void> {
    const entry = ctx.replies.tryEnter();
    if (!entry.admitted) {
      if (entry.episodeStarts)
        logger.warn(`discord: over ${ctx.replies.max} DM and mention replies in flight; leaving new ones unanswered until the queue drains`);
      logger.debug("discord: message left unanswered (too many replies in flight)", { message: message.id, user: message.author.id });
      return;
    }
    try {
      await reply();
    } finally {
      const shed = ctx.replies.leave();
      if (shed !== undefined) logger.warn(`discord: reply queue drained; ${shed} DM and mention message${shed === 1 ? " was" : "s were"} left unanswered`);
    }
  }

  return { onInteraction, onMessage };
}

/** The REST callback for an interaction the guard keeps from discord.js, or none. */
function guardResponse(verdict: Exclude<Verdict, { deliver: true }>): RESTPostAPIInteractionCallbackJSONBody | undefined {
  if (verdict.answer === "none") return undefined;
  if (verdict.answer === "choices") return { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: [] } };
  const reply = verdict.answer === "stale" ? renderStaleButton() : renderUnsupported();
  return {
    type: InteractionResponseType.ChannelMessageWithSource,
    data: { embeds: reply.embeds, components: [], flags: MessageFlags.Ephemeral, allowed_mentions: { parse: [] } },
  };
}

/**
 * Vets each INTERACTION_CREATE before discord.js reads it (guard.ts): the `raw` event gets the very packet
 * object that discord.js goes on to handle by its `t` and `d`. One that discord.js must not see is answered
 * over REST and its packet renamed; one it may see has its `d` replaced by the vetted copy. And if
 * discord.js still fails to emit an interaction it was given, that one is answered here too.
 */
function installInteractionGuard(client: Client, logger: Logger, expected: Set<string>): void {
  const answer = (id: string, token: string, verdict: Exclude<Verdict, { deliver: true }>) => {
    const body = guardResponse(verdict);
    logger.warn(`discord: interaction not handed to discord.js: ${verdict.reason}`, { interaction: id, answer: verdict.answer });
    if (!body) return;
    client.rest.post(Routes.interactionCallback(id, token), { body, auth: false }).catch((error: unknown) => {
      logger.warn("discord: could not answer a malformed interaction", { interaction: id, error: error instanceof Error ? error.message : String(error) });
    });
  };
  client.on(Events.Raw, (packet: { t?: string; d?: unknown }) => {
    if (packet.t !== GatewayDispatchEvents.InteractionCreate) return;
    const verdict = vetInteraction(packet.d);
    const d = packet.d as { id: string; token: string };
    if (!verdict.deliver) {
      packet.t = "INTERACTION_CREATE_ANSWERED_BY_GUARD";
      answer(d.id, d.token, verdict);
      return;
    }
    packet.d = verdict.payload;
    // Before the client is ready discord.js queues packets, so only a ready client is expected to emit at once.
    if (!client.isReady()) return;
    expected.add(d.id);
    setImmediate(() => {
      if (expected.delete(d.id))
        answer(d.id, d.token, { deliver: false, reason: "discord.js did not emit it (a payload it could not build)", answer: "unsupported" });
    });
  });
}

async function logLiveCommands(client: Client<true>, config: Config, logger: Logger): Promise<void> {
  const guilds = client.guilds.cache.map((guild) => `${guild.name} (${guild.id})`);
  logger.info(`discord: logged in as ${client.user.tag}`, {
    user: client.user.id,
    application: client.application.id,
    guilds: guilds.length ? guilds.join(", ") : "none yet; invite the bot to a server",
  });
  try {
    const global = await client.application.commands.fetch();
    const names = (list: Iterable<{ name: string }>) => [...list].map((command) => `/${command.name}`).join(" ") || "none";
    logger.info("discord: global commands live", { commands: names(global.values()) });
    let registered = global.some((command) => command.name === "ask");
    if (config.discordGuildId) {
      const local = await client.application.commands.fetch({ guildId: config.discordGuildId });
      logger.info("discord: guild commands live", { guild: config.discordGuildId, commands: names(local.values()) });
      registered ||= local.some((command) => command.name === "ask");
    }
    if (!registered) logger.warn("discord: /ask is not registered yet; run `npm run deploy-commands` (mentions and DMs work meanwhile)");
  } catch (error) {
    logger.warn("discord: could not list the registered commands", { error });
  }
}

/** Status names as words: Status.WaitingForGuilds is "waiting for guilds". */
const STATUS_WORDS = new Map<unknown, string>(
  Object.entries(Status)
    .filter(([, value]) => typeof value === "number")
    .map(([name, value]) => [value, name.replace(/(?<=[a-z])(?=[A-Z])/g, " ").toLowerCase()]),
);

function gatewayState(client: Client): string {
  if (!client.isReady()) return "connecting";
  for (const shard of client.ws.shards.values()) {
    if (shard.status !== Status.Ready) return `shard ${shard.id} ${STATUS_WORDS.get(shard.status) ?? String(shard.status)}`;
  }
  return "ready";
}

export interface StartOptions {
  config: Config;
  engine: AnswerService;
  logger: Logger;
  /**
   * Shards for this process. Left unset, discord.js takes them from a ShardingManager's environment, or
   * runs shard 0 of 1; `{ shards: "auto" }` runs Discord's recommended count in this one process.
   */
  sharding?: Pick<ClientOptions, "shards" | "shardCount">;
  /** See DEFER_AFTER_MS (respond.ts); tests make it short. */
  deferAfterMs?: number;
  /** See MAX_PENDING_REPLIES (respond.ts); tests make it small. */
  maxPendingReplies?: number;
  /** The feedback database: questions logged (unless QUESTION_LOG is off), vote buttons, /gaps and /teach. */
  feedback?: Feedback | undefined;
}

export async function startDiscordBot(options: StartOptions): Promise<DiscordBot> {
  const { config, engine, logger } = options;
  if (!config.discordToken) throw new Error("startDiscordBot: DISCORD_TOKEN is not set");

  const client = new Client({
    intents: INTENTS,
    partials: PARTIALS,
    // Belt and braces: every send passes its own allowedMentions too.
    allowedMentions: ALLOWED_MENTIONS,
    makeCache: cacheSettings(),
    rest: { api: config.discordApiUrl },
    ...options.sharding,
  });
  const ctx = createBotContext({
    engine,
    config,
    logger,
    botName: () => client.user?.username ?? "me",
    ...(options.deferAfterMs !== undefined ? { deferAfterMs: options.deferAfterMs } : {}),
    ...(options.maxPendingReplies !== undefined ? { maxPendingReplies: options.maxPendingReplies } : {}),
    feedback: options.feedback,
    logQuestions: config.questionLog,
  });
  const commands = buildCommands(config);
  const handlers = createHandlers(client, ctx, commands);

  const expected = new Set<string>();
  installInteractionGuard(client, logger, expected);
  client.on(Events.InteractionCreate, (interaction) => {
    expected.delete(interaction.id);
    void handlers.onInteraction(interaction);
  });
  client.on(Events.MessageCreate, (message) => void handlers.onMessage(message));
  // Without an `error` listener an EventEmitter error would crash the process.
  client.on(Events.Error, (error) => logger.error("discord: client error", { error }));
  client.on(Events.ShardError, (error, shardId) => logger.warn("discord: gateway connection error", { shard: shardId, error }));
  let stopping = false;
  // Closing the connection on stop() also reports as "reconnecting"; only a real reconnect is news.
  client.on(Events.ShardReconnecting, (shardId) => stopping || logger.info("discord: gateway reconnecting", { shard: shardId }));
  client.on(Events.ShardResume, (shardId, replayed) => logger.info("discord: gateway resumed", { shard: shardId, replayed }));
  client.on(Events.Warn, (message) => logger.warn(`discord: ${message}`));
  client.on(Events.GuildCreate, (guild) => logger.info("discord: added to a server", { guild: `${guild.name} (${guild.id})` }));

  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
  try {
    await client.login(config.discordToken);
  } catch (error) {
    // The client may have opened connections before it failed; they must not keep the process alive.
    await client.destroy().catch(() => undefined);
    throw loginFailure(error, config.discordApiUrl);
  }
  await logLiveCommands(await ready, config, logger);

  let stopped: Promise<void> | undefined;
  return {
    client,
    gatewayState: () => gatewayState(client),
    stop() {
      stopped ??= (async () => {
        stopping = true;
        logger.info("discord: shutting down");
        client.removeAllListeners(Events.InteractionCreate);
        client.removeAllListeners(Events.MessageCreate);
        await client.destroy();
      })();
      return stopped;
    },
  };
}

/**
 * For `main.ts`: logs unhandled rejections instead of dying on them, and stops the bot then exits 0 on
 * SIGINT/SIGTERM. Returns a function that removes the handlers again.
 */
export function installProcessHandlers(bot: Pick<DiscordBot, "stop">, logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  const onRejection = (reason: unknown) => logger.error("unhandled promise rejection", { error: reason });
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info(`received ${signal}, stopping`);
    bot.stop().then(
      () => exit(0),
      (error: unknown) => {
        logger.error("error while stopping", { error });
        exit(1);
      },
    );
  };
  // main.ts may already log rejections for the whole process; one log line per rejection is enough.
  const logRejections = process.listenerCount("unhandledRejection") === 0;
  if (logRejections) process.on("unhandledRejection", onRejection);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("unhandledRejection", onRejection);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
