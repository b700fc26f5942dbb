/**
 * Rendering: engine values in, Discord message payloads out. Pure functions, no I/O, no client; every
 * payload leaves here escaped and within Discord's limits, so the adapters only choose how to send it.
 */
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponentWithCustomId, type APIEmbed } from "discord.js";
import type { Answer, AnswerResult } from "../answer/types.ts";
import type { LoadReport, SourceSummary } from "../answer/engine.ts";
import { hasFence } from "../knowledge/fence.ts";
import type { PassageSource } from "../knowledge/types.ts";
import { encodeButton } from "./custom-id.ts";
import { escapeMarkdown, neutralisePlain, restorePlain, safeUrl } from "./escape.ts";
import { LIMITS, fitEmbeds, truncate } from "./limits.ts";

/** Results per answer message. The adapter asks the engine for one more to know whether "More results" applies. */
export const PAGE_SIZE = 3;

const COLOR_ANSWER = 0x5865f2;
const COLOR_INFO = 0x99aab5;
const COLOR_ERROR = 0xed4245;

export type ButtonRow = APIActionRowComponent<APIButtonComponentWithCustomId>;

/** A message to send, independent of how (interaction reply, update, or channel message). */
export interface Reply {
  content?: string;
  embeds: APIEmbed[];
  components: ButtonRow[];
  /** Only the person who triggered it sees it. Impossible for channel messages; the adapter decides there. */
  ephemeral: boolean;
}

/** Sent with every message: ping nobody, not even the person replied to (they just asked; no need to buzz them). */
export const ALLOWED_MENTIONS = { parse: [] as never[], repliedUser: false };

/** The question (and the follow-up context it was asked in) an answer message is about. */
export interface QuestionState {
  question: string;
  context?: string;
}

const FOOTER_QUESTION = "Question: ";
const FOOTER_CONTEXT = "Following up on: ";
/** Long questions are cut in the footer; the buttons then page through results for the cut question. */
const FOOTER_QUESTION_MAX = 1000;

/**
 * The footer is plain text (Discord renders no markdown or mentions there), so it can carry the question
 * verbatim for the buttons to read back: that is what makes "More results" work after a restart without
 * squeezing a question into a 100-character custom id.
 */
export function footerFor(state: QuestionState, range?: string): string {
  const lines = [FOOTER_QUESTION + truncate(neutralisePlain(state.question), FOOTER_QUESTION_MAX, { markdown: false })];
  if (state.context) lines.push(FOOTER_CONTEXT + truncate(neutralisePlain(state.context), 300, { markdown: false }));
  if (range) lines.push(range);
  return lines.join("\n");
}

export function parseFooter(text: string | undefined | null): QuestionState | undefined {
  if (!text) return undefined;
  const lines = text.split("\n");
  const first = lines[0];
  if (!first?.startsWith(FOOTER_QUESTION)) return undefined;
  const question = restorePlain(first.slice(FOOTER_QUESTION.length)).trim();
  if (!question) return undefined;
  const contextLine = lines.find((line) => line.startsWith(FOOTER_CONTEXT));
  const context = contextLine ? restorePlain(contextLine.slice(FOOTER_CONTEXT.length)).trim() : undefined;
  return context ? { question, context } : { question };
}

function sectionPath(source: PassageSource): string {
  // A Markdown document's first heading is usually its title; "Title › Title › History" says it twice.
  const section = source.section[0] === source.title ? source.section.slice(1) : source.section;
  return [source.title, ...section].join(" › ");
}

/** "**Title › Section** · passage 3 · [open](url)", escaped; without the title when it is shown already. */
export function citationLine(source: PassageSource, withTitle = true): string {
  const url = safeUrl(source.url);
  const parts = withTitle ? [`**${escapeMarkdown(sectionPath(source))}**`] : [];
  parts.push(`passage ${source.passage}`);
  if (url) parts.push(`[open](${url})`);
  return parts.join(" · ");
}

function rank(offset: number, index: number): number {
  return offset + index + 1;
}

/** Where `answer` sits in `text`, trusting `answerStart` only when it is right. */
function locateAnswer(result: AnswerResult): { before: string; answer: string; after: string } {
  const { text } = result;
  let start = result.answerStart;
  if (text.slice(start, start + result.answer.length) !== result.answer) start = text.indexOf(result.answer);
  if (start < 0 || !result.answer) return { before: "", answer: text, after: "" };
  let answer = result.answer;
  let before = text.slice(0, start);
  let after = text.slice(start + answer.length);
  // `** foo**` does not render bold in Discord, so whitespace moves outside the markers.
  const lead = /^\s*/.exec(answer)?.[0] ?? "";
  const trail = /\s*$/.exec(answer)?.[0] ?? "";
  before += lead;
  after = trail + after;
  answer = answer.slice(lead.length, answer.length - trail.length);
  return { before, answer, after };
}

/**
 * The passage as context with the answer in bold, cut to a window around the answer. `limits` are in
 * characters of escaped text. Returns whether anything was left out.
 */
export function excerpt(result: AnswerResult, limits = { before: 300, answer: 900, after: 500 }): { text: string; partial: boolean } {
  const { before, answer, after } = locateAnswer(result);
  let partial = false;
  const cut = (raw: string, limit: number, keep: "start" | "end") => {
    // A part left out whole (the context of a second or third result) is not worth escaping.
    if (limit <= 0) {
      partial ||= raw.length > 0;
      return "";
    }
    const escaped = escapeMarkdown(raw);
    const kept = truncate(escaped, limit, { keep });
    partial ||= kept !== escaped;
    return kept;
  };
  const shown = [cut(before, limits.before, "end"), cut(answer, limits.answer, "start"), cut(after, limits.after, "start")] as const;
  // Bold around a code block does not render; the block stands out on its own.
  const bold = !shown[1] || hasFence(shown[1]) ? shown[1] : `**${shown[1]}**`;
  return { text: (shown[0] + bold + shown[2]).trim(), partial };
}

function button(label: string, customId: string, style: ButtonStyle.Primary | ButtonStyle.Secondary = ButtonStyle.Secondary): APIButtonComponentWithCustomId {
  return { type: ComponentType.Button, style, label: truncate(label, LIMITS.buttonLabel, { markdown: false }), custom_id: customId };
}

function row(buttons: APIButtonComponentWithCustomId[]): ButtonRow[] {
  return buttons.length ? [{ type: ComponentType.ActionRow, components: buttons.slice(0, LIMITS.buttonsPerRow) }] : [];
}

export interface AnswerView {
  /** Who the buttons act for: presses by anyone else get their own private copy. */
  askerId: string;
  /** Rank of the first result shown, 0-based. */
  offset: number;
  state: QuestionState;
  ephemeral: boolean;
}

/**
 * An answered question: the best result's passage with the answer in bold and its citation, then one field
 * per further result with its answer sentence and citation. `answer.results` may hold one more than a page;
 * that extra result only tells whether "More results" is worth offering.
 */
export function renderAnswer(answer: Answer, view: AnswerView): Reply {
  const shown = answer.results.slice(0, PAGE_SIZE);
  const hasMore = answer.results.length > PAGE_SIZE;
  const [top, ...rest] = shown;
  if (!top) return renderNoMatch();

  // The best result gets its passage as context; the others just their answer sentence.
  const excerpts = shown.map((result, i) => (i === 0 ? excerpt(result) : excerpt(result, { before: 0, answer: 600, after: 0 })));
  // Shown, but plainly as not-an-answer: the person decides whether one of these is what they meant.
  const lead = answer.reason === "unsure" ? "I'm not sure this answers it. Closest matches:\n\n" : "";
  const embed: APIEmbed = {
    color: answer.reason === "unsure" ? COLOR_INFO : COLOR_ANSWER,
    description: `${lead}${excerpts[0]?.text ?? ""}\n\n${rest.length ? `${rank(view.offset, 0)}. ` : ""}${citationLine(top.source)}`,
    fields: rest.map((result, i) => ({
      // The field name is the citation's "Title › Section"; the value ends with the rest of it.
      name: truncate(`${rank(view.offset, i + 1)}. ${escapeMarkdown(sectionPath(result.source))}`, LIMITS.fieldName),
      value: `${excerpts[i + 1]?.text ?? ""}\n${citationLine(result.source, false)}`,
    })),
    footer: { text: footerFor(view.state, shown.length > 1 ? `Results ${rank(view.offset, 0)}–${rank(view.offset, shown.length - 1)}` : `Result ${rank(view.offset, 0)}`) },
  };
  if (!embed.fields?.length) delete embed.fields;

  const navigation: APIButtonComponentWithCustomId[] = [];
  if (view.offset > 0) {
    navigation.push(button("Previous results", encodeButton({ kind: "page", offset: Math.max(0, view.offset - PAGE_SIZE), askerId: view.askerId })));
  }
  if (hasMore) {
    navigation.push(button("More results", encodeButton({ kind: "page", offset: view.offset + PAGE_SIZE, askerId: view.askerId }), ButtonStyle.Primary));
  }
  // Only where something was left out: a passage shown whole needs no button.
  const full = shown.flatMap((result, i) =>
    excerpts[i]?.partial
      ? [button(shown.length === 1 ? "Show full passage" : `Full passage ${rank(view.offset, i)}`, encodeButton({ kind: "full", key: result.key, offset: view.offset, askerId: view.askerId }))]
      : [],
  );
  return { embeds: fitEmbeds([embed]), components: [...row(navigation), ...row(full)], ephemeral: view.ephemeral };
}

/** One whole passage, answer in bold, with a way back to the page it came from. */
export function renderPassage(result: AnswerResult, view: AnswerView): Reply {
  const whole = excerpt(result, { before: 4000, answer: 4000, after: 4000 });
  const url = safeUrl(result.source.url);
  const embed: APIEmbed = {
    color: COLOR_ANSWER,
    title: truncate(escapeMarkdown(sectionPath(result.source)), LIMITS.embedTitle),
    ...(url ? { url } : {}),
    // The title already names the document and section.
    description: `${whole.text}\n\n${citationLine(result.source, false)}`,
    footer: { text: footerFor(view.state) },
  };
  const back = button("Back to results", encodeButton({ kind: "page", offset: view.offset, askerId: view.askerId }));
  return { embeds: fitEmbeds([embed]), components: row([back]), ephemeral: view.ephemeral };
}

function notice(text: string, color = COLOR_INFO): Reply {
  return { embeds: fitEmbeds([{ color, description: text }]), components: [], ephemeral: true };
}

export function renderNoMatch(): Reply {
  return notice("I couldn't find that in the knowledge base. Try other key words, or use `/sources` to see what I know about.");
}

export function renderNoMoreResults(): Reply {
  return notice("There are no more results for that question. Try asking it another way.");
}

export function renderPassageGone(): Reply {
  return notice("That passage is no longer in the knowledge base (it was updated since). Ask again for a fresh answer.");
}

export function renderStaleButton(): Reply {
  return notice("This button belongs to an answer I can no longer read. Ask again for a fresh answer.");
}

export function renderTooLong(length: number, max: number): Reply {
  return notice(`Your question is ${length} characters long; please keep it to ${max} characters or fewer.`);
}

export function renderRateLimited(retryAfterSeconds: number): Reply {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return notice(`You're asking faster than I can keep up. Please try again in ${seconds} second${seconds === 1 ? "" : "s"}.`);
}

export function renderError(): Reply {
  return notice("Something went wrong while answering. It has been logged; please try again in a moment.", COLOR_ERROR);
}

/** How to ask; `botName` is the bot's own username, used to show what a mention looks like. */
export function renderHelp(botName = "me"): Reply {
  const name = escapeMarkdown(botName);
  const lines = [
    "I answer questions from this server's knowledge base and cite where each answer comes from.",
    "",
    "**Ask**",
    "• `/ask question:` your question. Add `private:True` to see the answer on your own.",
    `• Mention me in a channel or thread: @${name} when was the library founded?`,
    "• Send me a direct message with your question.",
    "",
    "**Follow up**",
    "In direct messages and threads, a short follow-up such as *and when was it founded?* continues your previous question.",
    "",
    "**Explore**",
    "• **More results** shows the next passages; **Full passage** shows a passage whole.",
    "• `/sources` lists the documents I know.",
  ];
  return { embeds: fitEmbeds([{ color: COLOR_INFO, title: "How to ask me", description: lines.join("\n") }]), components: [], ephemeral: true };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** Adds lines until the next would not fit, then says how many were left out. */
function linesWithin(lines: string[], max: number, more: (count: number) => string): string {
  let out = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const tail = i < lines.length - 1 ? `\n${more(lines.length - i - 1)}` : "";
    const candidate = out ? `${out}\n${line}` : line;
    if (candidate.length + tail.length > max) return truncate((out ? `${out}\n` : "") + more(lines.length - i), max);
    out = candidate;
  }
  return out;
}

function discordTime(date: Date): string {
  const seconds = Math.floor(date.getTime() / 1000);
  return `<t:${seconds}:f> (<t:${seconds}:R>)`;
}

export function renderSources(sources: SourceSummary[], lastLoad: LoadReport): Reply {
  const lines = sources.map((source) => {
    const url = safeUrl(source.url);
    const title = url ? `[${escapeMarkdown(source.title)}](${url})` : `**${escapeMarkdown(source.title)}**`;
    const sections = source.sections.length ? `${plural(source.sections.length, "section")}, ` : "";
    return `${title} — ${sections}${plural(source.passages, "passage")}`;
  });
  const c = lastLoad.changes;
  const documentChanges = [
    c.added.length && `${c.added.length} added`,
    c.changed.length && `${c.changed.length} changed`,
    c.removed.length && `${c.removed.length} removed`,
  ].filter(Boolean);
  // On the first load everything is "added": that says nothing.
  const firstLoad = c.added.length === lastLoad.documents && !c.changed.length && !c.removed.length;
  const changed = documentChanges.length && !firstLoad
    ? ` Changes in that load: documents ${documentChanges.join(", ")}; passages +${c.passagesAdded} −${c.passagesRemoved}.`
    : "";
  const summary = `${plural(lastLoad.documents, "document")}, ${plural(lastLoad.passages, "passage")}. Last loaded ${discordTime(lastLoad.loadedAt)}.${changed}`;
  const problems = lastLoad.errors.length ? `\n${plural(lastLoad.errors.length, "file")} could not be loaded; an administrator can see which with \`/reload\`.` : "";
  const embed: APIEmbed = {
    color: COLOR_INFO,
    title: "Knowledge sources",
    description: linesWithin(lines.length ? lines : ["The knowledge base is empty."], 3500, (count) => `…and ${count} more`) + `\n\n${summary}${problems}`,
  };
  return { embeds: fitEmbeds([embed]), components: [], ephemeral: true };
}

function list(items: string[], max = 10): string {
  const shown = items.slice(0, max).map((item) => escapeMarkdown(item));
  return shown.join(", ") + (items.length > max ? ` and ${items.length - max} more` : "");
}

export function renderLoadReport(report: LoadReport): Reply {
  const { changes } = report;
  const lines = [
    `Loaded ${plural(report.documents, "document")} and ${plural(report.passages, "passage")} in ${Math.round(report.durationMs)} ms.`,
    `Passages added: ${changes.passagesAdded}, removed: ${changes.passagesRemoved}.`,
  ];
  if (changes.added.length) lines.push(`Documents added: ${list(changes.added)}`);
  if (changes.removed.length) lines.push(`Documents removed: ${list(changes.removed)}`);
  if (changes.changed.length) lines.push(`Documents changed: ${list(changes.changed)}`);
  if (!changes.added.length && !changes.removed.length && !changes.changed.length) lines.push("No documents changed.");
  const embed: APIEmbed = { color: report.errors.length ? COLOR_ERROR : COLOR_INFO, title: "Knowledge reloaded", description: lines.join("\n") };
  if (report.errors.length) {
    const errors = report.errors.map((issue) => `**${escapeMarkdown(issue.path)}**: ${escapeMarkdown(issue.reason)}`);
    embed.fields = [{ name: `Errors (${report.errors.length})`, value: linesWithin(errors, LIMITS.fieldValue, (count) => `…and ${count} more`) }];
  }
  return { embeds: fitEmbeds([embed]), components: [], ephemeral: true };
}

export function renderReloadFailed(message: string): Reply {
  return notice(`Reload failed; still answering from the previous knowledge.\n${escapeMarkdown(message)}`, COLOR_ERROR);
}

/** Autocomplete choices: unique, non-empty, each name and value within 100 characters, at most 25. */
export function toChoices(suggestions: readonly string[]): { name: string; value: string }[] {
  const seen = new Set<string>();
  const choices: { name: string; value: string }[] = [];
  for (const suggestion of suggestions) {
    const text = suggestion.replace(/\s+/g, " ").trim();
    if (!text) continue;
    const value = truncate(text, LIMITS.choiceValue, { markdown: false });
    if (seen.has(value)) continue;
    seen.add(value);
    choices.push({ name: truncate(neutralisePlain(text), LIMITS.choiceName, { markdown: false }), value });
    if (choices.length === LIMITS.choices) break;
  }
  return choices;
}
