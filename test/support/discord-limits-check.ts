/**
 * The test server's own reading of Discord's limits: written apart from src/discord/limits.ts on purpose, so
 * a mistake there is not mirrored here. Each function returns readable problems; empty means valid.
 */
import { ButtonStyle, ComponentType } from "discord-api-types/v10";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: unknown): string => (typeof value === "string" ? value : "");
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Text that Discord would render as a ping-looking mention or a masked link if it reached a markdown place unescaped. */
const LIVE_MENTION = /(?<!\\)<(@[!&]?\d+|#\d+)>|@(everyone|here)\b/;
const MASKED_LINK = /(?<!\\)\[[^\]\n]*(?<!\\)\]\((?!<?https?:\/\/)/;

export interface MessageCheckOptions {
  /** Flag mention-looking tokens in rendered text (the bot never means to mention anyone). Default true. */
  strictMentions?: boolean;
}

/** A message body as sent to Discord (snake_case JSON): content, embeds, components, allowed_mentions. */
export function messageProblems(body: unknown, options: MessageCheckOptions = {}): string[] {
  const problems: string[] = [];
  if (!isObject(body)) return ["body is not a JSON object"];
  const strict = options.strictMentions ?? true;
  const rendered: [string, string][] = [];

  const content = str(body.content);
  if (content.length > 2000) problems.push(`content has ${content.length} characters (max 2000)`);
  rendered.push(["content", content]);

  const embeds = arr(body.embeds);
  if (embeds.length > 10) problems.push(`${embeds.length} embeds (max 10)`);
  let total = 0;
  embeds.forEach((raw, i) => {
    if (!isObject(raw)) return problems.push(`embed ${i} is not an object`);
    const title = str(raw.title);
    const description = str(raw.description);
    const footer = isObject(raw.footer) ? str(raw.footer.text) : "";
    const author = isObject(raw.author) ? str(raw.author.name) : "";
    if (title.length > 256) problems.push(`embed ${i} title has ${title.length} characters (max 256)`);
    if (description.length > 4096) problems.push(`embed ${i} description has ${description.length} characters (max 4096)`);
    if (footer.length > 2048) problems.push(`embed ${i} footer has ${footer.length} characters (max 2048)`);
    if (author.length > 256) problems.push(`embed ${i} author name has ${author.length} characters (max 256)`);
    const fields = arr(raw.fields);
    if (fields.length > 25) problems.push(`embed ${i} has ${fields.length} fields (max 25)`);
    total += title.length + description.length + footer.length + author.length;
    rendered.push([`embed ${i} title`, title], [`embed ${i} description`, description]);
    fields.forEach((field, j) => {
      const name = isObject(field) ? str(field.name) : "";
      const value = isObject(field) ? str(field.value) : "";
      if (!name.length || name.length > 256) problems.push(`embed ${i} field ${j} name has ${name.length} characters (1 to 256)`);
      if (!value.length || value.length > 1024) problems.push(`embed ${i} field ${j} value has ${value.length} characters (1 to 1024)`);
      total += name.length + value.length;
      rendered.push([`embed ${i} field ${j} name`, name], [`embed ${i} field ${j} value`, value]);
    });
    if (raw.url !== undefined && !/^https?:\/\/\S+$/.test(str(raw.url))) problems.push(`embed ${i} url ${JSON.stringify(raw.url)} is not an http(s) URL`);
  });
  if (total > 6000) problems.push(`embeds total ${total} characters (max 6000)`);

  const rows = arr(body.components);
  if (rows.length > 5) problems.push(`${rows.length} action rows (max 5)`);
  const ids = new Set<string>();
  rows.forEach((row, i) => {
    const components = isObject(row) ? arr(row.components) : [];
    if (!isObject(row) || row.type !== ComponentType.ActionRow) problems.push(`component row ${i} is not an action row`);
    if (components.length < 1 || components.length > 5) problems.push(`action row ${i} has ${components.length} components (1 to 5)`);
    components.forEach((component, j) => {
      if (!isObject(component)) return;
      const id = str(component.custom_id);
      const label = str(component.label);
      if (component.type === ComponentType.Button && component.style !== ButtonStyle.Link) {
        if (id.length < 1 || id.length > 100) problems.push(`button ${i}.${j} custom_id has ${id.length} characters (1 to 100)`);
        if (ids.has(id)) problems.push(`button ${i}.${j} repeats custom_id ${id}`);
        ids.add(id);
      }
      if (label.length > 80) problems.push(`button ${i}.${j} label has ${label.length} characters (max 80)`);
    });
  });

  const hasMessage = content.length > 0 || embeds.length > 0;
  const mentions = body.allowed_mentions;
  if (hasMessage) {
    if (!isObject(mentions)) problems.push("no allowed_mentions: Discord would parse every mention in the text");
    else {
      const parse = mentions.parse;
      if (!Array.isArray(parse) || parse.length > 0) problems.push(`allowed_mentions.parse is ${JSON.stringify(parse)}, not []`);
      if (arr(mentions.users).length || arr(mentions.roles).length) problems.push("allowed_mentions lists users or roles");
    }
  }
  if (strict) {
    for (const [where, text] of rendered) {
      if (LIVE_MENTION.test(text)) problems.push(`${where} renders a mention: ${JSON.stringify(LIVE_MENTION.exec(text)?.[0])}`);
      if (MASKED_LINK.test(text)) problems.push(`${where} renders a masked link to a non-http target`);
    }
  }
  return problems;
}

export function choiceProblems(body: unknown): string[] {
  const problems: string[] = [];
  const choices = isObject(body) && isObject(body.data) ? body.data.choices : undefined;
  if (!Array.isArray(choices)) return ["autocomplete result has no data.choices array"];
  if (choices.length > 25) problems.push(`${choices.length} choices (max 25)`);
  choices.forEach((choice, i) => {
    const name = isObject(choice) ? str(choice.name) : "";
    const value = isObject(choice) ? choice.value : undefined;
    if (name.length < 1 || name.length > 100) problems.push(`choice ${i} name has ${name.length} characters (1 to 100)`);
    if (typeof value === "string" && value.length > 100) problems.push(`choice ${i} value has ${value.length} characters (max 100)`);
    if (typeof value !== "string" && typeof value !== "number") problems.push(`choice ${i} value is ${JSON.stringify(value)}`);
  });
  return problems;
}

const COMMAND_NAME = /^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$/u;

export function commandProblems(body: unknown): string[] {
  const problems: string[] = [];
  if (!Array.isArray(body)) return ["commands body is not an array"];
  if (body.length > 100) problems.push(`${body.length} commands (max 100)`);
  const names = new Set<string>();
  body.forEach((command, i) => {
    if (!isObject(command)) return problems.push(`command ${i} is not an object`);
    const name = str(command.name);
    if (!COMMAND_NAME.test(name)) problems.push(`command ${i} name ${JSON.stringify(name)} is not a valid lowercase name`);
    if (names.has(name)) problems.push(`command name ${name} appears twice`);
    names.add(name);
    const description = str(command.description);
    if (description.length < 1 || description.length > 100) problems.push(`/${name} description has ${description.length} characters (1 to 100)`);
    const options = arr(command.options);
    if (options.length > 25) problems.push(`/${name} has ${options.length} options (max 25)`);
    let optionalSeen = false;
    options.forEach((option) => {
      if (!isObject(option)) return;
      const optionName = str(option.name);
      if (!COMMAND_NAME.test(optionName)) problems.push(`/${name} option ${JSON.stringify(optionName)} is not a valid name`);
      const optionDescription = str(option.description);
      if (optionDescription.length < 1 || optionDescription.length > 100)
        problems.push(`/${name} ${optionName} description has ${optionDescription.length} characters (1 to 100)`);
      if (option.required && optionalSeen) problems.push(`/${name} required option ${optionName} comes after an optional one`);
      if (!option.required) optionalSeen = true;
      if (typeof option.max_length === "number" && (option.max_length < 1 || option.max_length > 6000))
        problems.push(`/${name} ${optionName} max_length ${option.max_length} (1 to 6000)`);
      if (option.autocomplete && Array.isArray(option.choices) && option.choices.length)
        problems.push(`/${name} ${optionName} has both autocomplete and choices`);
    });
  });
  return problems;
}

/** A modal as Discord takes it: https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-modal */
export function modalProblems(data: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(data)) return ["modal data is not an object"];
  const id = str(data.custom_id);
  const title = str(data.title);
  if (id.length < 1 || id.length > 100) problems.push(`modal custom_id has ${id.length} characters (1 to 100)`);
  if (title.length < 1 || title.length > 45) problems.push(`modal title has ${title.length} characters (1 to 45)`);
  const rows = arr(data.components);
  if (rows.length < 1 || rows.length > 5) problems.push(`modal has ${rows.length} components (1 to 5)`);
  rows.forEach((row, i) => {
    const inputs = isObject(row) && row.type === ComponentType.ActionRow ? arr(row.components) : [];
    if (inputs.length !== 1) problems.push(`modal row ${i} is not an action row holding one text input`);
    for (const input of inputs) {
      if (!isObject(input) || input.type !== ComponentType.TextInput) {
        problems.push(`modal row ${i} holds something other than a text input`);
        continue;
      }
      const label = str(input.label);
      if (label.length < 1 || label.length > 45) problems.push(`modal row ${i} label has ${label.length} characters (1 to 45)`);
      if (str(input.custom_id).length < 1 || str(input.custom_id).length > 100) problems.push(`modal row ${i} custom_id is not 1 to 100 characters`);
      if (input.style !== 1 && input.style !== 2) problems.push(`modal row ${i} style ${JSON.stringify(input.style)} is not 1 or 2`);
      const max = input.max_length;
      if (max !== undefined && (typeof max !== "number" || max < 1 || max > 4000))
        problems.push(`modal row ${i} max_length ${JSON.stringify(max)} is not 1 to 4000`);
      if (str(input.placeholder).length > 100) problems.push(`modal row ${i} placeholder is over 100 characters`);
    }
  });
  return problems;
}
