/**
 * Mixed sentences: splices are often mid-sentence, so a sentence that starts (or ends) in injected
 * text and goes on in the document's own words loses only the injected part. Also the pass that
 * gives a flagged sentence with a splice mark back its real half.
 */
import { removedVocabulary } from "./cohesion.ts";
import { parenthesised, type Features } from "./features.ts";
import { COMPLEMENTIZERS, CONJUNCTIONS, DETERMINERS, DIALOGUE_VERBS, FIRST_SINGULAR, GESTURE_VERBS, PREPOSITIONS, SECOND_PERSON, SUBJECT_PRONOUNS, THIRD_GENDERED } from "./lexicon.ts";
import type { Pass } from "./pass.ts";
import { reportsOn } from "./people.ts";
import type { DocumentModel, Finding, Range, RemovedWords, Unit, Word } from "./types.ts";
import type { Rarity } from "./voice.ts";

export function flaggedAt(unit: Unit | undefined, self: Unit, side: "left" | "right"): boolean {
  if (!unit || unit.block !== self.block) return false;
  // Markup debris is no sign that the text beside it was injected: real sentences sit between tags.
  if (unit.flagged) return unit.flagged.kind !== "debris";
  // A neighbour trimmed on the edge that touches this unit is injected there.
  if (unit.trim) return side === "left" ? unit.trim.end === unit.end : unit.trim.start === unit.start;
  return false;
}

/**
 * A sentence that starts (or ends) in injected text and continues in the document's own words.
 * Scores each word (+1 foreign content word, −1.5 native one, plus he/she/I/you narration) and takes
 * the best-scoring prefix or suffix; ties go to the cut on a phrase boundary, so the rest reads on.
 * Next to injected text or a splice mark a little evidence is enough; elsewhere it takes a lot.
 */
export function trimMixed(
  unit: Unit,
  prev: Unit | undefined,
  next: Unit | undefined,
  model: DocumentModel,
  removed: RemovedWords,
  rarity: Rarity,
  f: Features,
  localise = false,
): (Range & { finding: Finding }) | undefined {
  const words = unit.words;
  if (words.length < 6 || unit.inQuoteBlock) return undefined;
  const contexts = localise
    ? { prefix: unit.leftEdge === "splice", suffix: unit.rightEdge === "splice" }
    : {
        prefix: unit.leftEdge === "splice" || flaggedAt(prev, unit, "left"),
        suffix: unit.rightEdge === "splice" || flaggedAt(next, unit, "right"),
      };
  // Without context only he/she or first-person narration can start a trim: a tutorial's closing
  // "you will see…" sentence introduces new words and addresses the reader, and that is fine.
  // Without context, he/she in a sentence that reports on a person is that person (see reportsOn);
  // a transcript's speaker says "I" and "you".
  let reported: boolean | undefined;
  const text = model.blocks[unit.block]!.text;
  // In parentheses, "I" and "you" are the author's aside ("I know, I have been through it!").
  const aside = parenthesised(text, unit);
  const narration = (w: Word, strict: boolean) => {
    if (w.inQuote || aside(w.start)) return 0;
    // Without context, he/she told in the present describes someone ("He hails from Vancouver"): no narration.
    if (THIRD_GENDERED.has(w.norm)) return strict && (f.pastTense === 0 || (reported ??= reportsOn(unit, model, removed) !== undefined)) ? 0 : rarity.gendered;
    if (unit.spoken) return 0;
    // Without context, "I" starts a trim only as a narrator telling the past: not "a few things I want to
    // highlight" or "special thanks to my co-maintainers" in an announcement.
    if (FIRST_SINGULAR.has(w.norm)) return strict && (f.firstNarration === 0 || f.aside) ? 0 : rarity.firstPerson;
    if (!strict && SECOND_PERSON.has(w.norm)) return rarity.secondPerson;
    return 0;
  };
  if (!contexts.prefix && !contexts.suffix && !words.some((w) => narration(w, true) > 0)) return undefined;

  const own = new Map<string, number>();
  for (const w of words) if (w.content) own.set(w.stem, (own.get(w.stem) ?? 0) + 1);
  // A flagged unit's own words are in `removed` too; count them once.
  const foreign = words.map((w) => {
    const mine = own.get(w.stem) ?? 0;
    return model.all.get(w.stem) - mine - (removed.words.get(w.stem) - (removed.units.has(unit) ? mine : 0)) <= 0;
  });

  for (const side of ["prefix", "suffix"] as const) {
    const context = side === "prefix" ? contexts.prefix : contexts.suffix;
    if (localise && !context) continue;
    const scores = words.map((w, i) => (w.content && !w.numeric ? (foreign[i] ? 1 : -1.5) : narration(w, !context)));
    const total = scores.reduce((s, x) => s + x, 0);
    const prefixSums: number[] = [0];
    for (const x of scores) prefixSums.push(prefixSums[prefixSums.length - 1]! + x);
    const scoreAt = (cut: number) => (side === "prefix" ? prefixSums[cut]! : total - prefixSums[cut]!);

    // Two candidate cuts: where the vocabulary turns foreign (best score, clause boundaries counting
    // for a word or so), and the clause boundary nearest the narration, for short articles whose own
    // sentences share too few words for the first to find the seam.
    const candidates: number[] = [];
    let best = -1;
    let bestValue = -Infinity;
    for (let cut = 1; cut < words.length; cut++) {
      const value = scoreAt(cut) + model.tuning.boundaryWeight * boundaryScore(words, cut, text);
      if (value > bestValue + 1e-9) {
        best = cut;
        bestValue = value;
      }
    }
    if (best > 0) candidates.push(best);
    const narrated = words.map((w) => narration(w, !context) > 0);
    const anchor = side === "prefix" ? narrated.lastIndexOf(true) + 1 : narrated.indexOf(true);
    if (anchor > 0 && anchor < words.length) {
      let nearest = -1;
      let nearestBoundary = 0;
      const range = side === "prefix" ? [anchor, Math.min(words.length - 1, anchor + model.tuning.anchorReach)] : [Math.max(1, anchor - model.tuning.anchorReach), anchor];
      for (let cut = range[0]!; cut <= range[1]!; cut++) {
        const boundary = boundaryScore(words, cut, text);
        // Ties go to the cut nearest the narration.
        const closer = side === "suffix";
        if (boundary > nearestBoundary || (boundary === nearestBoundary && boundary > 0 && closer)) {
          nearest = cut;
          nearestBoundary = boundary;
        }
      }
      if (nearest > 0 && nearest !== best) candidates.push(nearest);
    }

    for (const cut of candidates) {
      const trim = acceptCut(side, cut, scoreAt(cut), context);
      if (trim) return trim;
    }
  }
  return undefined;

  function acceptCut(side: "prefix" | "suffix", cut: number, score: number, context: boolean): (Range & { finding: Finding }) | undefined {
    const [xFrom, xTo] = side === "prefix" ? [0, cut] : [cut, words.length];
    const [yFrom, yTo] = side === "prefix" ? [cut, words.length] : [0, cut];
    const stats = (from: number, to: number) => {
      const types = new Map<string, boolean>();
      let narrative = 0;
      let dialogue = false;
      for (let i = from; i < to; i++) {
        const w = words[i]!;
        if (w.content && !w.numeric) types.set(w.stem, foreign[i] === true);
        narrative += narration(w, !context);
        if (GESTURE_VERBS.has(w.norm) || DIALOGUE_VERBS.has(w.norm)) dialogue = true;
      }
      const n = types.size;
      const f = [...types.values()].filter(Boolean).length;
      return { n, f, share: n ? f / n : 0, narrative, dialogue };
    };
    const sx = stats(xFrom, xTo);
    const sy = stats(yFrom, yTo);
    const t = model.tuning;
    const need = context
      ? { score: t.trimNearScore, types: t.trimNearTypes, share: t.trimNearShare, narrative: t.trimNearNarration }
      : { score: t.trimAloneScore, types: t.trimAloneTypes, share: t.trimAloneShare, narrative: t.trimAloneNarration };
    if (score < need.score - 1e-9 || sx.n < need.types || sx.share < need.share || sx.narrative < need.narrative) return undefined;
    // The rest must read as the document's own: shared vocabulary, or at least no narration and
    // clearly less foreign than the part cut off.
    if (sy.n < 4 || sy.narrative >= sx.narrative || sy.dialogue) return undefined;
    // Short articles share few words even between real sentences; then the narration, all on one
    // side of a clause boundary, is what tells the two texts apart.
    const boundary = boundaryScore(words, cut, text);
    const distinct = sy.share <= 0.35 || (sy.narrative === 0 && (sy.share <= sx.share - 0.3 || (sx.narrative >= 1.5 && boundary >= 1)));
    if (!distinct) return undefined;
    return {
      start: side === "prefix" ? unit.start : words[xFrom]!.start,
      end: side === "prefix" ? words[xTo - 1]!.end : unit.end,
      finding: { kind: "splice", signals: ["he/she/I/you narration"], found: sx.n - sx.f, total: sx.n },
    };
  }
}

/** Prefers cuts at punctuation, or between a finished phrase and one that opens. */
function boundaryScore(words: Word[], cut: number, text: string): number {
  const before = words[cut - 1];
  const after = words[cut];
  if (!before || !after) return 0;
  let score = 0;
  if (/[,;:—–()]/.test(text.slice(before.end, after.start))) score += 2;
  const opener = DETERMINERS.has(after.norm) || PREPOSITIONS.has(after.norm) || SUBJECT_PRONOUNS.has(after.norm) || CONJUNCTIONS.has(after.norm);
  // "said that | at the moment": a complementizer belongs to the clause before it.
  if (opener && COMPLEMENTIZERS.has(before.norm)) score += 1.5;
  else if (opener && before.content) score += 1;
  return score;
}


/** A flagged sentence with a splice mark may be half real: keep the real half when the evidence sits entirely on the spliced side. */
export const keepRealHalf: Pass = {
  name: "real half of a spliced sentence",
  run({ units, feats, model, rarity }) {
    const removed = removedVocabulary(units, model.blocks);
    units.forEach((unit, i) => {
      if (!unit.flagged || unit.debris || (unit.leftEdge !== "splice" && unit.rightEdge !== "splice")) return;
      const trim = trimMixed(unit, units[i - 1], units[i + 1], model, removed, rarity(i), feats[i]!, true);
      if (!trim) return;
      delete unit.flagged;
      unit.trim = trim;
    });
  },
};
