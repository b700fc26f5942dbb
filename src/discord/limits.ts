/**
 * Discord's payload limits and the one truncation helper every outgoing string goes through.
 * Pure: no discord.js, no I/O, so the tests and the test server can reason about it directly.
 */

import { FENCE_MARKER } from "../knowledge/fence.ts";

/** https://discord.com/developers/docs/resources/message#embed-object-embed-limits and friends. */
export const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  /** Sum of title, description, field names and values, footer text and author name over all embeds of a message. */
  embedTotal: 6000,
  actionRows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
  choices: 25,
  choiceName: 100,
  choiceValue: 100,
} as const;

export const ELLIPSIS = "…";

export interface TruncateOptions {
  /** Appended (or prepended, when keeping the end) where text was cut. Default "…". */
  ellipsis?: string;
  /**
   * Treat the text as Discord markdown produced by `format.ts`: keep backslash escapes, `**` pairs and
   * `[label](url)` links / `<t:…>` timestamps whole, and close a bold span that the cut leaves open.
   * Default true; pass false for plain-text places (footers, choice names) where `**` means nothing.
   */
  markdown?: boolean;
  /** Which part to keep. Default "start". */
  keep?: "start" | "end";
}

// A markdown "atom" is the smallest piece the cut may not split. Order matters: the escape pair must win
// over a bare backslash, a code fence over single backticks, a link over its `[`.
const MARKDOWN_ATOM = new RegExp(`\\\\[\\s\\S]|${FENCE_MARKER}\\n?|\\*\\*|\\[[^\\]\\n]*\\]\\((?:<[^>\\s]*>|[^)\\s]*)\\)|<t:-?\\d+(?::[tTdDfFR])?>|[\\s\\S]`, "gu");
const PLAIN_ATOM = /[\s\S]/gu;

function atomsOf(text: string, markdown: boolean): string[] {
  return text.match(markdown ? MARKDOWN_ATOM : PLAIN_ATOM) ?? [];
}

/**
 * The leading atoms of `text` up to `max` characters, and the one after them: all that a cut keeping
 * the start can use. Answers cut a passage of thousands of characters to a few hundred.
 */
function leadingAtoms(text: string, markdown: boolean, max: number): string[] {
  const pattern = new RegExp(markdown ? MARKDOWN_ATOM : PLAIN_ATOM);
  const atoms: string[] = [];
  let length = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    atoms.push(match[0]);
    length += match[0].length;
    if (length > max) break;
  }
  return atoms;
}

/** How far back a cut may move to land on whitespace, so words are not chopped in half when it is cheap. */
const WORD_BACKOFF = 40;

interface OpenSpans {
  bold: boolean;
  code: boolean;
}

/** What closes the spans left open when keeping the start (or opens them again when keeping the end). */
function repair(open: OpenSpans, keepEnd: boolean): string {
  if (keepEnd) return (open.bold ? "**" : "") + (open.code ? "```\n" : "");
  return (open.code ? "\n```" : "") + (open.bold ? "**" : "");
}

/**
 * Shortens `text` to at most `max` UTF-16 code units (the unit Discord's limits are checked in, and never
 * fewer characters than Discord counts). Never splits a surrogate pair, a backslash escape, a `**` marker,
 * a code fence or a link, and closes bold or a code block that the cut leaves open, so the result renders
 * like a prefix of the input. Returns the text unchanged when it already fits.
 */
export function truncate(text: string, max: number, options: TruncateOptions = {}): string {
  if (text.length <= max) return text;
  const ellipsis = options.ellipsis ?? ELLIPSIS;
  const markdown = options.markdown ?? true;
  const keepEnd = options.keep === "end";
  if (max <= 0) return "";
  if (max < ellipsis.length) return truncate(text, max, { ...options, ellipsis: "" });

  const atoms = keepEnd ? atomsOf(text, markdown).reverse() : leadingAtoms(text, markdown, max);

  const kept: string[] = [];
  // Open spans after each accepted atom, so the word back-off can rewind exactly.
  const states: OpenSpans[] = [];
  let length = 0;
  let open: OpenSpans = { bold: false, code: false };
  for (const atom of atoms) {
    const next: OpenSpans = { ...open };
    if (markdown && atom.startsWith("```")) next.code = !open.code;
    // Inside a code block `**` is two literal asterisks.
    else if (markdown && atom === "**" && !open.code) next.bold = !open.bold;
    if (length + atom.length + ellipsis.length + repair(next, keepEnd).length > max) break;
    kept.push(atom);
    length += atom.length;
    open = next;
    states.push(next);
  }

  // Prefer ending at whitespace when the word being cut is short enough to drop.
  const nextAtom = atoms[kept.length];
  if (nextAtom !== undefined && !/^\s/u.test(nextAtom)) {
    for (let i = kept.length - 1, dropped = 0; i >= 0 && dropped <= WORD_BACKOFF; i--) {
      const atom = kept[i] as string;
      if (/^\s$/u.test(atom)) {
        kept.length = i;
        states.length = i;
        break;
      }
      dropped += atom.length;
    }
  }
  while (kept.length > 0 && /^\s$/u.test(kept[kept.length - 1] as string)) {
    kept.pop();
    states.pop();
  }
  // A marker with nothing after it would render as literal asterisks or an empty block once repaired.
  while (markdown && kept.length > 0 && /^(\*\*|```)/.test(kept[kept.length - 1] as string)) {
    kept.pop();
    states.pop();
  }
  open = states[states.length - 1] ?? { bold: false, code: false };

  if (keepEnd) {
    kept.reverse();
    return repair(open, true) + ellipsis + kept.join("");
  }
  return kept.join("") + ellipsis + repair(open, false);
}

/** The subset of an embed that counts against Discord's limits (structurally an `APIEmbed`). */
export interface EmbedLike {
  title?: string;
  description?: string;
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string; icon_url?: string };
  author?: { name: string; url?: string; icon_url?: string };
}

/** Characters of an embed that count toward the 6000 total. */
export function embedLength(embed: EmbedLike): number {
  let total = (embed.title?.length ?? 0) + (embed.description?.length ?? 0);
  total += embed.footer?.text.length ?? 0;
  total += embed.author?.name.length ?? 0;
  for (const field of embed.fields ?? []) total += field.name.length + field.value.length;
  return total;
}

/** Applies every per-part limit to one embed. Plain-text parts (footer, author) are cut as plain text. */
function fitEmbedParts<E extends EmbedLike>(embed: E): E {
  const out: E = { ...embed };
  if (out.title !== undefined) out.title = truncate(out.title, LIMITS.embedTitle);
  if (out.description !== undefined) out.description = truncate(out.description, LIMITS.embedDescription);
  if (out.footer) out.footer = { ...out.footer, text: truncate(out.footer.text, LIMITS.footerText, { markdown: false }) };
  if (out.author) out.author = { ...out.author, name: truncate(out.author.name, LIMITS.authorName, { markdown: false }) };
  if (out.fields) {
    out.fields = out.fields.slice(0, LIMITS.embedFields).map((field) => ({
      ...field,
      name: truncate(field.name, LIMITS.fieldName),
      value: truncate(field.value, LIMITS.fieldValue),
    }));
  }
  return out;
}

/**
 * Makes a message's embeds fit: at most 10, each part within its limit, and all of them together within
 * 6000 characters, taking the excess from the longest description or field value first (the footer holds
 * the question that the buttons read back, so it is cut last).
 */
export function fitEmbeds<E extends EmbedLike>(embeds: readonly E[]): E[] {
  const fitted = embeds.slice(0, LIMITS.embeds).map(fitEmbedParts);
  for (let guard = 0; guard < 200; guard++) {
    const excess = fitted.reduce((sum, embed) => sum + embedLength(embed), 0) - LIMITS.embedTotal;
    if (excess <= 0) return fitted;
    let best: { embed: E; field?: number; size: number } | undefined;
    for (const embed of fitted) {
      const size = embed.description?.length ?? 0;
      if (!best || size > best.size) best = { embed, size };
      embed.fields?.forEach((field, index) => {
        if (field.value.length > (best?.size ?? 0)) best = { embed, field: index, size: field.value.length };
      });
    }
    if (!best || best.size <= 1) {
      // Only short parts are left: drop fields from the end, then cut footers.
      const withFields = [...fitted].reverse().find((embed) => embed.fields?.length);
      if (withFields?.fields) {
        withFields.fields = withFields.fields.slice(0, -1);
        continue;
      }
      const withFooter = fitted.find((embed) => embed.footer && embed.footer.text.length > 1);
      if (withFooter?.footer) {
        withFooter.footer = { ...withFooter.footer, text: truncate(withFooter.footer.text, Math.max(1, withFooter.footer.text.length - excess), { markdown: false }) };
        continue;
      }
      return fitted;
    }
    const target = Math.max(1, best.size - excess);
    if (best.field === undefined) {
      best.embed.description = truncate(best.embed.description ?? "", target);
    } else if (best.embed.fields) {
      const fields = [...best.embed.fields];
      const field = fields[best.field];
      if (field) fields[best.field] = { ...field, value: truncate(field.value, target) };
      best.embed.fields = fields;
    }
  }
  return fitted;
}

/** Every violation of Discord's message limits in a payload, as readable strings; empty when it is valid. */
export function messageLimitViolations(payload: { content?: string | null; embeds?: readonly EmbedLike[] }): string[] {
  const problems: string[] = [];
  if ((payload.content?.length ?? 0) > LIMITS.content) problems.push(`content is ${payload.content?.length} > ${LIMITS.content}`);
  const embeds = payload.embeds ?? [];
  if (embeds.length > LIMITS.embeds) problems.push(`${embeds.length} embeds > ${LIMITS.embeds}`);
  embeds.forEach((embed, i) => {
    if ((embed.title?.length ?? 0) > LIMITS.embedTitle) problems.push(`embed ${i} title > ${LIMITS.embedTitle}`);
    if ((embed.description?.length ?? 0) > LIMITS.embedDescription) problems.push(`embed ${i} description > ${LIMITS.embedDescription}`);
    if ((embed.footer?.text.length ?? 0) > LIMITS.footerText) problems.push(`embed ${i} footer > ${LIMITS.footerText}`);
    if ((embed.author?.name.length ?? 0) > LIMITS.authorName) problems.push(`embed ${i} author > ${LIMITS.authorName}`);
    if ((embed.fields?.length ?? 0) > LIMITS.embedFields) problems.push(`embed ${i} has > ${LIMITS.embedFields} fields`);
    embed.fields?.forEach((field, j) => {
      if (field.name.length > LIMITS.fieldName) problems.push(`embed ${i} field ${j} name > ${LIMITS.fieldName}`);
      if (field.value.length > LIMITS.fieldValue) problems.push(`embed ${i} field ${j} value > ${LIMITS.fieldValue}`);
    });
  });
  const total = embeds.reduce((sum, embed) => sum + embedLength(embed), 0);
  if (total > LIMITS.embedTotal) problems.push(`embeds total ${total} > ${LIMITS.embedTotal}`);
  return problems;
}
