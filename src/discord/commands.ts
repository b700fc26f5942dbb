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
import { ALLOWED_MENTIONS, renderHelp, renderLoadReport, renderReloadFailed, renderReloadRefused, renderSources, type Reply } from "./format.ts";
import { answerQuestion, deferIfSlow, suggestChoices, withoutServerPaths, type BotContext } from "./respond.ts";
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
      });
      const { value: outcome, deferred } = await deferIfSlow(answering, ctx.deferAfterMs, () => acknowledge(interaction, () => interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {})));
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
      const { value: reply, deferred } = await deferIfSlow(listing, ctx.deferAfterMs, () => acknowledge(interaction, () => interaction.deferReply({ flags: MessageFlags.Ephemeral })));
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
      // Servers only, and shown only to administrators. Discord enforces neither everywhere (an old
      // registration, a permission override in Integrations), so execute checks both again.
      default_member_permissions: PermissionFlagsBits.Administrator.toString(),
      contexts: [InteractionContextType.Guild],
      integration_types: [ApplicationIntegrationType.GuildInstall],
    },
    async execute(interaction, ctx) {
      // memberPermissions is null when Discord (or a malformed payload) sends none; that is no permission.
      const permissions = interaction.inGuild() ? (interaction.memberPermissions as typeof interaction.memberPermissions | null) : null;
      if (!permissions?.has(PermissionFlagsBits.Administrator)) {
        ctx.logger.warn("discord: /reload refused: not an administrator in a server", { user: interaction.user.id, guild: interaction.guildId ?? "dm" });
        await interaction.reply(toInteractionReply(renderReloadRefused()));
        return;
      }
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

  return [ask, sources, help, reload];
}

/** The JSON bodies to register, in order. */
export function commandData(options: { maxQuestionLength: number }): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return buildCommands(options).map((command) => command.data);
}
