/**
 * The people, guilds and channels of the loopback Discord server (discord-server.ts), as Discord's JSON
 * shows them: users, members, channels, a GUILD_CREATE payload. Ids are real-looking snowflakes, since
 * discord.js derives timestamps and shards from them.
 */
import { randomBytes } from "node:crypto";
import {
  ChannelType,
  GuildDefaultMessageNotifications,
  InteractionContextType,
  MessageType,
  type InteractionType,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildVerificationLevel,
  PermissionFlagsBits,
} from "discord-api-types/v10";

export type Json = Record<string, unknown>;

const DISCORD_EPOCH = 1420070400000n;
let increment = 0n;
/** A real-looking snowflake (discord.js derives timestamps from them). */
export function snowflake(): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

export interface FakeUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: null;
  bot?: boolean;
}

export interface FakeChannel extends Json {
  id: string;
  type: ChannelType;
  guild_id?: string;
  name?: string;
}

export interface FakeGuild {
  id: string;
  name: string;
  ownerId: string;
  channels: FakeChannel[];
  threads: FakeChannel[];
  botRoleId: string;
}

/** What @everyone may do in the fake guilds: read, write, embed, use commands; no moderation, no Administrator. */
export const EVERYONE_PERMISSIONS = [
  PermissionFlagsBits.ViewChannel,
  PermissionFlagsBits.SendMessages,
  PermissionFlagsBits.SendMessagesInThreads,
  PermissionFlagsBits.EmbedLinks,
  PermissionFlagsBits.ReadMessageHistory,
  PermissionFlagsBits.UseApplicationCommands,
  PermissionFlagsBits.AddReactions,
].reduce((all, bit) => all | bit, 0n);
/** A guild owner has every permission, as Discord computes it for interactions. */
export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

export function makeUser(id: string, username: string, bot = false): FakeUser {
  return { id, username, global_name: bot ? null : username, discriminator: "0", avatar: null, ...(bot ? { bot: true } : {}) };
}

/** Guild `index` lands on shard index % count, since shard = (id >> 22) % count and the timestamp part is even + index. */
export function makeGuild(index: number, ownerId: string): FakeGuild {
  const base = (262_000_000_000n + BigInt(index)) << 22n;
  const id = base.toString();
  const channelId = (base + 11n).toString();
  const general: FakeChannel = {
    id: channelId,
    type: ChannelType.GuildText,
    guild_id: id,
    name: "general",
    position: 0,
    parent_id: null,
    permission_overwrites: [],
    nsfw: false,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
  };
  const thread: FakeChannel = {
    id: (base + 12n).toString(),
    type: ChannelType.PublicThread,
    guild_id: id,
    name: "questions",
    parent_id: channelId,
    owner_id: ownerId,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
    message_count: 0,
    member_count: 1,
    total_message_sent: 0,
    thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
  };
  return { id, name: `Test Guild ${index + 1}`, ownerId, channels: [general], threads: [thread], botRoleId: (base + 13n).toString() };
}

export function member(person: FakeUser, withUser = true): Json {
  return {
    ...(withUser ? { user: person } : {}),
    roles: [],
    nick: null,
    avatar: null,
    banner: null,
    premium_since: null,
    joined_at: "2024-01-01T00:00:00.000Z",
    deaf: false,
    mute: false,
    pending: false,
    flags: 0,
    communication_disabled_until: null,
    unusual_dm_activity_until: null,
  };
}

export function guildCreate(guild: FakeGuild, botUser: FakeUser): Json {
  const everyone = {
    id: guild.id,
    name: "@everyone",
    permissions: EVERYONE_PERMISSIONS.toString(),
    position: 0,
    color: 0,
    hoist: false,
    managed: false,
    mentionable: false,
    flags: 0,
    icon: null,
    unicode_emoji: null,
  };
  const botRole = {
    ...everyone,
    id: guild.botRoleId,
    name: botUser.username,
    position: 1,
    permissions: PermissionFlagsBits.SendMessages.toString(),
    managed: true,
    tags: { bot_id: botUser.id },
  };
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: GuildVerificationLevel.None,
    default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
    explicit_content_filter: GuildExplicitContentFilter.Disabled,
    roles: [everyone, botRole],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: GuildMFALevel.None,
    application_id: null,
    system_channel_id: guild.channels[0]?.id ?? null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: GuildPremiumTier.None,
    premium_subscription_count: 0,
    preferred_locale: "en-US",
    public_updates_channel_id: null,
    nsfw_level: GuildNSFWLevel.Default,
    premium_progress_bar_enabled: false,
    joined_at: "2024-01-01T00:00:00.000Z",
    large: false,
    unavailable: false,
    member_count: 3,
    voice_states: [],
    members: [{ ...member(botUser), roles: [guild.botRoleId] }],
    channels: guild.channels.map(({ guild_id: _omit, ...channel }) => channel),
    threads: guild.threads,
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

/** An INTERACTION_CREATE payload: `person` acting in `channel` (in a guild with `permissions`). */
export function interactionPayload(init: {
  type: InteractionType;
  data: Json | undefined;
  person: FakeUser;
  channel: FakeChannel;
  applicationId: string;
  permissions: bigint;
  message?: Json;
}): Json {
  const { channel, person } = init;
  const id = snowflake();
  const token = Buffer.from(`interaction:${id}:${randomBytes(24).toString("hex")}`).toString("base64url");
  const guildId = channel.guild_id;
  const permissions = init.permissions.toString();
  return {
    id,
    application_id: init.applicationId,
    type: init.type,
    ...(init.data ? { data: init.data } : {}),
    token,
    version: 1,
    app_permissions: EVERYONE_PERMISSIONS.toString(),
    locale: "en-US",
    entitlements: [],
    authorizing_integration_owners: { "0": guildId ?? "0" },
    context: guildId ? InteractionContextType.Guild : InteractionContextType.BotDM,
    attachment_size_limit: 10_485_760,
    channel: { ...channel, ...(guildId ? { permissions } : {}) },
    channel_id: channel.id,
    ...(guildId
      ? { guild_id: guildId, guild: { id: guildId, locale: "en-US", features: [] }, guild_locale: "en-US", member: { ...member(person), permissions } }
      : { user: person }),
    ...(init.message ? { message: structuredClone(init.message) } : {}),
  };
}

/** A MESSAGE_CREATE payload for a message `author` wrote; mentions of `known` people are derived from `<@id>` in it. */
export function userMessage(init: { author: FakeUser; channel: FakeChannel; content: string; known: FakeUser[]; guild?: FakeGuild }): Json {
  const { author, channel, content, guild } = init;
  const guildId = channel.guild_id;
  const mentioned = init.known.filter((person) => new RegExp(`<@!?${person.id}>`).test(content));
  return {
    id: snowflake(),
    channel_id: channel.id,
    ...(guildId ? { guild_id: guildId, member: member(author, false) } : {}),
    author,
    content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: /@(everyone|here)/.test(content),
    mentions: mentioned.map((person) => (guildId ? { ...person, member: member(person, false) } : person)),
    mention_roles: guild && content.includes(`<@&${guild.botRoleId}>`) ? [guild.botRoleId] : [],
    attachments: [],
    embeds: [],
    components: [],
    pinned: false,
    type: MessageType.Default,
    flags: 0,
    nonce: snowflake(),
    channel_type: channel.type,
  };
}

/** A message the bot made through `body` (a REST message body), as Discord stores it. */
export function botMessage(botUser: FakeUser, channelId: string, guildId: string | undefined, body: Json, extra: Json): Json {
  return {
    id: snowflake(),
    channel_id: channelId,
    ...(guildId ? { guild_id: guildId } : {}),
    author: botUser,
    content: typeof body.content === "string" ? body.content : "",
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: Array.isArray(body.embeds) ? body.embeds : [],
    components: Array.isArray(body.components) ? body.components : [],
    pinned: false,
    type: MessageType.Default,
    flags: typeof body.flags === "number" ? body.flags : 0,
    ...(body.nonce !== undefined ? { nonce: body.nonce } : {}),
    ...extra,
  };
}
