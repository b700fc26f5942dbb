/**
 * The slash commands, as data plus `execute`: the one definition that `deploy-commands` registers, the bot
 * dispatches on, and the tests compare against.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  DiscordAPIError,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type InteractionReplyOptions,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { reportForChat } from "../feedback/chat.ts";
import { buildGapsReport } from "../feedback/report.ts";
import { TAUGHT_PHRASE_MAX_LENGTH } from "../feedback/teach.ts";
import {
  ALLOWED_MENTIONS,
  renderAdminOnly,
  renderHelp,
  renderLoadReport,
  renderReloadFailed,
  renderSources,
  renderTeachRemoved,
  renderTaught,
  renderTeachProblem,
  type Reply,
} from "./format.ts";
import { LIMITS } from "./limits.ts";
import { codeSpan, escapeMarkdown } from "./markdown.ts";
import { answerQuestion, deferIfSlow, normaliseQuestion, passageChoices, suggestChoices, withoutServerPaths, type BotContext } from "./respond.ts";
import { ConversationMemory } from "./state.ts";

export interface SlashCommand {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
}

export function toInteractionReply(reply: Reply): InteractionReplyOptions {
  return { ...toEditReply(reply), ...(reply.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) };
}

/**
 * Acknowledges an interaction (`deferReply`, `deferUpdate`), counting 40060 "already acknowledged" as
 * done: it comes when the first attempt reached Discord but its response was lost and discord.js retried.
 * Without this the answer, which is edited in next, would be lost with it.
 */
export async function acknowledge(interaction: { deferred: boolean }, send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (!(error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged)) throw error;
    // What discord.js would have set had the first response arrived; editReply checks it.
    interaction.deferred = true;
  }
}

/** A reply's content for any send, with mentions off; also an edit of a deferred response (its flags were set when deferring). */
export function toEditReply(reply: Reply): Pick<Reply, "content" | "embeds" | "components"> & { allowedMentions: typeof ALLOWED_MENTIONS } {
  return {
    ...(reply.content !== undefined ? { content: reply.content } : {}),
    embeds: reply.embeds,
    components: reply.components,
    allowedMentions: ALLOWED_MENTIONS,
  };
}

/** Follow-ups continue a person's previous question only in DMs and threads; a busy channel has no "previous". */
function conversationKeyOf(interaction: ChatInputCommandInteraction): string | undefined {
  const channel = interaction.channel;
  const continues = channel ? channel.isDMBased() || channel.isThread() : !interaction.inGuild();
  return continues && interaction.channelId ? ConversationMemory.key(interaction.channelId, interaction.user.id) : undefined;
}

/**
 * Whether the person is an administrator of the server the command was used in. The admin commands are
 * registered for servers only and shown only to administrators, but Discord enforces neither everywhere (an
 * old registration, a permission override in Integrations), so each checks again.
 */
function isAdministrator(interaction: ChatInputCommandInteraction | AutocompleteInteraction): boolean {
  // memberPermissions is null when Discord (or a malformed payload) sends none; that is no permission.
  const permissions = interaction.inGuild() ? (interaction.memberPermissions as typeof interaction.memberPermissions | null) : null;
  return permissions?.has(PermissionFlagsBits.Administrator) === true;
}

/** Refuses a non-administrator (privately, with a log line); true when refused. */
async function refusedUnlessAdministrator(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<boolean> {
  if (isAdministrator(interaction)) return false;
  ctx.logger.warn(`discord: /${interaction.commandName} refused: not an administrator in a server`, {
    user: interaction.user.id,
    guild: interaction.guildId ?? "dm",
  });
  await interaction.reply(toInteractionReply(renderAdminOnly(interaction.commandName)));
  return true;
}

const ADMINISTRATORS = {
  default_member_permissions: PermissionFlagsBits.Administrator.toString(),
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
};

/** Messages of the gaps report sent at most; the rest is for `npm run gaps`. */
const GAPS_MESSAGES = 5;
const GAPS_CHART = "outcomes-per-day.png";

// Guild installs only, usable in servers and in the bot's DMs.
const EVERYWHERE = { contexts: [InteractionContextType.Guild, InteractionContextType.BotDM], integration_types: [ApplicationIntegrationType.GuildInstall] };

export function buildCommands(options: { maxQuestionLength: number }): SlashCommand[] {
  const ask: SlashCommand = {
    data: {
      name: "ask",
      description: "Ask a question; I answer from the knowledge base and cite my sources.",
      type: ApplicationCommandType.ChatInput,
      ...EVERYWHERE,
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: "question",
          description: "What do you want to know?",
          required: true,
          // config.ts keeps it within Discord's own ceiling for string options, 6000.
          max_length: options.maxQuestionLength,
          autocomplete: true,
        },
        {
          type: ApplicationCommandOptionType.Boolean,
          name: "private",
          description: "Only you see the answer (default: everyone in the channel does).",
          required: false,
        },
      ],
    },
    async execute(interaction, ctx) {
      const ephemeral = interaction.options.getBoolean("private") ?? false;
      const answering = answerQuestion(ctx, {
        raw: interaction.options.getString("question", true),
        userId: interaction.user.id,
        conversationKey: conversationKeyOf(interaction),
        ephemeral,
        via: "interaction",
        surface: "slash",
        guildId: interaction.guildId ?? undefined,
      });
      const { value: outcome, deferred } = await deferIfSlow(answering, ctx.deferAfterMs, () =>
        acknowledge(interaction, () => interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {})),
      );
      if (!deferred) {
        // Interactions must be acknowledged; a silent outcome still gets its (private) reply here.
        if (outcome.reply) await interaction.reply(toInteractionReply(outcome.reply));
        return;
      }
      if (!outcome.reply) {
        await interaction.deleteReply();
      } else if (Boolean(outcome.reply.ephemeral) === ephemeral) {
        await interaction.editReply(toEditReply(outcome.reply));
      } else {
        // Deferred in public but the reply is private (nothing found, help): say it privately, drop the "thinking…".
        await interaction.followUp(toInteractionReply(outcome.reply));
        await interaction.deleteReply();
      }
    },
    async autocomplete(interaction, ctx) {
      const focused = interaction.options.getFocused(true);
      const choices = focused.name === "question" ? await suggestChoices(ctx, String(focused.value), interaction.user.id) : [];
      await interaction.respond(choices);
    },
  };

  const sources: SlashCommand = {
    data: { name: "sources", description: "List the documents I answer from.", type: ApplicationCommandType.ChatInput, ...EVERYWHERE },
    async execute(interaction, ctx) {
      const listing = (async () => renderSources(await ctx.engine.sources(), ctx.engine.lastLoad))();
      const { value: reply, deferred } = await deferIfSlow(listing, ctx.deferAfterMs, () =>
        acknowledge(interaction, () => interaction.deferReply({ flags: MessageFlags.Ephemeral })),
      );
      await (deferred ? interaction.editReply(toEditReply(reply)) : interaction.reply(toInteractionReply(reply)));
    },
  };

  const help: SlashCommand = {
    data: { name: "help", description: "How to ask me questions.", type: ApplicationCommandType.ChatInput, ...EVERYWHERE },
    async execute(interaction, ctx) {
      await interaction.reply(toInteractionReply(renderHelp(ctx.botName())));
    },
  };

  const reload: SlashCommand = {
    data: {
      name: "reload",
      description: "Reload the knowledge base from its folder (administrators).",
      type: ApplicationCommandType.ChatInput,
      ...ADMINISTRATORS,
    },
    async execute(interaction, ctx) {
      if (await refusedUnlessAdministrator(interaction, ctx)) return;
      // A big folder can take longer than the 3 seconds Discord gives the first response.
      await acknowledge(interaction, () => interaction.deferReply({ flags: MessageFlags.Ephemeral }));
      const hide = (text: string) => withoutServerPaths(text, ctx.engine.dir);
      let reply: Reply;
      try {
        const report = await ctx.engine.reload();
        ctx.logger.info("discord: knowledge reloaded by command", { user: interaction.user.id, documents: report.documents, passages: report.passages });
        reply = renderLoadReport({ ...report, errors: report.errors.map((issue) => ({ path: issue.path, reason: hide(issue.reason) })) });
      } catch (error) {
        ctx.logger.warn("discord: reload failed", { user: interaction.user.id, error: error instanceof Error ? error.message : String(error) });
        reply = renderReloadFailed(hide(error instanceof Error ? error.message : String(error)));
      }
      await interaction.editReply(toEditReply(reply));
    },
  };

  const gaps: SlashCommand = {
    data: {
      name: "gaps",
      description: "What people asked that I could not answer, and how to close the gaps (administrators).",
      type: ApplicationCommandType.ChatInput,
      ...ADMINISTRATORS,
      options: [
        {
          type: ApplicationCommandOptionType.Integer,
          name: "days",
          description: "The last N days, today included (default 7).",
          required: false,
          min_value: 1,
          max_value: 3650,
        },
      ],
    },
    async execute(interaction, ctx) {
      if (await refusedUnlessAdministrator(interaction, ctx)) return;
      const feedback = ctx.feedback;
      if (!feedback)
        return void (await interaction.reply(
          toInteractionReply(renderTeachProblem("This bot runs without its feedback database, so there is no question log to report on.")),
        ));
      // Reading the log, asking the engine for each gap's closest passage and drawing the chart can take longer than 3 s.
      await acknowledge(interaction, () => interaction.deferReply({ flags: MessageFlags.Ephemeral }));
      const days = interaction.options.getInteger("days") ?? 7;
      const report = await buildGapsReport(feedback.store, ctx.engine, { days, now: Date.now() });
      if (!report)
        return void (await interaction.editReply(toEditReply(renderTeachProblem("I can't read the question log right now; the reason is in the bot's log."))));
      const { chunks, chart } = await reportForChat(report, {
        maxLength: LIMITS.content,
        escape: escapeMarkdown,
        teachHint: (question, key) => `\`/teach\` question: ${escapeMarkdown(question)} passage: ${codeSpan(key)}`,
      });
      const off = ctx.logQuestions ? [] : ["QUESTION_LOG is off, so no new questions are being logged."];
      const messages = [
        ...chunks.slice(0, GAPS_MESSAGES),
        ...(chunks.length > GAPS_MESSAGES
          ? [`…and ${chunks.length - GAPS_MESSAGES} more messages: run \`npm run gaps -- --days ${days}\` on the server for the whole report.`]
          : []),
        ...off,
      ];
      const [first = "Nothing to report.", ...rest] = messages;
      ctx.logger.info("discord: gaps report by command", { user: interaction.user.id, days, gaps: report.gaps.length });
      await interaction.editReply({ content: first, files: [{ attachment: chart, name: GAPS_CHART }], allowedMentions: ALLOWED_MENTIONS });
      for (const content of rest) await interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: ALLOWED_MENTIONS });
    },
  };

  const teach: SlashCommand = {
    data: {
      name: "teach",
      description: "Teach me that a question should find a passage, or undo that (administrators).",
      type: ApplicationCommandType.ChatInput,
      ...ADMINISTRATORS,
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: "question",
          description: "The question, as people ask it.",
          required: true,
          max_length: TAUGHT_PHRASE_MAX_LENGTH,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: "passage",
          description: "The passage it should find: type words of it and pick one.",
          required: true,
          max_length: LIMITS.choiceValue,
          autocomplete: true,
        },
        { type: ApplicationCommandOptionType.Boolean, name: "remove", description: "Undo this teaching instead (default: teach it).", required: false },
      ],
    },
    async execute(interaction, ctx) {
      if (await refusedUnlessAdministrator(interaction, ctx)) return;
      const feedback = ctx.feedback;
      if (!feedback)
        return void (await interaction.reply(
          toInteractionReply(renderTeachProblem("This bot runs without its feedback database, so it cannot keep what it is taught.")),
        ));
      const question = interaction.options.getString("question", true);
      const key = interaction.options.getString("passage", true);
      const remove = interaction.options.getBoolean("remove") ?? false;
      // Teaching rebuilds the index, which a big folder takes longer than 3 s to do.
      await acknowledge(interaction, () => interaction.deferReply({ flags: MessageFlags.Ephemeral }));
      const reply = await (remove ? untaught(ctx, question, key) : taught(ctx, question, key));
      await interaction.editReply(toEditReply(reply));
    },
    async autocomplete(interaction, ctx) {
      const focused = interaction.options.getFocused(true);
      if (focused.name !== "passage" || !isAdministrator(interaction)) return void (await interaction.respond([]));
      await interaction.respond(await passageChoices(ctx, String(focused.value), interaction.options.getString("question") ?? "", interaction.user.id));
    },
  };

  return [ask, sources, help, reload, gaps, teach];
}

/** Rebuilds with the teach records as they are now; a failure is said, since the teaching then waits for the next reload. */
async function reloadForTeaching(ctx: BotContext): Promise<string | undefined> {
  try {
    await ctx.engine.reload();
    return undefined;
  } catch (error) {
    const reason = withoutServerPaths(error instanceof Error ? error.message : String(error), ctx.engine.dir);
    ctx.logger.warn("discord: reload after teaching failed", { error: reason });
    return reason;
  }
}

async function taught(ctx: BotContext, question: string, key: string): Promise<Reply> {
  const teach = (ctx.feedback as NonNullable<BotContext["feedback"]>).teach;
  const passage = await ctx.engine.passage(key);
  if (!passage)
    return renderTeachProblem(
      `Expected a passage picked from the list, got ${codeSpan(key)}, which is no passage of the knowledge base (it may have changed since).`,
    );
  const result = teach.teach(question, { path: passage.source.path, section: passage.source.section, passageKey: key });
  if (!result.ok) {
    if (result.reason === "unavailable")
      return renderTeachProblem("I can't store that right now: the feedback database is not available (the reason is in the bot's log).");
    return renderTeachProblem(
      result.reason === "empty"
        ? "Expected a question to teach, got an empty one."
        : `Expected a question of at most ${TAUGHT_PHRASE_MAX_LENGTH} characters, got ${[...question.trim()].length}.`,
    );
  }
  ctx.logger.info("discord: taught by command", { record: result.id, passage: key });
  const failed = await reloadForTeaching(ctx);
  const now = failed === undefined ? await ctx.engine.ask(normaliseQuestion(question), { top: 5 }) : undefined;
  const rank = now ? now.results.findIndex((r) => r.key === key) + 1 : 0;
  return renderTaught({ id: result.id, question, source: passage.source, rank, ...(failed !== undefined ? { reloadFailed: failed } : {}) });
}

async function untaught(ctx: BotContext, question: string, key: string): Promise<Reply> {
  const teach = (ctx.feedback as NonNullable<BotContext["feedback"]>).teach;
  const records = teach.list();
  if (!records) return renderTeachProblem("I can't read the teach records right now: the feedback database is not available (the reason is in the bot's log).");
  const phrase = question.replace(/\s+/g, " ").trim().toLowerCase();
  const matching = records.filter((r) => r.passageKey === key && r.question.toLowerCase() === phrase);
  if (!matching.length)
    return renderTeachProblem(
      `Expected a question taught for that passage, got ${escapeMarkdown(JSON.stringify(question.trim()))}: there is no such teach record.`,
    );
  const removed = matching.filter((r) => teach.remove(r.id)).map((r) => r.id);
  ctx.logger.info("discord: teaching undone by command", { records: removed.join(","), passage: key });
  return renderTeachRemoved(removed, await reloadForTeaching(ctx));
}

/** The JSON bodies to register, in order. */
export function commandData(options: { maxQuestionLength: number }): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return buildCommands(options).map((command) => command.data);
}
