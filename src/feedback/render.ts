/**
 * The gaps report as text: for a terminal (with a sparkline of outcomes per day), or as chunks that each fit
 * a chat message. What people typed and what the knowledge says go through `escape`, so that a chat
 * adapter can neutralise mentions and markup in them.
 */
import { OUTCOMES } from "./question-log.ts";
import type { Gap, GapsReport, Usage } from "./report.ts";
import { SECTION_SEPARATOR } from "./teach.ts";

export interface RenderOptions {
  /** Applied to every piece of text from the log or the knowledge (questions, titles, passages, feedback). */
  escape?: (text: string) => string;
  /** Per-day sparklines (a terminal); off where a chart is sent instead. Default true. */
  sparklines?: boolean;
  /** How to teach a gap's question to its closest passage, e.g. the CLI command; no teach line without it. */
  teachHint?: (question: string, passageKey: string) => string;
}

const BARS = "▁▂▃▄▅▆▇█";
/** Words of a passage's answer listed as candidates for a synonym. */
const OFFERED_SHOWN = 6;
const QUOTED_MAX = 160;

/** One character per value, scaled to `max`: a space for 0, then ▁ to █. */
export function sparkline(values: readonly number[], max = Math.max(0, ...values)): string {
  return values.map((v) => (v <= 0 || max <= 0 ? " " : (BARS[Math.min(BARS.length, Math.ceil((v / max) * BARS.length)) - 1] ?? "█"))).join("");
}

function clip(text: string, max = QUOTED_MAX): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const chars = [...flat];
  return chars.length <= max ? flat : chars.slice(0, max - 1).join("") + "…";
}

/** Single-quoted for a POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function cliTeachHint(question: string, passageKey: string): string {
  return `npm run gaps -- --teach ${shellQuote(question)} --passage ${passageKey}`;
}

function gapLines(gap: Gap, n: number, options: Required<Pick<RenderOptions, "escape">> & RenderOptions): string[] {
  const e = options.escape;
  const quote = (text: string) => `"${e(clip(text))}"`;
  const mix = gap.outcomes.unsure && gap.outcomes["no-match"] ? `${gap.outcomes["no-match"]} no-match and ${gap.outcomes.unsure} unsure` : gap.outcome;
  const others = gap.wordings.slice(1, 4);
  const lines = [
    `${n}. ${quote(gap.question)}: asked ${gap.count}×, ${mix}${others.length ? ` (also asked as ${others.map(quote).join(", ")}${gap.wordings.length > 4 ? ", …" : ""})` : ""}`,
  ];
  const s = gap.suggestion;
  if (!s) {
    lines.push("   Nothing in the knowledge shares its words: write a passage that answers it.");
    return lines;
  }
  const where = e([s.passage.title, ...s.passage.section].join(SECTION_SEPARATOR));
  const cite = `${where} (${e(s.passage.path)}, key ${s.passage.key})`;
  if (s.now === "answered") {
    lines.push(`   Answered now (the knowledge changed since): ${cite}`);
    return lines;
  }
  lines.push(
    `   Closest passage${s.now === "weak" ? ", sharing only some of its words" : " (the engine is unsure of it)"}: ${cite}`,
    `     ${quote(s.passage.answer)}`,
  );
  if (s.missing.length) lines.push(`     It lacks: ${s.missing.map(e).join(", ")}`);
  const section = s.alias.section.length ? `, section "${e(s.alias.section.join(SECTION_SEPARATOR))}"` : "";
  lines.push(`   Fix, if that passage answers it: an alias in ${e(s.alias.path)}${section}: aliases: [${e(JSON.stringify(s.alias.phrase))}]`);
  if (s.synonym) lines.push(`     or a synonyms line: ${e(s.synonym)}`);
  else if (s.missing.length && s.offered.length) {
    const offered = s.offered.slice(0, OFFERED_SHOWN).map(e).join(", ");
    const templates = s.missing.map((word) => `"${e(word)}, …"`).join(", ");
    const one = s.missing.length === 1;
    lines.push(
      `     or ${one ? "a synonyms line" : "synonyms lines"} ${templates} with the passage's word${one ? "" : "s"} for ${one ? "it" : "them"} (its answer has: ${offered})`,
    );
  }
  if (options.teachHint) lines.push(`     or teach it: ${options.teachHint(gap.question, s.passage.key)}`);
  lines.push("   If it does not, write a passage that answers it.");
  return lines;
}

function usageLine(label: string, usage: readonly Usage[], e: (text: string) => string): string {
  if (!usage.length) return `${label}: none`;
  const name = (u: Usage) => e(u.section ? `${u.path} › ${u.section.join(SECTION_SEPARATOR)}` : u.path);
  return `${label}: ${usage.map((u) => `${name(u)} (${u.shown}${u.first ? `, ${u.first} first` : ""}${u.gone ? ", no longer in the knowledge" : ""})`).join("; ")}`;
}

/** The report as lines of text, sections separated by blank lines. */
export function reportLines(report: GapsReport, options: RenderOptions = {}): string[] {
  const e = options.escape ?? ((text: string) => text);
  const t = report.totals;
  const lines = [
    `${t.questions} question${t.questions === 1 ? "" : "s"} from ${report.from} to ${report.to} (UTC): ${t.answered} answered, ${t.unsure} unsure, ${t["no-match"]} no-match.`,
  ];
  if (options.sparklines ?? true) {
    const max = Math.max(0, ...report.perDay.flatMap((d) => OUTCOMES.map((o) => d[o])));
    lines.push("", `Per day, ${report.from} to ${report.to}:`);
    for (const outcome of OUTCOMES)
      lines.push(
        `  ${outcome.padEnd(9)} ${sparkline(
          report.perDay.map((d) => d[outcome]),
          max,
        )}  ${t[outcome]}`,
      );
  }

  lines.push("", report.gaps.length ? "Asked and not answered, most often first:" : "Asked and not answered: none.");
  report.gaps.forEach((gap, i) => lines.push(...gapLines(gap, i + 1, { ...options, escape: e })));

  lines.push("", report.disliked.length ? "Answers voted 👎, most often first:" : "Answers voted 👎: none.");
  report.disliked.forEach((d, i) => {
    const what = d.passage ? `${e([d.passage.path, ...d.passage.section].join(SECTION_SEPARATOR))} (key ${d.passage.key})` : "no passage shown";
    lines.push(`${i + 1}. 👎 ${d.down}  👍 ${d.up}  ${what}`);
    lines.push(
      `   for: ${d.questions
        .slice(0, 3)
        .map((q) => `"${e(clip(q))}"`)
        .join(", ")}${d.questions.length > 3 ? ", …" : ""}`,
    );
    for (const text of d.feedback) lines.push(`   feedback: "${e(clip(text, 300))}"`);
  });

  lines.push(
    "",
    usageLine("Documents most shown", report.documents.most, e),
    usageLine("Documents least shown", report.documents.least, e),
    usageLine("Sections most shown", report.sections.most, e),
    usageLine("Sections least shown", report.sections.least, e),
  );
  return lines;
}

/** The report for a terminal. */
export function reportText(report: GapsReport, options: RenderOptions = {}): string {
  return reportLines(report, options).join("\n") + "\n";
}

/** Splits text into pieces of at most `max` characters (UTF-16 units, as chat limits count), never inside a surrogate pair. */
function hardCut(line: string, max: number): string[] {
  const out: string[] = [];
  let piece = "";
  for (const ch of line) {
    if (piece.length + ch.length > max) {
      out.push(piece);
      piece = "";
    }
    piece += ch;
  }
  if (piece) out.push(piece);
  return out;
}

/** Lines packed into chunks of at most `max` characters, split between lines (a longer line alone is cut). */
function packLines(lines: readonly string[], max: number): string[] {
  const chunks: string[] = [];
  let current = "";
  const flush = () => {
    if (current.trim()) chunks.push(current.replace(/\n+$/, ""));
    current = "";
  };
  for (const line of lines) {
    for (const piece of line.length > max ? hardCut(line, max) : [line]) {
      const next = current ? `${current}\n${piece}` : piece;
      if (next.length > max) {
        flush();
        // A chunk does not start with the blank line that separated it from the last.
        current = piece.trim() ? piece : "";
      } else current = next;
    }
  }
  flush();
  return chunks;
}

/**
 * Lines packed into chunks of at most `maxLength` characters. An entry (a line and the indented lines
 * under it) stays in one chunk when it fits in one; otherwise chunks are split between lines, and only
 * a line longer than the limit is cut.
 */
export function chunkLines(lines: readonly string[], maxLength: number): string[] {
  const entries: string[][] = [];
  for (const line of lines) {
    const last = entries[entries.length - 1];
    if (last && /^\s/.test(line)) last.push(line);
    else entries.push([line]);
  }
  const chunks: string[] = [];
  for (const entry of entries) {
    const text = entry.join("\n");
    const last = chunks[chunks.length - 1];
    if (last !== undefined && `${last}\n${text}`.length <= maxLength) chunks[chunks.length - 1] = `${last}\n${text}`;
    else chunks.push(...packLines(entry, maxLength));
  }
  return chunks.map((c) => c.replace(/^\n+|\n+$/g, "")).filter((c) => c.trim());
}

/** The report as chat messages of at most `maxLength` characters each, without sparklines (a chart goes with them). */
export function reportChunks(report: GapsReport, options: RenderOptions & { maxLength: number }): string[] {
  return chunkLines(reportLines(report, { sparklines: false, ...options }), options.maxLength);
}
