/**
 * Discord's payload limits and the one truncation helper every outgoing string goes through.
 * Pure: no discord.js, no I/O, so the tests and the test server can reason about it directly.
 */

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
   * Treat the text as Discord markdown produced by `markdown.ts`: keep backslash escapes, `**` pairs,
   * inline code spans, `[label](url)` links and `<t:…>` timestamps whole, and close a bold span or code
   * block that the cut leaves open. Default true; pass false for plain-text places (footers, choice
   * names) where `**` means nothing.
   */
  markdown?: boolean;
  /** Which part to keep. Default "start". */
  keep?: "start" | "end";
}

/** What is open after an atom: bold, and a code block (with the fence line that opened it, to reopen it). */
interface OpenSpans {
  bold: boolean;
  fence: string | undefined;
}

const CLOSED: OpenSpans = { bold: false, fence: undefined };

// The atoms of Discord markdown: the smallest pieces a cut may not split. Discord reads "```" as a code
// block's fence wherever it stands, so a run of three backticks is a fence, never part of inline code.
const ESCAPE = /\\[\s\S]/uy;
const FENCE = /```[\w+#.-]*\n?/y;
const CODE_SPAN = /(`{1,2})(?!`)[\s\S]*?[^`]\1(?!`)/uy;
const LINK = /\[(?:\\[\s\S]|[^\]\\\n])*\]\((?:<[^>\s]*>|[^)\s]*)\)/uy;
const TIMESTAMP = /<t:-?\d+(?::[tTdDfFR])?>/y;
const CHAR = /[\s\S]/uy;

function sticky(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0];
}

/** The atom at `at` and what is open after it. */
function atomAt(text: string, at: number, open: OpenSpans, markdown: boolean): { atom: string; open: OpenSpans } {
  const char = sticky(CHAR, text, at) as string;
  if (!markdown) return { atom: char, open };
  if (open.fence !== undefined) {
    // Inside a code block nothing is markup but the fence that ends it.
    return text.startsWith("```", at) ? { atom: "```", open: { ...open, fence: undefined } } : { atom: char, open };
  }
  if (text.startsWith("```", at)) {
    const fence = sticky(FENCE, text, at) as string;
    return { atom: fence, open: { ...open, fence } };
  }
  if (text.startsWith("**", at)) return { atom: "**", open: { ...open, bold: !open.bold } };
  const special = char === "\\" ? ESCAPE : char === "`" ? CODE_SPAN : char === "[" ? LINK : char === "<" ? TIMESTAMP : undefined;
  return { atom: (special && sticky(special, text, at)) || char, open };
}

/** The atoms of `text` and what is open after each; with `limit`, only as far as one atom past that many characters. */
function scan(text: string, markdown: boolean, limit = Infinity): { atoms: string[]; after: OpenSpans[] } {
  const atoms: string[] = [];
  const after: OpenSpans[] = [];
  let open = CLOSED;
  for (let at = 0, length = 0; at < text.length && length <= limit;) {
    const next = atomAt(text, at, open, markdown);
    atoms.push(next.atom);
    after.push(next.open);
    open = next.open;
    at += next.atom.length;
    length += next.atom.length;
  }
  return { atoms, after };
}

/** How far a cut may move to land on whitespace, so words are not chopped in half when it is cheap. */
const WORD_BACKOFF = 40;

const isSpace = (atom: string | undefined) => atom !== undefined && /^\s$/u.test(atom);

/** What closes the spans left open at the end of kept text. */
function closing(open: OpenSpans): string {
  return (open.fence !== undefined ? "\n```" : "") + (open.bold ? "**" : "");
}

/** What opens again the spans open at the start of kept text. */
function reopening(open: OpenSpans): string {
  const fence = open.fence === undefined ? "" : open.fence.endsWith("\n") ? open.fence : `${open.fence}\n`;
  return (open.bold ? "**" : "") + fence;
}

/** Whether `atom` opens a span (given what is open after it): a marker with nothing after it is dropped. */
function opens(atom: string, after: OpenSpans): boolean {
  return (atom === "**" && after.bold) || (atom.startsWith("```") && after.fence !== undefined);
}

function keepStart(text: string, max: number, ellipsis: string, markdown: boolean): string {
  const { atoms, after } = scan(text, markdown, max);
  const openAfter = (n: number) => (n > 0 ? (after[n - 1] as OpenSpans) : CLOSED);
  let n = 0;
  for (let length = 0; n < atoms.length; n++) {
    const atom = atoms[n] as string;
    if (length + atom.length + ellipsis.length + closing(after[n] as OpenSpans).length > max) break;
    length += atom.length;
  }
  // Prefer ending at whitespace when the word being cut is short enough to drop.
  if (n < atoms.length && !isSpace(atoms[n])) {
    for (let i = n - 1, dropped = 0; i >= 0 && dropped <= WORD_BACKOFF; i--) {
      if (isSpace(atoms[i])) {
        n = i;
        break;
      }
      dropped += (atoms[i] as string).length;
    }
  }
  for (;;) {
    while (n > 0 && (isSpace(atoms[n - 1]) || opens(atoms[n - 1] as string, openAfter(n)))) n--;
    const out = atoms.slice(0, n).join("") + ellipsis + closing(openAfter(n));
    if (out.length <= max || n === 0) return out.length <= max ? out : ellipsis;
    n--;
  }
}

function keepEnd(text: string, max: number, ellipsis: string, markdown: boolean): string {
  const { atoms, after } = scan(text, markdown);
  const openBefore = (k: number) => (k > 0 ? (after[k - 1] as OpenSpans) : CLOSED);
  let k = atoms.length;
  for (let length = 0; k > 0; k--) {
    const atom = atoms[k - 1] as string;
    if (length + atom.length + ellipsis.length + reopening(openBefore(k - 1)).length > max) break;
    length += atom.length;
  }
  if (k > 0 && !isSpace(atoms[k - 1])) {
    for (let i = k, dropped = 0; i < atoms.length && dropped <= WORD_BACKOFF; i++) {
      if (isSpace(atoms[i])) {
        k = i + 1;
        break;
      }
      dropped += (atoms[i] as string).length;
    }
  }
  for (;;) {
    // A marker that closes what the cut left out would render as literal asterisks or an empty block.
    while (k < atoms.length && (isSpace(atoms[k]) || closes(atoms[k] as string, openBefore(k)))) k++;
    const out = reopening(openBefore(k)) + ellipsis + atoms.slice(k).join("");
    if (out.length <= max || k === atoms.length) return out.length <= max ? out : ellipsis;
    k++;
  }
}

/** Whether `atom` closes a span open before it. */
function closes(atom: string, before: OpenSpans): boolean {
  return (atom === "**" && before.bold) || (atom === "```" && before.fence !== undefined);
}

/**
 * Shortens `text` to at most `max` UTF-16 code units (the unit Discord's limits are checked in, and never
 * fewer characters than Discord counts). Never splits a surrogate pair, a backslash escape, a `**` marker,
 * inline code, a code fence or a link, and closes bold or a code block that the cut leaves open, so the
 * result renders like a prefix of the input. Returns the text unchanged when it already fits.
 */
export function truncate(text: string, max: number, options: TruncateOptions = {}): string {
  if (text.length <= max) return text;
  const ellipsis = options.ellipsis ?? ELLIPSIS;
  const markdown = options.markdown ?? true;
  if (max <= 0) return "";
  if (max < ellipsis.length) return truncate(text, max, { ...options, ellipsis: "" });
  return options.keep === "end" ? keepEnd(text, max, ellipsis, markdown) : keepStart(text, max, ellipsis, markdown);
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
        withFooter.footer = {
          ...withFooter.footer,
          text: truncate(withFooter.footer.text, Math.max(1, withFooter.footer.text.length - excess), { markdown: false }),
        };
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
