/**
 * Passage text and other untrusted text as Discord Markdown: the one place that decides how anything
 * from the knowledge or from a user looks in Discord.
 *
 * Untrusted text is made inert: `allowedMentions: { parse: [] }` already stops pings, and escaping also
 * stops text from *looking* like a mention, a masked link, a spoiler or a heading, so a document cannot
 * restyle or impersonate the bot. Code is the exception: Discord renders nothing inside inline code or a
 * code block (no mention, link or markup), so code is shown exactly as written, never escaped — Discord
 * reads a backslash inside code as a backslash. Only bare http(s) URLs become links.
 */
import { linkTarget } from "../knowledge/url.ts";
import { excerptWindow, inlinePieces, unitsOf, type Unit } from "../answer/display.ts";
import type { AnswerResult } from "../answer/types.ts";
import { truncate } from "./limits.ts";

const ZWSP = "\u200B";

// Characters that open or close Discord markdown anywhere in a line. `<` covers every `<@…>`, `<@&…>`, `<#…>`,
// `<t:…>`, `</cmd:…>` and `<:emoji:…>` token; `[` and `]` cover masked links (a parenthesis alone links nothing).
const INLINE_SPECIAL = /[\\*_~`|<>[\]]/g;
// Block syntax only counts at the start of a line: headings and subtext (`#`, `-#`), lists, quotes, ordered lists.
const LINE_START = /^([ \t]*)(#|-|\+|\d+(?=\.))/gm;
const MASS_MENTION = /@(everyone|here)/gi;
// Bare links stay clickable and unescaped: an escape inside a URL would end up in the link target.
const BARE_URL = /\bhttps?:\/\/[^\s<>]+[^\s<>.,;:!?'")\]]/g;

function escapeInline(text: string): string {
  return text.replace(INLINE_SPECIAL, "\\$&").replace(MASS_MENTION, `@${ZWSP}$1`);
}

/**
 * Escapes text for a markdown-rendered place (message content, embed description, field value, title).
 * The result renders as exactly the input text: no formatting, code, mentions, masked links or headings.
 */
export function escapeMarkdown(text: string): string {
  const normalised = text.replace(/\r\n?/g, "\n");
  let out = "";
  let last = 0;
  for (const match of normalised.matchAll(BARE_URL)) {
    const start = match.index;
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
 * Inline code as Discord shows it. Discord (simple-markdown's inlineCode rule) ends a span at the first
 * run of its own backticks, takes everything inside literally, and strips one space next to a backtick at
 * either end. Content with backticks goes in a double-backtick span, with runs of two or more broken by
 * zero-width spaces (three would start a code block, two would end the span), and a space against a
 * backtick at either end.
 */
export function codeSpan(content: string): string {
  const text = content.replace(/\n/g, " ");
  if (!text) return "";
  if (!text.includes("`")) return `\`${text}\``;
  const safe = text.replace(/`{2,}/g, (run) => run.split("").join(ZWSP));
  return `\`\`${safe.startsWith("`") ? " " : ""}${safe}${safe.endsWith("`") ? " " : ""}\`\``;
}

// Discord's code block rule: ```lang\n…``` with a language of these characters.
const LANGUAGE = /^[a-z0-9_+\-.#]{1,20}$/i;

/** A code block as Discord shows it; a run of three backticks in the code would end the block, so it is broken. */
export function codeBlock(lang: string, body: string): string {
  const code = body.replace(/\s+$/, "").replace(/`{3,}/g, (run) => run.split("").join(ZWSP));
  if (!code.trim()) return "";
  return `\`\`\`${LANGUAGE.test(lang) ? lang : ""}\n${code}\n\`\`\``;
}

/** Prose with inline code: the prose escaped, the code shown as code. Titles and sections use it too. */
export function inlineMarkdown(text: string): string {
  return inlinePieces(text)
    .map((piece) => (piece.code ? codeSpan(piece.text) : escapeMarkdown(piece.text)))
    .join("");
}

/** `[label](url)` for a `safeUrl`; brackets in the label would end it early, so they become parentheses. */
export function maskedLink(label: string, url: string): string {
  return `[${inlineMarkdown(label.replace(/\[/g, "(").replace(/\]/g, ")"))}](${url})`;
}

/**
 * Prose in bold. Discord ends bold at the first `**` after it, even one inside inline code, so code
 * holding `**` stands outside the bold; whitespace at the edges stays outside too (`** x**` is not bold).
 */
export function boldMarkdown(text: string): string {
  const groups: { code: boolean; text: string }[] = [];
  for (const piece of inlinePieces(text)) {
    const apart = piece.code && piece.text.includes("**");
    const rendered = piece.code ? codeSpan(piece.text) : escapeMarkdown(piece.text);
    const last = groups[groups.length - 1];
    if (last && !last.code && !apart) last.text += rendered;
    else groups.push({ code: apart, text: rendered });
  }
  return groups
    .map((group) => {
      if (group.code || !group.text.trim()) return group.text;
      const lead = /^\s*/.exec(group.text)?.[0] ?? "";
      const trail = /\s*$/.exec(group.text)?.[0] ?? "";
      return `${lead}**${group.text.slice(lead.length, group.text.length - trail.length)}**${trail}`;
    })
    .join("");
}

/** Marks the answer where bold alone would not show it: a list item, a table row, the line above a code block. */
const MARKER = "➤";
// Discord shows embed text with runs of spaces collapsed, so nesting is shown with em spaces.
const INDENT = "\u2003";

export interface UnitStyle {
  /** Whether to make the answer stand out (not where only the answer is shown). */
  highlight: boolean;
  /** The label above a code block that is the answer. */
  codeLabel: string;
}

/** One unit of a passage in Discord Markdown. */
export function unitMarkdown(text: string, unit: Unit, style: UnitStyle): string {
  const marked = style.highlight && unit.answer;
  switch (unit.kind) {
    case "sentence": {
      const prose = text.slice(unit.start, unit.end);
      return marked ? boldMarkdown(prose) : inlineMarkdown(prose);
    }
    case "item": {
      const indent = INDENT.repeat(unit.depth);
      const bullet = unit.marker === "-" ? "•" : escapeMarkdown(unit.marker);
      if (!marked) return `${indent}${bullet} ${inlineMarkdown(unit.content)}`;
      return `${indent}${MARKER} ${unit.marker === "-" ? "" : `${bullet} `}${boldMarkdown(unit.content)}`;
    }
    case "row": {
      // A header over a column of row names often has an empty last cell; it would show as a dangling "│".
      const filled = unit.cells.slice(0, unit.cells.findLastIndex((cell) => cell !== "") + 1);
      const cells = filled.map((cell) => (marked || unit.header ? boldMarkdown(cell) : inlineMarkdown(cell)));
      return `${marked ? `${MARKER} ` : ""}${cells.join(" │ ")}`;
    }
    case "code": {
      const block = codeBlock(unit.lang, unit.body);
      return marked && block ? `${MARKER} **${escapeMarkdown(style.codeLabel)}**\n${block}` : block;
    }
  }
}

/** The least room worth filling with a cut sentence after the answer. */
const MIN_CUT_CONTEXT = 100;

export interface Excerpt {
  text: string;
  /** Whether anything of the passage was left out. */
  partial: boolean;
}

export interface ExcerptLimits {
  /** Characters of context before and after the answer, in whole units. */
  before: number;
  after: number;
  /** Characters of the answer itself; a longer answer is cut. */
  answer: number;
}

/**
 * A passage as Discord Markdown: the answer, cut to `limits.answer` if it is longer, and the whole units
 * around it that fit `limits.before` and `limits.after`, so the excerpt starts where a sentence, item,
 * row or code block starts. With `style.highlight`, the answer stands out (bold prose, a marked item or
 * row, a label above code).
 */
export function excerpt(result: AnswerResult, limits: ExcerptLimits, style: UnitStyle = { highlight: true, codeLabel: "Answer:" }): Excerpt {
  const units = unitsOf(result);
  // Code after a bold sentence of the same answer needs no label of its own.
  const labelled = units.findIndex((unit) => unit.answer);
  const rendered = units.map((unit, i) => unitMarkdown(result.text, unit, unit.kind === "code" && i !== labelled ? { ...style, highlight: false } : style));
  const window = excerptWindow(units, (i) => rendered[i]?.length ?? 0, limits);
  const join = (from: number, to: number) => {
    let out = "";
    for (let i = from; i < to; i++) {
      const piece = rendered[i];
      if (piece) out += (out ? (units[i] as Unit).gap : "") + piece;
    }
    return out;
  };
  const first = units.findIndex((unit) => unit.answer);
  let last = first;
  while (first >= 0 && units[last + 1]?.answer) last++;
  // No answer to centre on: the passage from its start.
  if (first < 0) {
    const whole = join(0, units.length);
    const text = truncate(whole, limits.answer + limits.after);
    return { text, partial: text !== whole };
  }
  const answer = join(first, last + 1);
  const shown = truncate(answer, limits.answer);
  // After an answer that had to be cut, what follows it would not read on from it.
  let after = shown === answer ? join(last + 1, window.to) : "";
  let to = after ? window.to : last + 1;
  // The next unit, cut, when it alone was too long for the room left: context is worth an ellipsis.
  const next = rendered[to];
  const room = limits.after - after.length - (units[to]?.gap.length ?? 0);
  let cutNext = false;
  if (shown === answer && next && room >= MIN_CUT_CONTEXT) {
    const cut = truncate(next, room);
    after += (after ? (units[to] as Unit).gap : "") + cut;
    cutNext = cut !== next;
    to++;
  }
  // A row shown without the rows above it keeps its table's header, and "…" where rows were left out.
  const header = window.header === undefined ? "" : `${rendered[window.header]}\n${window.header < window.from - 1 ? "…\n" : ""}`;
  const before = join(window.from, first);
  const gapOf = (i: number) => (units[i] as Unit).gap;
  let text = header + before + (before ? gapOf(first) : "") + shown;
  if (after) text += gapOf(last + 1) + after;
  const partial = window.from > 0 || shown !== answer || cutNext || to < units.length;
  return { text, partial };
}

/**
 * Neutralises mention-like tokens in plain-text places (embed footers, author names, choice names), which
 * Discord does not render as markdown but where `@everyone` would still read as a ping to a person.
 * Reversible with `restorePlain`, so a footer can carry the question back to a button handler.
 */
export function neutralisePlain(text: string): string {
  return text
    .replace(/\r\n?|\n/g, " ")
    .replace(/@(everyone|here)/gi, `@${ZWSP}$1`)
    .replace(/<(?=[@#:/t])/g, `<${ZWSP}`);
}

export function restorePlain(text: string): string {
  return text.split(ZWSP).join("");
}

/** A link target that is safe to put in `[label](<url>)` or an embed `url`: absolute http(s), no spaces or angle brackets. */
export function safeUrl(url: string | undefined): string | undefined {
  return linkTarget(url);
}
