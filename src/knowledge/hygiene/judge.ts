/**
 * The judging pass: a span is flagged only with strong narrative evidence *and* vocabulary the rest of
 * the document does not share; real facts share vocabulary. Sentences are judged one by one, and runs
 * of weak sentences together, in rounds until nothing changes (each round's cohesion ignores what the
 * round before flagged).
 */
import { cohesionOf, median, paragraphOverlaps, removedVocabulary, type Cohesion } from "./cohesion.ts";
import { addFeatures, type Features } from "./features.ts";
import type { Pass } from "./pass.ts";
import { reportsOn, uniqueNames } from "./people.ts";
import { narrativeEvidence, type Evidence } from "./signals.ts";
import type { Tuning } from "./tuning.ts";
import type { Finding, Unit } from "./types.ts";
import { voiceRarity, type Rarity } from "./voice.ts";
import { normaliseWord } from "./words.ts";

/**
 * Whether evidence and foreign vocabulary together make a span injected. He/she narration is the
 * weakest strong signal (biographies, obituaries and plot summaries are told that way): when it is the
 * only one, the span must tell of past events and share clearly less than the document's typical
 * sentence, and if the rest of its paragraph is the document's own it must share nothing at all.
 */
function injected(evidence: Evidence, cohesion: number | undefined, raw: Cohesion | undefined, typical: number, paragraphOverlaps: () => boolean, t: Tuning): boolean {
  if (cohesion === undefined) return false;
  // A span that shares half its words with the document is the document's, unless the evidence is overwhelming.
  if (raw && raw.share >= t.sharedHalf && evidence.strong < t.overwhelming) return false;
  if (evidence.strong < t.minStrong || evidence.score * (1 - cohesion) < t.flagScore) return false;
  // First-person narration as the only strong sign, sharing some words with a paragraph that is otherwise
  // the document's own: the author telling of their own work ("I wrote about it on my blog").
  if (evidence.narrator > 0 && evidence.strong - evidence.narrator < t.minSignal && raw !== undefined && raw.share > 0 && paragraphOverlaps()) return false;
  if (evidence.heShe > 0 && evidence.other < t.minSignal) {
    // Told in the present ("He hails from Vancouver, where he is studying…") it describes someone: a profile.
    if (!evidence.past) return false;
    if (cohesion > t.heSheForeign * typical) return false;
    const alien = raw !== undefined && raw.share === 0 && raw.types >= 4;
    if (!alien && paragraphOverlaps()) return false;
  }
  return true;
}

/** Maximal runs (two or more) of unflagged prose units in one block that each carry little of the document's vocabulary. */
function weakRuns(units: Unit[], cohesion: Array<Cohesion | undefined>, weakShare: number): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  const close = () => {
    if (run.length >= 2) runs.push(run);
    run = [];
  };
  units.forEach((unit, i) => {
    const c = cohesion[i];
    // List items are short and varied by nature; pooling them would only find noise.
    const weak = !unit.flagged && !unit.keep && !unit.inList && (c === undefined || c.types <= 2 || c.share < weakShare);
    const last = run[run.length - 1];
    if (!weak || (last !== undefined && units[last]!.block !== unit.block)) close();
    if (weak) run.push(i);
  });
  close();
  return runs;
}


export const judgeNarrative: Pass = {
  name: "narrative",
  run(state) {
    const { units, feats, model, unitIndex, proseUnits, testimony, t } = state;
    const all = model.all;
    for (let round = 0; round < t.rounds; round++) {
      const removed = removedVocabulary(units, model.blocks);
      const cohesion = units.map((unit) => cohesionOf([unit], all, removed));
      const typical = median(cohesion.filter((c): c is Cohesion => c !== undefined && c.types >= 3).map((c) => c.share)) ?? t.typicalCohesion;
      state.typical = typical;
      const shrink = (c: Cohesion | undefined) => (c === undefined ? undefined : (c.share * c.types + t.shrink * typical) / (c.types + t.shrink));
      const rarity = voiceRarity(units, feats, cohesion, t);
      state.rarity = rarity;
      // He/she in a unit that reports on a person is that person, not a character.
      const reportCache = new Map<number, string | undefined>();
      const reporting = (i: number): string | undefined => {
        if (!reportCache.has(i)) reportCache.set(i, units[i]!.debris ? undefined : reportsOn(units[i]!, model, removed));
        return reportCache.get(i);
      };
      const featsOf = (i: number): Features => {
        let f = feats[i]!;
        if (f.gendered > 0 && reporting(i)) f = { ...f, gendered: 0, reportedGendered: f.reportedGendered + f.gendered };
        // Testimony right after a sentence about its speaker ("She is less proud of… “We made a mistake.”")
        // is theirs, as long as that sentence is the document's own.
        if (testimony[i] && !units[i - 1]!.flagged) f = { ...f, attributed: f.attributed + 1 };
        return f;
      };
      // Names found nowhere else are a sign only for a span whose other words are foreign too: a new
      // person in a sentence about the document's subject is news.
      const namesOf = (group: Unit[], idx: number[]): string[] => {
        if (uniqueNames(group, model, removed).length === 0) return [];
        const names = uniqueNames(
          group.filter((_, k) => !reporting(idx[k]!)),
          model,
          removed,
        );
        if (names.length === 0) return names;
        const rest = cohesionOf(group, all, removed, new Set(names.map(normaliseWord)));
        return rest && rest.share >= typical ? [] : names;
      };
      // A whole paragraph told in the past, with a he/she or an I, sharing no word with a document whose
      // sentences otherwise do share words, and reporting on nobody: a passage from somewhere else.
      const foreignParagraph = (evidence: Evidence, group: Unit[], run: number[], f: Features, pooled: Cohesion | undefined, r: Rarity) => {
        if (!pooled || pooled.types < 8 || pooled.share > t.foreignParagraph * typical || f.pastTense < 2) return;
        if (group.length !== proseUnits.get(group[0]!.block) || run.some((i) => reporting(i))) return;
        const weight = Math.max(f.gendered > 0 ? r.gendered : 0, f.firstPerson > 0 ? r.firstPerson : 0);
        if (weight <= t.minSignal) return;
        evidence.score += weight;
        evidence.strong += weight;
        evidence.other += weight;
        evidence.signals.push("a paragraph of narration sharing no word with the document");
      };
      const overlaps = (group: Unit[]) => () => paragraphOverlaps(group, units, unitIndex, all, removed, typical, t.paragraphReach);
      const before = units.map((unit) => unit.flagged?.kind);
      units.forEach((unit, i) => {
        if (unit.debris || unit.keep) return;
        const evidence = narrativeEvidence(featsOf(i), rarity(i), namesOf([unit], [i]), t);
        const c = cohesion[i];
        const verdict = injected(evidence, shrink(c), c, typical, overlaps([unit]), t);
        if (verdict) unit.flagged = { kind: "narrative", signals: evidence.signals, found: Math.round((c?.share ?? 0) * (c?.types ?? 0)), total: c?.types ?? 0 };
        else delete unit.flagged;
      });
      // Injected text often comes as several short sentences that each say little: judge the run as one span.
      for (const run of weakRuns(units, cohesion, t.weakShare)) {
        const group = run.map((i) => units[i]!);
        const pooled = cohesionOf(group, all, removed);
        let f = run.map(featsOf).reduce(addFeatures);
        // He/she in a run that names someone the document names is that person: "He hails from
        // Vancouver… Alfred popped up in the issues" after a paragraph announcing Alfred.
        if (f.gendered > 0 && run.some((i) => reporting(i) === "names someone the document names")) f = { ...f, gendered: 0, reportedGendered: f.reportedGendered + f.gendered };
        const evidence = narrativeEvidence(f, rarity(run[0]!), namesOf(group, run), t);
        foreignParagraph(evidence, group, run, f, pooled, rarity(run[0]!));
        // A story goes on in the past: a run whose only strong sign is an "I" with one past tense among
        // present-tense sentences is an author's aside ("This release starts 3.0. I wrote about it…").
        const narratorOnly = evidence.narrator > 0 && evidence.strong - evidence.narrator < t.minSignal;
        if (narratorOnly && f.pastTense < 2) continue;
        const verdict = injected(evidence, shrink(pooled), pooled, typical, overlaps(group), t);
        if (!verdict) continue;
        // One finding object for the whole run, so that its counts are reported once.
        const finding: Finding = { kind: "run", signals: evidence.signals, found: Math.round((pooled?.share ?? 0) * (pooled?.types ?? 0)), total: pooled?.types ?? 0 };
        for (const unit of group) unit.flagged = finding;
      }
      // Each round depends only on what is flagged, so an unchanged round is the fixed point.
      if (units.every((unit, i) => unit.flagged?.kind === before[i])) break;
    }
  },
};
