/**
 * What an interaction callback does on the loopback Discord server (discord-server.ts): which response
 * types each interaction type takes, what each makes (a message, a "thinking…" message, an edit), and the
 * checks on what it carries.
 */
import { InteractionResponseType, InteractionType, MessageFlags, MessageType } from "discord-api-types/v10";
import { choiceProblems, messageProblems, modalProblems, type MessageCheckOptions } from "./discord-limits-check.ts";
import type { FakeChannel, FakeUser, Json } from "./discord-world.ts";
import type { RecordedRequest } from "./discord-server.ts";

export interface InteractionRecord {
  id: string;
  token: string;
  payload: Json;
  /** performance.now() when INTERACTION_CREATE was sent, and when it reached an open connection (now, or on a resume). */
  dispatchedAt: number;
  deliveredAt?: number;
  acknowledged: boolean;
  /** The callback request that acknowledged it. */
  response?: RecordedRequest;
  originalMessageId?: string;
  waiters: ((request: RecordedRequest) => void)[];
  /** Who acted and where, as the server knows it (a test may have broken the payload's own copy). */
  user: FakeUser;
  channel: FakeChannel;
}

export interface CallbackWorld {
  createMessage(channelId: string, body: Json, extra: Json): Json;
  messages: Map<string, Json>;
  applicationId: string;
  checks: MessageCheckOptions;
}

/** Applies callback `body` to `interaction`: what is wrong with it (then nothing happened), or the message it made. */
export function callbackEffect(world: CallbackWorld, interaction: InteractionRecord, body: Json): { problems: string[]; message?: Json } {
  const data = (body?.data ?? {}) as Json;
  const kind = interaction.payload.type as InteractionType;
  const channelId = interaction.channel.id;
  switch (body?.type) {
    case InteractionResponseType.ChannelMessageWithSource: {
      const problems = messageProblems(data, world.checks);
      if (problems.length) return { problems };
      const metadata = { id: interaction.id, type: kind, user: interaction.user, authorizing_integration_owners: { "0": interaction.channel.guild_id ?? "0" } };
      const message = world.createMessage(channelId, data, {
        type: MessageType.ChatInputCommand,
        webhook_id: world.applicationId,
        application_id: world.applicationId,
        interaction_metadata: metadata,
      });
      interaction.originalMessageId = message.id as string;
      return { problems, message };
    }
    case InteractionResponseType.DeferredChannelMessageWithSource: {
      // "thinking…"
      const message = world.createMessage(
        channelId,
        { content: "", flags: ((data.flags as number) ?? 0) | MessageFlags.Loading },
        { type: MessageType.ChatInputCommand },
      );
      interaction.originalMessageId = message.id as string;
      return { problems: [], message };
    }
    case InteractionResponseType.DeferredMessageUpdate:
      return { problems: kind === InteractionType.MessageComponent ? [] : ["DEFERRED_UPDATE_MESSAGE is only valid for component interactions"] };
    case InteractionResponseType.UpdateMessage: {
      const problems =
        kind === InteractionType.MessageComponent ? messageProblems(data, world.checks) : ["UPDATE_MESSAGE is only valid for component interactions"];
      const target = world.messages.get(String((interaction.payload.message as Json | undefined)?.id));
      if (!problems.length && target) Object.assign(target, data, { edited_timestamp: new Date().toISOString() });
      return { problems };
    }
    case InteractionResponseType.Modal: {
      const allowed = kind === InteractionType.MessageComponent || kind === InteractionType.ApplicationCommand;
      return { problems: allowed ? modalProblems(data) : ["MODAL is only valid for command and component interactions"] };
    }
    case InteractionResponseType.ApplicationCommandAutocompleteResult:
      return {
        problems: kind === InteractionType.ApplicationCommandAutocomplete ? choiceProblems(body) : ["autocomplete result for a non-autocomplete interaction"],
      };
    default:
      return { problems: [`unsupported callback type ${JSON.stringify(body?.type)}`] };
  }
}
