/**
 * Rendering: engine values in, Discord message payloads out. Pure functions, no I/O, no client; every
 * payload leaves here escaped and within Discord's limits, so the adapters only choose how to send it.
 */
import {
  ButtonStyle,
  ComponentType,
  TextInputStyle,
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIEmbed,
  type APIModalInteractionResponseCallbackData,
} from "discord.js";
import { fileLine, plural, sectionTrail } from "../answer/display.ts";
import type { Answer, AnswerResult } from "../answer/types.ts";
import type { LoadReport, SourceSummary } from "../answer/engine.ts";
import type { PassageSource } from "../knowledge/types.ts";
import type { FeedbackResult, VoteResult } from "../feedback/question-log.ts";
import { encodeButton, encodeFeedbackModal } from "./custom-id.ts";
import { LIMITS, fitEmbeds, truncate } from "./limits.ts";
import {
  boldMarkdown,
  codeSpan,
  escapeMarkdown,
  excerpt,
  inlineMarkdown,
  maskedLink,
  neutralisePlain,
  restorePlain,
  safeUrl,
  type ExcerptLimits,
} from "./markdown.ts";

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

/** "Title › Section" as Discord Markdown (in bold with `bold`), short enough for a field name with its rank. */
function trail(source: PassageSource, bold = false): string {
  const text = sectionTrail(source);
  return truncate(bold ? boldMarkdown(text) : inlineMarkdown(text), 200);
}

/** "`guide/cli.md:52` · [open](url)": where the passage is, and a link when its document has one. */
function whereLine(source: PassageSource): string {
  const url = safeUrl(source.url);
  return codeSpan(fileLine(source)) + (url ? ` · [open](${url})` : "");
}

/**
 * The citation in one line: "**Title › Section** · `path:line` · [open](url)", the title and section
 * said once, the file and line where the passage starts rather than a passage number.
 */
export function citationLine(source: PassageSource): string {
  return `${trail(source, true)} · ${whereLine(source)}`;
}

function rank(offset: number, index: number): number {
  return offset + index + 1;
}

/** The best result's context: a few sentences before the answer, more after it. */
const TOP_LIMITS: ExcerptLimits = { before: 300, answer: 900, after: 500 };
/** A further result (or a closest match) shows only its answer unit. */
const UNIT_ANSWER = 600;

function button(
  label: string,
  customId: string,
  style: ButtonStyle.Primary | ButtonStyle.Secondary = ButtonStyle.Secondary,
  emoji?: string,
): APIButtonComponentWithCustomId {
  return {
    type: ComponentType.Button,
    style,
    label: truncate(label, LIMITS.buttonLabel, { markdown: false }),
    custom_id: customId,
    ...(emoji ? { emoji: { name: emoji } } : {}),
  };
}

/** 👍 and 👎 for the answer to logged question `logId`, on a row of their own below any paging. */
export function voteRow(logId: number | undefined): ButtonRow[] {
  if (logId === undefined) return [];
  return row([
    button("Helpful", encodeButton({ kind: "vote", vote: "up", logId }), ButtonStyle.Secondary, "👍"),
    button("Not helpful", encodeButton({ kind: "vote", vote: "down", logId }), ButtonStyle.Secondary, "👎"),
  ]);
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
  /** The question's row in the question log: the answer then carries 👍 and 👎. */
  logId?: number | undefined;
}

/**
 * An answer. Answered: the best result's passage around the answer (which stands out) and its citation,
 * then one field per further result with its answer unit and citation. Unsure: said first, then every
 * result as a field, plainly as closest matches rather than an answer. `answer.results` may hold one
 * more than a page; that extra result only tells whether "More results" is worth offering.
 */
export function renderAnswer(answer: Answer, view: AnswerView): Reply {
  const shown = answer.results.slice(0, PAGE_SIZE);
  const hasMore = answer.results.length > PAGE_SIZE;
  const [top] = shown;
  if (!top) return renderNoMatch(view.logId);
  const unsure = answer.reason === "unsure";

  const fielded = unsure ? shown : shown.slice(1);
  const fieldOffset = unsure ? 0 : 1;
  const fields = fielded.map((result, i) => {
    const where = whereLine(result.source);
    const unit = excerpt(
      result,
      { before: 0, answer: Math.min(UNIT_ANSWER, LIMITS.fieldValue - where.length - 1), after: 0 },
      { highlight: false, codeLabel: "" },
    );
    return {
      name: truncate(`${rank(view.offset, i + fieldOffset)}. ${trail(result.source)}`, LIMITS.fieldName),
      value: `${unit.text}\n${where}`,
      partial: unit.partial,
    };
  });
  const best = unsure ? undefined : excerpt(top, TOP_LIMITS);
  const description = best
    ? `${best.text}\n\n${shown.length > 1 ? `${rank(view.offset, 0)}. ` : ""}${citationLine(top.source)}`
    : `I'm not sure this answers it — closest matches:`;
  const embed: APIEmbed = {
    color: unsure ? COLOR_INFO : COLOR_ANSWER,
    description,
    ...(fields.length ? { fields: fields.map(({ name, value }) => ({ name, value })) } : {}),
    footer: {
      text: footerFor(
        view.state,
        shown.length > 1 ? `Results ${rank(view.offset, 0)}–${rank(view.offset, shown.length - 1)}` : `Result ${rank(view.offset, 0)}`,
      ),
    },
  };

  const navigation: APIButtonComponentWithCustomId[] = [];
  if (view.offset > 0) {
    navigation.push(
      button("Previous results", encodeButton({ kind: "page", offset: Math.max(0, view.offset - PAGE_SIZE), askerId: view.askerId, logId: view.logId })),
    );
  }
  if (hasMore) {
    navigation.push(
      button("More results", encodeButton({ kind: "page", offset: view.offset + PAGE_SIZE, askerId: view.askerId, logId: view.logId }), ButtonStyle.Primary),
    );
  }
  // Only where something was left out: a passage shown whole needs no button.
  const partial = shown.map((_, i) => (i === 0 && best ? best.partial : fields[i - fieldOffset]?.partial === true));
  const full = shown.flatMap((result, i) =>
    partial[i]
      ? [
          button(
            shown.length === 1 ? "Show full passage" : `Full passage ${rank(view.offset, i)}`,
            encodeButton({ kind: "full", key: result.key, offset: view.offset, askerId: view.askerId, logId: view.logId }),
          ),
        ]
      : [],
  );
  return { embeds: fitEmbeds([embed]), components: [...row(navigation), ...row(full), ...voteRow(view.logId)], ephemeral: view.ephemeral };
}

/** One whole passage, its answer standing out, with a way back to the page it came from. */
export function renderPassage(result: AnswerResult, view: AnswerView): Reply {
  const whole = excerpt(result, { before: 4000, answer: 4000, after: 4000 }, { highlight: true, codeLabel: "Best match:" });
  const url = safeUrl(result.source.url);
  const embed: APIEmbed = {
    color: COLOR_ANSWER,
    title: truncate(inlineMarkdown(sectionTrail(result.source)), LIMITS.embedTitle),
    ...(url ? { url } : {}),
    // The title already names the document and section, and links to it.
    description: `${whole.text}\n\n${codeSpan(fileLine(result.source))}`,
    footer: { text: footerFor(view.state) },
  };
  const back = button("Back to results", encodeButton({ kind: "page", offset: view.offset, askerId: view.askerId, logId: view.logId }));
  return { embeds: fitEmbeds([embed]), components: [...row([back]), ...voteRow(view.logId)], ephemeral: view.ephemeral };
}

function notice(text: string, color = COLOR_INFO): Reply {
  return { embeds: fitEmbeds([{ color, description: text }]), components: [], ephemeral: true };
}

/** With `logId`, 👍 and 👎 too: a vote on "nothing found" says whether nothing was what the asker needed. */
export function renderNoMatch(logId?: number): Reply {
  const reply = notice("I couldn't find that in the knowledge base. Try other key words, or use `/sources` to see what I know about.");
  return { ...reply, components: voteRow(logId) };
}

const VOTED: Record<Exclude<VoteResult, "unknown-question" | "unavailable">, (emoji: string) => string> = {
  recorded: (emoji) => `Thanks, your ${emoji} is recorded.`,
  changed: (emoji) => `Thanks, your vote is now ${emoji}.`,
  unchanged: (emoji) => `You already voted ${emoji} on this answer.`,
};

/** The private acknowledgement of a vote; a 👎 also offers to say what was missing. */
export function renderVoted(result: VoteResult, vote: "up" | "down", logId: number): Reply {
  if (result === "unknown-question") return renderFeedbackGone();
  if (result === "unavailable") return renderFeedbackUnavailable();
  const emoji = vote === "up" ? "👍" : "👎";
  const reply = notice(VOTED[result](emoji) + (vote === "down" ? " What were you looking for? It helps whoever keeps the knowledge base fill the gap." : ""));
  return vote === "down"
    ? { ...reply, components: row([button("Tell us what you were looking for", encodeButton({ kind: "tell", logId }), ButtonStyle.Primary)]) }
    : reply;
}

/** The custom id of the feedback modal's one text field. */
export const FEEDBACK_FIELD = "text";
/** Discord's limits for modals: title and field label 45 characters, a text input 4000. */
const MODAL_TITLE_MAX = 45;
const MODAL_INPUT_MAX = 4000;

/** "Tell us what you were looking for": one optional paragraph of at most `maxLength` characters. */
export function feedbackModal(logId: number, maxLength: number): APIModalInteractionResponseCallbackData {
  return {
    custom_id: encodeFeedbackModal(logId),
    title: truncate("Tell us what you were looking for", MODAL_TITLE_MAX, { markdown: false }),
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.TextInput,
            custom_id: FEEDBACK_FIELD,
            style: TextInputStyle.Paragraph,
            label: truncate("What did you hope to find?", MODAL_TITLE_MAX, { markdown: false }),
            placeholder: "The answer you needed, or the words you would search with",
            required: false,
            max_length: Math.min(maxLength, MODAL_INPUT_MAX),
          },
        ],
      },
    ],
  };
}

const FEEDBACK_SAID: Record<FeedbackResult, string> = {
  recorded: "Thanks, your feedback is recorded.",
  replaced: "Thanks, your feedback replaces what you wrote before.",
  empty: "Nothing was written, so nothing was recorded. Thanks anyway.",
  "too-long": "That is longer than I keep; please shorten it and try again.",
  "unknown-question": "",
  unavailable: "",
};

export function renderFeedbackThanks(result: FeedbackResult): Reply {
  if (result === "unknown-question") return renderFeedbackGone();
  if (result === "unavailable") return renderFeedbackUnavailable();
  return notice(FEEDBACK_SAID[result]);
}

/** A vote on an answer the question log no longer holds (its retention ran out) or never did. */
export function renderFeedbackGone(): Reply {
  return notice("I no longer have this answer in my question log (old answers are deleted after a while), so the vote was not recorded. Thanks anyway.");
}

/** The log is failing now: said plainly, answering goes on. */
export function renderFeedbackUnavailable(): Reply {
  return notice("I can't record feedback right now; please try again later.", COLOR_ERROR);
}

/** A vote button from before the operator turned the question log off. */
export function renderFeedbackOff(): Reply {
  return notice("Feedback is turned off on this bot, so nothing was recorded.");
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

/** `/reload`, `/gaps` and `/teach` used by someone who is not an administrator, or outside a server. */
export function renderAdminOnly(command: string): Reply {
  return notice(`Only server administrators can use \`/${command}\`, and only in a server.`);
}

/** Why /teach or /gaps could do nothing: `text` is Discord Markdown, anything typed already escaped. */
export function renderTeachProblem(text: string): Reply {
  return notice(text, COLOR_ERROR);
}

const UNDO_HINT = "Undo: `/teach` with the same question and passage, and `remove:True`.";

/** A teach record stored, and where the question now ranks its passage (0: not among the first five). */
export function renderTaught(taught: { id: number; question: string; source: PassageSource; rank: number; reloadFailed?: string }): Reply {
  const lines = [`Taught #${taught.id}: “${escapeMarkdown(taught.question.replace(/\s+/g, " ").trim())}” → ${citationLine(taught.source)}`];
  if (taught.reloadFailed !== undefined)
    lines.push(`The knowledge could not be reloaded, so it takes effect on the next reload: ${escapeMarkdown(taught.reloadFailed)}`);
  else if (taught.rank === 1) lines.push("Asked now, that question finds this passage first.");
  else if (taught.rank > 1) lines.push(`Asked now, that question finds this passage at rank ${taught.rank}.`);
  else
    lines.push(
      "Asked now, that question still does not find this passage among its first results; an alias or synonym in the knowledge folder may do better (see `/gaps`).",
    );
  lines.push(UNDO_HINT);
  return notice(lines.join("\n"));
}

export function renderTeachRemoved(ids: readonly number[], reloadFailed: string | undefined): Reply {
  const lines = [`Removed teach record${ids.length === 1 ? "" : "s"} ${ids.map((id) => `#${id}`).join(", ")}.`];
  if (reloadFailed !== undefined) lines.push(`The knowledge could not be reloaded, so it takes effect on the next reload: ${escapeMarkdown(reloadFailed)}`);
  return notice(lines.join("\n"));
}

export function renderReloadRefused(): Reply {
  return renderAdminOnly("reload");
}

/** For an interaction the bot never asks for (a context-menu command, a modal, a select menu, a future kind). */
export function renderUnsupported(): Reply {
  return notice("I can't handle that here. Use `/ask` for questions, or `/help` to see what I can do.");
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
  const titles = new Map<string, number>();
  for (const source of sources) titles.set(source.title, (titles.get(source.title) ?? 0) + 1);
  const lines = sources.map((source) => {
    const url = safeUrl(source.url);
    const title = url ? maskedLink(source.title, url) : boldMarkdown(source.title);
    // Two documents called "Introduction" are told apart by their paths.
    const path = (titles.get(source.title) ?? 0) > 1 ? ` ${codeSpan(source.path)}` : "";
    const sections = source.sections.length ? `${plural(source.sections.length, "section")}, ` : "";
    return `${title}${path} — ${sections}${plural(source.passages, "passage")}`;
  });
  const c = lastLoad.changes;
  const documentChanges = [
    c.added.length && `${c.added.length} added`,
    c.changed.length && `${c.changed.length} changed`,
    c.removed.length && `${c.removed.length} removed`,
  ].filter(Boolean);
  // On the first load everything is "added": that says nothing.
  const firstLoad = c.added.length === lastLoad.documents && !c.changed.length && !c.removed.length;
  const changed =
    documentChanges.length && !firstLoad
      ? ` Changes in that load: documents ${documentChanges.join(", ")}; passages +${c.passagesAdded} −${c.passagesRemoved}.`
      : "";
  const summary = `${plural(lastLoad.documents, "document")}, ${plural(lastLoad.passages, "passage")}. Last loaded ${discordTime(lastLoad.loadedAt)}.${changed}`;
  const problems = lastLoad.errors.length
    ? `\n${plural(lastLoad.errors.length, "file")} could not be loaded; an administrator can see which with \`/reload\`.`
    : "";
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
