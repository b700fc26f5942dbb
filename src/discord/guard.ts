/**
 * Every interaction is vetted as it arrives, before discord.js reads it. discord.js builds an object per
 * interaction and trusts the payload: a button without its message throws inside its gateway handler (an
 * unhandled rejection, and the interaction is never answered), and a kind it does not know is dropped
 * without a word (Discord then shows "The application did not respond"). Here every interaction type and
 * component type is decided on, exhaustively: the kinds the bot serves (slash commands, autocomplete,
 * buttons, its feedback modal) go on to discord.js when whole; anything else is answered directly over REST and
 * kept from discord.js. And what goes on is a copy of only the fields the bot and discord.js read, each of
 * the type Discord documents, so that no odd value deep in a payload (a null entitlement, a message flag
 * that is an object) can throw inside discord.js: checking every field discord.js might read would be
 * an endless copy of discord.js.
 */
import { ApplicationCommandType, ComponentType, InteractionType } from "discord.js";

/** What to do with an interaction: hand it to discord.js, or answer it here (and how) and keep it from discord.js. */
export type Verdict =
  /** `payload`: the copy to hand to discord.js instead of what arrived. */
  | { deliver: true; payload: Json }
  | {
      deliver: false;
      /** For the log: what was wrong with it. */
      reason: string;
      /**
       * `stale`: a button we cannot read ("ask again"); `unsupported`: a kind the bot never asks for;
       * `choices`: an empty autocomplete list; `none`: nothing can be sent (no id or token, or a ping).
       */
      answer: "stale" | "unsupported" | "choices" | "none";
    };

export type Json = Record<string, unknown>;

const SNOWFLAKE = /^\d{1,20}$/;
const PERMISSION_BITS = /^\d{1,40}$/;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const isId = (value: unknown) => typeof value === "string" && SNOWFLAKE.test(value);
const isList = (value: unknown) => Array.isArray(value);

const refuse = (reason: string, answer: Exclude<Verdict, { deliver: true }>["answer"]): Verdict => ({ deliver: false, reason, answer });

/** An enum value no case handled: the compiler checks that every known value has its case. */
function unknownKind(what: string, value: never): string {
  return `${what} ${JSON.stringify(value)}, unknown to this bot`;
}

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const whole = (value: unknown): number | undefined => (typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined);
const bits = (value: unknown): string | undefined => (typeof value === "string" && PERMISSION_BITS.test(value) ? value : undefined);
const ids = (value: unknown): string[] => (isList(value) ? ((value as unknown[]).filter(isId) as string[]) : []);
/** `{ key: value }` when `value` is defined, else nothing: for spreading optional fields into a copy. */
const field = (key: string, value: unknown): Json => (value === undefined ? {} : { [key]: value });

function cleanUser(user: unknown): Json | undefined {
  if (!isObject(user) || !isId(user.id)) return undefined;
  return {
    id: user.id,
    username: text(user.username) ?? "",
    global_name: text(user.global_name) ?? null,
    discriminator: text(user.discriminator) ?? "0",
    avatar: text(user.avatar) ?? null,
    ...(user.bot === true ? { bot: true } : {}),
  };
}

function cleanMember(member: Json, user: Json): Json {
  return {
    user,
    roles: ids(member.roles),
    nick: text(member.nick) ?? null,
    joined_at: text(member.joined_at) ?? null,
    deaf: false,
    mute: false,
    flags: whole(member.flags) ?? 0,
    ...field("permissions", bits(member.permissions)),
  };
}

function cleanChannel(channel: unknown): Json | undefined {
  if (!isObject(channel) || !isId(channel.id) || whole(channel.type) === undefined) return undefined;
  return {
    id: channel.id,
    type: channel.type,
    ...field("guild_id", isId(channel.guild_id) ? channel.guild_id : undefined),
    ...field("parent_id", isId(channel.parent_id) ? channel.parent_id : undefined),
    ...field("name", text(channel.name)),
    ...field("permissions", bits(channel.permissions)),
  };
}

/** Command options: name, type, and a value of a plain type; sub-options likewise. */
function cleanOptions(options: unknown): Json[] | undefined {
  if (options === undefined) return undefined;
  if (!isList(options)) return undefined;
  const out: Json[] = [];
  for (const option of options as unknown[]) {
    if (!isObject(option) || typeof option.name !== "string" || whole(option.type) === undefined) return undefined;
    const value = option.value;
    if (value !== undefined && !["string", "number", "boolean"].includes(typeof value)) return undefined;
    const nested = option.options === undefined ? undefined : cleanOptions(option.options);
    if (option.options !== undefined && !nested) return undefined;
    out.push({
      name: option.name,
      type: option.type,
      ...field("value", value),
      ...(option.focused === true ? { focused: true } : {}),
      ...field("options", nested),
    });
  }
  return out;
}

/** The message a button sits on: what the bot reads of it (the first embed's footer, the flags), nothing else. */
function cleanMessage(message: unknown): Json | undefined {
  if (!isObject(message) || !isId(message.id) || !isId(message.channel_id)) return undefined;
  const embeds = isList(message.embeds) ? (message.embeds as unknown[]) : [];
  const footer = (embed: unknown) =>
    isObject(embed) && isObject(embed.footer) && typeof embed.footer.text === "string" ? { footer: { text: embed.footer.text } } : {};
  return {
    id: message.id,
    channel_id: message.channel_id,
    type: whole(message.type) ?? 0,
    content: "",
    embeds: embeds.map(footer),
    components: [],
    attachments: [],
    flags: whole(message.flags) ?? 0,
  };
}

/** The copy of an interaction that goes to discord.js, or what makes one impossible. */
function cleanInteraction(d: Json, data: Json): Json | string {
  const member = isObject(d.member) ? d.member : undefined;
  // discord.js takes `user ?? member.user`.
  const user = cleanUser(d.user ?? member?.user);
  if (!user) return "no user";
  if (d.channel !== undefined && d.channel !== null && !cleanChannel(d.channel)) return "a malformed channel";
  const owners = isObject(d.authorizing_integration_owners)
    ? Object.fromEntries(Object.entries(d.authorizing_integration_owners).filter(([, id]) => typeof id === "string"))
    : {};
  return {
    id: d.id,
    application_id: isId(d.application_id) ? d.application_id : "0",
    type: d.type,
    token: d.token,
    version: whole(d.version) ?? 1,
    data,
    ...field("guild_id", isId(d.guild_id) ? d.guild_id : undefined),
    ...(member && isId(d.guild_id) ? { member: cleanMember(member, user) } : { user }),
    ...field("channel", cleanChannel(d.channel)),
    ...field("channel_id", isId(d.channel_id) ? d.channel_id : undefined),
    ...field("app_permissions", bits(d.app_permissions)),
    locale: text(d.locale) ?? "en-US",
    ...field("guild_locale", text(d.guild_locale)),
    // The bot sells nothing, so it reads no entitlements; discord.js needs the list.
    entitlements: [],
    authorizing_integration_owners: owners,
    context: whole(d.context) ?? null,
    ...field("attachment_size_limit", whole(d.attachment_size_limit)),
  };
}

/** A slash command's or autocomplete's data, cleaned, or what is wrong with it. */
function cleanCommandData(data: Json): Json | string {
  if (typeof data.name !== "string" || !data.name) return "no command name";
  const options = cleanOptions(data.options);
  if (data.options !== undefined && !options) return "malformed options";
  return {
    name: data.name,
    type: whole(data.type) ?? ApplicationCommandType.ChatInput,
    ...field("id", isId(data.id) ? data.id : undefined),
    ...field("guild_id", isId(data.guild_id) ? data.guild_id : undefined),
    ...field("options", options),
  };
}

const deliver = (d: Json, data: Json | string, answer: Exclude<Verdict, { deliver: true }>["answer"]): Verdict => {
  if (typeof data === "string") return refuse(data, answer);
  const payload = cleanInteraction(d, data);
  return typeof payload === "string" ? refuse(payload, answer) : { deliver: true, payload };
};

function component(d: Json, data: Json): Verdict {
  const type = data.component_type as ComponentType;
  switch (type) {
    case ComponentType.Button: {
      if (typeof data.custom_id !== "string") return refuse("a button without a custom id", "stale");
      const message = cleanMessage(d.message);
      if (!message) return refuse(d.message === undefined ? "a button without its message" : "a button on a malformed message", "stale");
      const verdict = deliver(d, { custom_id: data.custom_id, component_type: type }, "stale");
      return verdict.deliver ? { deliver: true, payload: { ...verdict.payload, message } } : verdict;
    }
    case ComponentType.StringSelect:
    case ComponentType.UserSelect:
    case ComponentType.RoleSelect:
    case ComponentType.MentionableSelect:
    case ComponentType.ChannelSelect:
      return refuse(`a select menu (component type ${type}), which this bot never sends`, "unsupported");
    case ComponentType.ActionRow:
    case ComponentType.TextInput:
    case ComponentType.Section:
    case ComponentType.TextDisplay:
    case ComponentType.Thumbnail:
    case ComponentType.MediaGallery:
    case ComponentType.File:
    case ComponentType.Separator:
    case ComponentType.ContentInventoryEntry:
    case ComponentType.Container:
    case ComponentType.Label:
    case ComponentType.FileUpload:
    case ComponentType.RadioGroup:
    case ComponentType.CheckboxGroup:
    case ComponentType.Checkbox:
      return refuse(`component type ${type}, which cannot send an interaction from a message of this bot`, "unsupported");
    default:
      return refuse(unknownKind("component type", type), "unsupported");
  }
}

/**
 * A submitted modal's data: its custom id and the text inputs' custom ids and values, in action rows (as
 * the bot's feedback modal sends them) or labels (Discord's newer layout), nothing else.
 */
function cleanModalData(data: Json): Json | string {
  if (typeof data.custom_id !== "string") return "a modal without a custom id";
  const input = (component: unknown): Json | undefined =>
    isObject(component) && component.type === ComponentType.TextInput && typeof component.custom_id === "string" && typeof component.value === "string"
      ? { type: ComponentType.TextInput, custom_id: component.custom_id, value: component.value }
      : undefined;
  const rows: Json[] = [];
  for (const row of isList(data.components) ? (data.components as unknown[]) : []) {
    if (!isObject(row)) continue;
    if (row.type === ComponentType.ActionRow && isList(row.components))
      rows.push({ type: ComponentType.ActionRow, components: (row.components as unknown[]).flatMap((c) => input(c) ?? []) });
    else if (row.type === ComponentType.Label && input(row.component)) rows.push({ type: ComponentType.Label, component: input(row.component) });
  }
  return { custom_id: data.custom_id, components: rows };
}

function command(d: Json, data: Json): Verdict {
  const type = data.type as ApplicationCommandType;
  switch (type) {
    case ApplicationCommandType.ChatInput:
      return deliver(d, cleanCommandData(data), "unsupported");
    case ApplicationCommandType.User:
    case ApplicationCommandType.Message:
    case ApplicationCommandType.PrimaryEntryPoint:
      return refuse(`an application command of type ${type}, which this bot does not register`, "unsupported");
    default:
      return refuse(unknownKind("application command type", type), "unsupported");
  }
}

/** Decides on one INTERACTION_CREATE payload (the gateway's `d`). Never throws. */
export function vetInteraction(d: unknown): Verdict {
  if (!isObject(d) || !isId(d.id) || typeof d.token !== "string" || !d.token) return refuse("no id or token", "none");
  const type = d.type as InteractionType;
  const data = d.data;
  switch (type) {
    case InteractionType.Ping:
      return refuse("a ping, which Discord sends over HTTP, never the gateway", "none");
    case InteractionType.ApplicationCommand:
      return isObject(data) ? command(d, data) : refuse("a command without data", "unsupported");
    case InteractionType.MessageComponent:
      return isObject(data) ? component(d, data) : refuse("a component interaction without data", "stale");
    case InteractionType.ApplicationCommandAutocomplete:
      return deliver(d, isObject(data) ? cleanCommandData(data) : "an autocomplete without data", "choices");
    case InteractionType.ModalSubmit:
      return deliver(d, isObject(data) ? cleanModalData(data) : "a modal submission without data", "stale");
    default:
      return refuse(unknownKind("interaction type", type), "unsupported");
  }
}
