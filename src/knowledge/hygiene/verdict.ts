/** Output: cut the flagged spans out of a block, mend the seams, and say why each span went. */
import { lineAt } from "../blocks.ts";
import type { FlaggedSpan } from "../types.ts";
import { CLAUSE_OPENERS, COMPLEMENTIZERS, CONJUNCTIONS, DETERMINERS, PREPOSITIONS } from "./lexicon.ts";
import { trimRange } from "./ranges.ts";
import type { BlockVerdict, Finding, FindingKind, HygieneBlock, Range, Removal, Unit } from "./types.ts";

const KIND_LABEL: Record<FindingKind, string> = {
  debris: "markup debris",
  narrative: "narrative text unrelated to the document",
  run: "run of narrative sentences unrelated to the document",
  splice: "narrative text spliced into a sentence",
  context: "fragment next to injected text",
};

function describe(findings: Finding[]): string {
  const merged = new Map<FindingKind, Finding>();
  for (const finding of new Set(findings)) {
    const into = merged.get(finding.kind);
    if (!into) {
      merged.set(finding.kind, { ...finding, signals: [...finding.signals] });
      continue;
    }
    for (const s of finding.signals) if (!into.signals.includes(s)) into.signals.push(s);
    if (finding.total !== undefined) {
      into.found = (into.found ?? 0) + (finding.found ?? 0);
      into.total = (into.total ?? 0) + finding.total;
    }
  }
  return [...merged.values()]
    .map((f) => {
      const details = [...f.signals];
      if (f.total) details.push(`${f.found ?? 0} of ${f.total} content words found elsewhere in the document`);
      return details.length ? `${KIND_LABEL[f.kind]} (${details.join("; ")})` : KIND_LABEL[f.kind];
    })
    .join("; ");
}

export function verdict(block: HygieneBlock, units: Unit[]): BlockVerdict {
  const text = block.text;
  const cuts: Array<Range & { findings: Finding[] }> = [];
  for (const unit of units) {
    if (unit.flagged) cuts.push({ start: unit.start, end: unit.end, findings: [unit.flagged] });
    else if (unit.trim) cuts.push({ start: unit.trim.start, end: unit.trim.end, findings: [unit.trim.finding] });
  }
  if (cuts.length === 0) return { text, removed: [], flagged: [] };
  cuts.sort((a, b) => a.start - b.start);

  // Neighbouring cuts with only spacing and punctuation between them are one span.
  const merged: Array<Range & { findings: Finding[] }> = [];
  for (const cut of cuts) {
    const last = merged[merged.length - 1];
    if (last && /^[\s\p{P}]*$/u.test(text.slice(last.end, cut.start))) {
      last.end = Math.max(last.end, cut.end);
      last.findings.push(...cut.findings);
    } else merged.push({ ...cut, findings: [...cut.findings] });
  }
  // Widen each cut over punctuation that would dangle at the seam.
  merged.forEach((cut, k) => {
    const floor = merged[k - 1]?.end ?? 0;
    // Never across a line break: list items and hard breaks keep their lines.
    const before = /[ \t,;:—–\-(“"‘]*$/.exec(text.slice(floor, cut.start))?.[0] ?? "";
    if (before.trim()) cut.start -= before.length;
    const ceiling = merged[k + 1]?.start ?? text.length;
    let after = /^[ \t,;:—–\-.”"’)]*/.exec(text.slice(cut.end, ceiling))?.[0] ?? "";
    // The text before may need the full stop: "… for the world and [cut]." keeps it.
    if (/^\s*[.!?]/.test(after) && !/[.!?]["”’)]?\s*$/.test(text.slice(0, cut.start))) after = "";
    if (after.trim()) cut.end += after.length;
  });

  let out = "";
  let at = 0;
  for (const cut of merged) {
    out = joinSeam(out, text.slice(at, cut.start));
    at = cut.end;
  }
  out = joinSeam(out, text.slice(at)).trim();
  // What is left around markup debris is navigation ("Share on Facebook | Tweet") unless it reads as a sentence.
  const aroundDebris =
    out !== "" && merged.some((cut) => cut.findings.some((f) => f.kind === "debris")) && out.split(/\s+/).length < 12 && !/[.!?]["”’)]?$/.test(out);
  // Nothing of substance left: the block was all debris or fiction.
  if (aroundDebris || (out.match(/\p{L}/gu) ?? []).length < 3) {
    const findings = merged.flatMap((cut) => cut.findings);
    if (aroundDebris) findings.push({ kind: "debris", signals: ["navigation text around markup"] });
    merged.splice(0, merged.length, { start: 0, end: text.length, findings });
    out = "";
  }

  const removed: Removal[] = merged.map((cut) => ({ start: cut.start, end: cut.end, reason: describe(cut.findings) }));
  const flagged: FlaggedSpan[] = removed.map((cut) => {
    // Report the words, not the seam punctuation that went with them.
    const trimmed = trimRange(text, cut.start, cut.end) ?? cut;
    let { start, end } = trimmed;
    while (start < end && /[,;:—–-]/.test(text[start]!)) start++;
    while (end > start && /[\s,:—–-]/.test(text[end - 1]!)) end--;
    const shown = trimRange(text, start, end) ?? trimmed;
    return { line: lineAt({ line: block.line, lineOffsets: block.lineOffsets ?? [] }, shown.start), text: text.slice(shown.start, shown.end), reason: cut.reason };
  });
  return { text: out, removed, flagged };
}

/** Appends `piece` after `out`, tidying spacing and case where text was cut out between them. */
function joinSeam(out: string, piece: string): string {
  const left = out.replace(/[ \t]+$/, "");
  let right = piece.replace(/^[ \t]+/, "");
  if (!left.trim()) return right.replace(/^\p{Ll}/u, (c) => c.toUpperCase());
  if (!right.trim()) return left;
  const lastWord = /([\p{L}']+)$/u.exec(left)?.[1]?.toLowerCase();
  const first = /^\p{Lu}\p{Ll}*/u.exec(right)?.[0];
  if (/[.!?]["”’)]?$/.test(left)) right = right.replace(/^\p{Ll}/u, (c) => c.toUpperCase());
  else if (lastWord && (COMPLEMENTIZERS.has(lastWord) || CONJUNCTIONS.has(lastWord) || PREPOSITIONS.has(lastWord) || DETERMINERS.has(lastWord))) {
    // "said that [cut] The SCO" → "said that the SCO": the sentence before is unfinished and goes on.
    if (first && CLAUSE_OPENERS.has(first.toLowerCase())) right = first.toLowerCase() + right.slice(first.length);
  } else if (first && /[\p{L}\p{N}]$/u.test(left)) {
    // "…firm Halvorsen Partners [cut] The deck rests": a finished clause before a new sentence.
    return `${left}. ${right}`;
  }
  if (/\n$/.test(left)) return left + right.replace(/^\n+/, "");
  return /^\n/.test(right) ? left + right : `${left} ${right}`;
}
