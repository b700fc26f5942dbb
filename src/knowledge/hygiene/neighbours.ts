/** The pass that settles the units right next to flagged ones: splices are contiguous. */
import { cohesionOf, removedVocabulary } from "./cohesion.ts";
import type { Features } from "./features.ts";
import type { Pass } from "./pass.ts";
import { narrativeEvidence } from "./signals.ts";
import { flaggedAt, trimMixed } from "./trim.ts";
import type { Tuning } from "./tuning.ts";
import type { Finding, RemovedWords, Unit } from "./types.ts";
import type { Vocabulary } from "./vocabulary.ts";
import type { Rarity } from "./voice.ts";

/** A short unit wedged against injected text, with nothing of the document's own to say. */
function betweenInjected(
  unit: Unit,
  f: Features,
  prev: Unit | undefined,
  next: Unit | undefined,
  rarity: Rarity,
  all: Vocabulary,
  removed: RemovedWords,
  paragraph: Unit[],
  t: Tuning,
): Finding | undefined {
  const left = flaggedAt(prev, unit, "left");
  const right = flaggedAt(next, unit, "right");
  if (!left && !right) return undefined;
  const c = cohesionOf([unit], all, removed);
  const types = c?.types ?? 0;
  // Narration without pronouns ("Night fell over the valley.") still shares no word with the
  // document; a fact usually shares its topic, or carries a number. Boxed in between injected text
  // and a splice mark, or the last sentence of a paragraph otherwise injected, a longer sentence (or
  // one with a number) can be told that way too.
  const boxed = (left && unit.rightEdge === "splice") || (right && unit.leftEdge === "splice");
  const alone = paragraph.length > 1 && paragraph.every((u) => u === unit || u.debris || (u.flagged !== undefined && u.flagged.kind !== "debris"));
  const alien =
    c !== undefined && c.share === 0 && types >= 2 && types <= (boxed || alone ? t.alienBoxedTypes : t.alienTypes) && (alone || !unit.words.some((w) => w.numeric)) && !f.mostlyQuote;
  if (alien && !unit.inList) return { kind: "context", signals: ["sentence next to injected text sharing no word with the document"] };
  const foreign = types <= 1 || (c !== undefined && c.share < 0.5);
  if (left && right && foreign && types <= 8) return { kind: "context", signals: ["fragment between injected spans"] };
  if (types > 8) return undefined;
  const { score: narrative, signals } = narrativeEvidence({ ...f, spliceEdge: false }, rarity, [], t, true);
  if (narrative >= (alone ? 0.3 : 0.6) && (foreign || f.mostlyQuote)) return { kind: "context", signals: ["narrative fragment next to injected text", ...signals] };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Output: cut the flagged spans out and mend the seams.


export const settleNeighbours: Pass = {
  name: "neighbours of injected text",
  run({ units, feats, model, rarity, blockUnits, t }) {
    for (let round = 0; round < t.neighbourRounds; round++) {
      const removed = removedVocabulary(units, model.blocks);
      let changed = false;
      units.forEach((unit, i) => {
        if (unit.flagged || unit.keep || unit.trim) return;
        const trim = trimMixed(unit, units[i - 1], units[i + 1], model, removed, rarity(i), feats[i]!);
        if (trim) {
          unit.trim = trim;
          changed = true;
        }
      });
      units.forEach((unit, i) => {
        if (unit.flagged || unit.keep) return;
        const finding = betweenInjected(unit, feats[i]!, units[i - 1], units[i + 1], rarity(i), model.all, removed, blockUnits.get(unit.block) ?? [], t);
        if (finding) {
          unit.flagged = finding;
          delete unit.trim;
          changed = true;
        }
      });
      if (!changed) break;
    }
  },
};
