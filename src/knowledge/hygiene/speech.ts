/**
 * The pass that settles who speaks in quotations before anything is judged: a quotation attributed
 * by the next sentence, one that goes on quoting the person of the paragraph before, one that
 * continues an attributed quotation. It only adjusts features (and marks possible testimony).
 */
import { DIALOGUE_VERBS, GESTURE_VERBS } from "./lexicon.ts";
import type { Pass } from "./pass.ts";
import { attributionAt } from "./units.ts";

export const quotedSpeech: Pass = {
  name: "quoted speech",
  run({ units, feats, model, blockUnits, unitIndex, testimony }) {
    const blocks = model.blocks;
    // A quotation whose next unit attributes it is dialogue, like its attribution.
    units.forEach((unit, i) => {
      const next = units[i + 1];
      if (!next || next.block !== unit.block || !feats[i]!.mostlyQuote) return;
      const attribution = attributionAt(blocks[unit.block]!.text, unit.end);
      if (!attribution) return;
      feats[i]!.attributed++;
      if (GESTURE_VERBS.has(attribution.verb)) feats[i]!.gesture++;
      else if (DIALOGUE_VERBS.has(attribution.verb)) feats[i]!.dialogue++;
      else if (/^(he|she|I)$/i.test(attribution.subject)) feats[i]!.reporting++;
    });
    // A paragraph opening with a quotation, right after a paragraph about a person or quoting one, goes
    // on in that person's voice: news quotes at length that way.
    let previous: number | undefined;
    units.forEach((unit, i) => {
      if (units[i - 1]?.block === unit.block) return;
      const prior = previous;
      previous = blocks[unit.block]!.kind === "prose" ? unit.block : undefined;
      const f = feats[i]!;
      if (prior === undefined || !f.mostlyQuote || !/^["“]/.test(blocks[unit.block]!.text) || f.attributed + f.reporting + f.dialogue + f.gesture > 0) return;
      const aboutPerson = (blockUnits.get(prior) ?? []).some((u) => {
        const p = feats[unitIndex.get(u)!]!;
        return p.gendered + p.reportedGendered + p.attributed + p.reporting > 0;
      });
      if (aboutPerson) f.attributed++;
    });
    units.forEach((unit, i) => {
      const prev = units[i - 1];
      const f = feats[i]!;
      if (!prev || prev.block !== unit.block || !f.mostlyQuote || f.dialogic || f.attributed + f.reporting + f.dialogue + f.gesture > 0) return;
      const p = feats[i - 1]!;
      testimony[i] = p.gendered + p.reportedGendered + p.attributed + p.reporting > 0;
    });
    // `“…,” she said. “I know it isn't easy.”`: a quotation right after an attributed one, or inside the
    // same quotation, goes on in the same voice, reported speech or dialogue.
    units.forEach((unit, i) => {
      const prev = units[i - 1];
      const f = feats[i]!;
      if (!prev || prev.block !== unit.block || !f.mostlyQuote || f.attributed + f.reporting + f.dialogue + f.gesture > 0) return;
      const p = feats[i - 1]!;
      const opens = /^["“]/.test(blocks[unit.block]!.text.slice(unit.start, unit.end)) || unit.words[0]?.inQuote === true;
      if (!opens || p.attributed + p.reporting + p.dialogue + p.gesture === 0) return;
      if (p.dialogue + p.gesture > 0) f.dialogue++;
      else f.attributed++;
    });
  },
};
