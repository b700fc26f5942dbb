/**
 * Answers as terminal text: the best result's passage around its answer, then the other results' answer
 * units, each with its citation. Wrapped to a width when one is given (a terminal's columns); unwrapped
 * otherwise, so a pipe gets one line per paragraph. Styles are ANSI on a terminal and plain in a pipe,
 * where the answer is marked the Markdown way (`**…**`) since bold would not show.
 */
import wrapAnsi from "wrap-ansi";
import { excerptWindow, fileLine, sectionTrail, unitsOf, type Unit } from "../answer/display.ts";
import type { Answer, AnswerResult, Highlight } from "../answer/types.ts";

export interface Style {
  /** The answer. */
  answer(text: string): string;
  /** A query word in a passage. */
  term(text: string): string;
  /** Citations and other secondary text. */
  dim(text: string): string;
}

export const plainStyle: Style = { answer: (t) => `**${t}**`, term: (t) => t, dim: (t) => t };
export const ansiStyle: Style = {
  answer: (t) => `\x1b[1m${t}\x1b[22m`,
  term: (t) => `\x1b[4m${t}\x1b[24m`,
  dim: (t) => `\x1b[2m${t}\x1b[22m`,
};

export interface RenderOptions {
  style?: Style;
  /** Columns to wrap to; undefined for no wrapping. */
  width?: number;
  /** A few things the knowledge covers, named when nothing matched. */
  topics?: readonly string[];
}

/** Marks the answer where bold alone would not show it: a list item, a table row, the line above code. */
const MARKER = "➤";
/** The narrowest wrapping worth doing: below it, long lines are left to the terminal. */
const MIN_WIDTH = 30;
const TOP_LIMITS = { before: 300, answer: 900, after: 500 };

/** "Title › Section · path:line · url" */
export function citation(result: AnswerResult): string {
  const s = result.source;
  return [sectionTrail(s), fileLine(s), ...(s.url ? [s.url] : [])].join(" · ");
}

/** Text with the query words in it styled: `highlights` are offsets into the passage, `from` is where `text` starts in it. */
function withTerms(text: string, from: number, highlights: readonly Highlight[], style: Style): string {
  let out = "";
  let at = 0;
  for (const h of highlights) {
    const start = Math.max(h.start - from, at);
    const end = Math.min(h.end - from, text.length);
    if (end <= start) continue;
    out += text.slice(at, start) + style.term(text.slice(start, end));
    at = end;
  }
  return out + text.slice(at);
}

/** One unit laid out: `prefix` before its first line (a bullet, a marker), as much space before the others. */
interface Block {
  prefix: string;
  /** Before wrapped lines, when not as wide as `prefix` (a table row's cells run on indented). */
  hang?: string;
  text: string;
  /** Code keeps its lines as they are. */
  wrap: boolean;
}

/** `alone`: the unit is shown without its passage (a further result), so a list item needs no bullet. */
function unitBlocks(result: AnswerResult, unit: Unit, style: Style, highlight: boolean, alone: boolean): Block[] {
  const marked = highlight && unit.answer;
  switch (unit.kind) {
    case "sentence": {
      const text = withTerms(result.text.slice(unit.start, unit.end), unit.start, result.highlights, style);
      return [{ prefix: "", text: marked ? style.answer(text) : text, wrap: true }];
    }
    case "item": {
      const indent = alone ? "" : "  ".repeat(unit.depth);
      const number = unit.marker === "-" ? "" : `${unit.marker} `;
      const prefix = marked ? `${indent}${MARKER} ${number}` : alone ? number : `${indent}${number || "• "}`;
      return [{ prefix, text: marked ? style.answer(unit.content) : unit.content, wrap: true }];
    }
    case "row": {
      const filled = unit.cells.slice(0, unit.cells.findLastIndex((cell) => cell !== "") + 1);
      const row = filled.join(" │ ");
      return [{ prefix: marked ? `${MARKER} ` : "", hang: "  ", text: marked ? style.answer(row) : unit.header ? style.dim(row) : row, wrap: true }];
    }
    case "code": {
      const code: Block = { prefix: "    ", text: unit.body.replace(/\s+$/, ""), wrap: false };
      return marked ? [{ prefix: `${MARKER} `, text: style.answer("Answer:"), wrap: true }, code] : [code];
    }
  }
}

function layout(block: Block, width: number | undefined, indent: string): string {
  const hang = block.hang ?? " ".repeat([...block.prefix].length);
  const lines =
    block.wrap && width !== undefined ? wrapAnsi(block.text, Math.max(MIN_WIDTH, width - indent.length - hang.length)).split("\n") : block.text.split("\n");
  return lines.map((line, i) => `${indent}${i ? hang : block.prefix}${line}`.trimEnd()).join("\n");
}

/**
 * A passage as terminal text: with `full`, the answer standing out among the whole units around it;
 * otherwise the answer's units alone. Sentences on one line are wrapped together as one paragraph.
 */
function passageText(result: AnswerResult, options: { style: Style; width: number | undefined; indent: string; full: boolean }): string {
  const { style, width, indent, full } = options;
  const units = unitsOf(result);
  const window = excerptWindow(units, (i) => (units[i] as Unit).end - (units[i] as Unit).start, full ? TOP_LIMITS : { before: 0, after: 0 });
  const labelled = units.findIndex((unit) => unit.answer);
  const shown: { gap: string; blocks: Block[] }[] = [];
  if (window.header !== undefined) {
    shown.push({ gap: "", blocks: unitBlocks(result, units[window.header] as Unit, style, full, false) });
    if (window.header < window.from - 1) shown.push({ gap: "\n", blocks: [{ prefix: "", text: "…", wrap: false }] });
  }
  for (let i = window.from; i < window.to; i++) {
    const unit = units[i] as Unit;
    // Code after a highlighted sentence of the same answer needs no label of its own.
    const highlight = full && (unit.kind !== "code" || i === labelled);
    const blocks = unitBlocks(result, unit, style, highlight, !full);
    const last = shown[shown.length - 1];
    const previous = last?.blocks[last.blocks.length - 1];
    if (unit.kind === "sentence" && !unit.gap.includes("\n") && previous?.wrap && previous.prefix === "" && last?.blocks.length === 1) {
      previous.text += unit.gap + (blocks[0]?.text ?? "");
    } else shown.push({ gap: shown.length ? unit.gap || "\n" : "", blocks });
  }
  return shown.map(({ gap, blocks }) => (gap.includes("\n\n") ? "\n\n" : gap ? "\n" : "") + blocks.map((b) => layout(b, width, indent)).join("\n")).join("");
}

function wrapped(text: string, width: number | undefined): string {
  return layout({ prefix: "", text, wrap: true }, width, "");
}

/** An answer for a person reading a terminal. */
export function renderAnswer(answer: Answer, options: RenderOptions = {}): string {
  const style = options.style ?? plainStyle;
  const width = options.width !== undefined && options.width >= MIN_WIDTH ? options.width : undefined;
  if (answer.results.length === 0) {
    if (answer.reason === "empty-question") return wrapped("Please ask a question in words, for example: What is this knowledge base about?", width);
    const topics = options.topics ?? [];
    const miss = wrapped(
      `I couldn't find that in the knowledge base. Try other words${topics.length ? ", or ask about what it covers, for example:" : "."}`,
      width,
    );
    return [miss, ...topics.map((topic) => layout({ prefix: "• ", text: topic, wrap: true }, width, "  "))].join("\n");
  }
  const unsure = answer.reason === "unsure";
  const cite = (result: AnswerResult, indent: string) => layout({ prefix: "— ", text: style.dim(citation(result)), wrap: true }, width, indent);
  const parts: string[] = [];
  answer.results.forEach((result, i) => {
    if (i === 0 && !unsure) {
      parts.push(`${passageText(result, { style, width, indent: "", full: true })}\n${cite(result, "  ")}`);
      return;
    }
    if (i === 0) parts.push(wrapped("I'm not sure this answers it — closest matches:", width));
    if (i === 1 && !unsure) parts.push("More results:");
    const number = `${i + 1}. `;
    const hang = " ".repeat(number.length);
    const body = passageText(result, { style, width, indent: hang, full: false });
    parts.push(`${number}${body.slice(hang.length)}\n${cite(result, hang)}`);
  });
  return parts.join("\n\n");
}
