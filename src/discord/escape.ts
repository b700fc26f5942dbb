/**
 * Making untrusted text (knowledge passages, echoed questions) inert in Discord.
 * `allowedMentions: { parse: [] }` already stops pings; escaping also stops the text from *looking* like a
 * mention, a masked link, a spoiler or a heading, so a document cannot restyle or impersonate the bot.
 */
import { FENCED_CODE } from "../knowledge/fence.ts";

const ZWSP = "\u200B";

// Characters that open or close Discord markdown anywhere in a line. `<` covers every `<@…>`, `<@&…>`, `<#…>`,
// `<t:…>`, `</cmd:…>` and `<:emoji:…>` token; `[`, `]`, `(`, `)` cover masked links.
const INLINE_SPECIAL = /[\\*_~`|<>[\]()]/g;
// Block syntax only counts at the start of a line: headings and subtext (`#`, `-#`), lists, quotes, ordered lists.
const LINE_START = /^([ \t]*)(#|-|\+|\d+(?=\.))/gm;
const MASS_MENTION = /@(everyone|here)/gi;
// A fenced code block renders nothing inside it, so it can stay as it is.
const CODE_BLOCK = new RegExp(FENCED_CODE, "g");
// Bare links stay clickable and unescaped: an escape inside a URL would end up in the link target.
const BARE_URL = /\bhttps?:\/\/[^\s<>]+[^\s<>.,;:!?'")\]]/g;

function escapeInline(text: string): string {
  return text.replace(INLINE_SPECIAL, "\\$&").replace(MASS_MENTION, `@${ZWSP}$1`);
}

/**
 * Escapes text for a markdown-rendered place (message content, embed description, field value, title).
 * The result renders as exactly the input text: no formatting, mentions, masked links or headings.
 */
export function escapeMarkdown(text: string): string {
  const normalised = text.replace(/\r\n?/g, "\n");
  let out = "";
  let last = 0;
  for (const match of normalised.matchAll(CODE_BLOCK)) {
    const start = match.index ?? 0;
    out += escapeProse(normalised.slice(last, start));
    out += match[0];
    last = start + match[0].length;
  }
  return out + escapeProse(normalised.slice(last));
}

function escapeProse(normalised: string): string {
  let out = "";
  let last = 0;
  for (const match of normalised.matchAll(BARE_URL)) {
    const start = match.index ?? 0;
    out += escapeInline(normalised.slice(last, start));
    // Discord still parses mentions inside a URL; such a URL is not worth keeping clickable.
    out += /[@<>]/.test(match[0]) ? escapeInline(match[0]) : match[0];
    last = start + match[0].length;
  }
  out += escapeInline(normalised.slice(last));
  // After the inline pass, so the backslashes added here are not escaped again. A URL never starts a
  // line with one of these markers, so this cannot reach into a link.
  return out.replace(LINE_START, (_match, indent: string, marker: string) => (/\d/.test(marker) ? `${indent}${marker}\\` : `${indent}\\${marker}`));
}

/**
 * Neutralises mention-like tokens in plain-text places (embed footers, author names, choice names), which
 * Discord does not render as markdown but where `@everyone` would still read as a ping to a person.
 * Reversible with `restorePlain`, so a footer can carry the question back to a button handler.
 */
export function neutralisePlain(text: string): string {
  return text.replace(/\r\n?|\n/g, " ").replace(/@(everyone|here)/gi, `@${ZWSP}$1`).replace(/<(?=[@#:/t])/g, `<${ZWSP}`);
}

export function restorePlain(text: string): string {
  return text.split(ZWSP).join("");
}

/** A link target that is safe to put in `[label](<url>)` or an embed `url`: absolute http(s), no spaces or angle brackets. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined;
  const href = parsed.href;
  if (/[\s<>]/.test(href) || href.length > 512) return undefined;
  return href;
}
