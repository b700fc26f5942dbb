import type { Answer, AnswerResult } from "../answer/types.ts";

/** Styles for terminal output; plain when output is not a terminal, so pipes get clean text. */
export interface Style {
  answer(text: string): string;
  term(text: string): string;
  dim(text: string): string;
}

export const plainStyle: Style = { answer: (t) => t, term: (t) => t, dim: (t) => t };
export const ansiStyle: Style = {
  answer: (t) => `\x1b[1m${t}\x1b[22m`,
  term: (t) => `\x1b[4m${t}\x1b[24m`,
  dim: (t) => `\x1b[2m${t}\x1b[22m`,
};

/** "Title › Section › Sub (passage 3, path:12) url" */
export function citation(result: AnswerResult): string {
  const s = result.source;
  const where = [s.title, ...s.section].join(" › ");
  return `${where} (passage ${s.passage}, ${s.path}:${s.line})${s.url ? " " + s.url : ""}`;
}

/** The passage with its answer sentence styled and query words marked inside it. */
function styledPassage(result: AnswerResult, style: Style): string {
  const { text, answerStart } = result;
  const answerEnd = answerStart + result.answer.length;
  let out = "";
  let at = 0;
  const piece = (from: number, to: number) => {
    if (to <= from) return;
    const chunk = text.slice(from, to);
    out += from >= answerStart && to <= answerEnd ? style.answer(chunk) : chunk;
  };
  const cuts = [answerStart, answerEnd];
  const emit = (to: number) => {
    const stops = cuts.filter((c) => c > at && c < to);
    for (const stop of stops) {
      piece(at, stop);
      at = stop;
    }
    piece(at, to);
    at = to;
  };
  for (const h of result.highlights) {
    emit(h.start);
    const term = text.slice(h.start, h.end);
    out += h.start >= answerStart && h.end <= answerEnd ? style.answer(style.term(term)) : style.term(term);
    at = h.end;
  }
  emit(text.length);
  return out;
}

/** An answer for a person reading a terminal. */
export function renderAnswer(answer: Answer, style: Style = plainStyle): string {
  if (answer.results.length === 0) {
    return answer.reason === "empty-question"
      ? "Please ask a question in words, for example: What is this knowledge base about?"
      : "I couldn't find that in the knowledge base. Try other words, or ask about one of the topics it covers.";
  }
  const lines: string[] = [];
  const unsure = answer.reason === "unsure";
  if (unsure) lines.push("I'm not sure this answers it. Closest matches:", "");
  answer.results.forEach((r, i) => {
    if (i === 0 && !unsure) lines.push(`Answer: ${style.answer(r.answer)}`, "");
    lines.push(`${i + 1}. ${styledPassage(r, style).replace(/\n/g, "\n   ")}`);
    lines.push(style.dim(`   — ${citation(r)}`), "");
  });
  return lines.join("\n").trimEnd();
}
