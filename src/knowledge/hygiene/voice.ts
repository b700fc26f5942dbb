/**
 * The document's own voice: how rare each narrative feature is in it, so that a story, a tutorial
 * written to "you" or an interview full of "he said" is judged against itself.
 */
import type { Cohesion } from "./cohesion.ts";
import type { Features } from "./features.ts";
import type { Tuning } from "./tuning.ts";
import type { Unit } from "./types.ts";

/**
 * The features a voice is made of, each as the test for a unit having it. `personal` is first or
 * second person: an author talking to the reader uses both.
 */
export const VOICE_FEATURES = {
  gendered: (f: Features) => f.gendered > 0,
  firstPerson: (f: Features) => f.firstPerson > 0,
  secondPerson: (f: Features) => f.secondPerson > 0,
  personal: (f: Features) => f.firstPerson + f.secondPerson > 0,
  contractions: (f: Features) => f.contractions > 0,
  dialogue: (f: Features) => f.dialogue + f.gesture + f.conversationalQuote > 0,
  question: (f: Features) => f.question,
};

export type VoiceFeature = keyof typeof VOICE_FEATURES;
/** Per voice feature: 0 where it is the document's own voice, 1 where the document never uses it. */
export type Rarity = Record<VoiceFeature, number>;
const VOICE_NAMES = Object.keys(VOICE_FEATURES) as VoiceFeature[];

/** The features a paragraph's own sentences can make its voice (see voiceRarity). */
const PARAGRAPH_VOICES = new Set<VoiceFeature>(["firstPerson", "dialogue"]);

/** The same value for every voice feature. */
export function rarityOf(value: number): Rarity {
  return Object.fromEntries(VOICE_NAMES.map((name) => [name, value])) as Rarity;
}

/**
 * How much each narrative feature counts for unit i: not at all when it is the document's own voice,
 * fully when the document never uses it. Two estimates, leaving unit i out: the share of the most
 * cohesive sentences that use the feature (injected sentences share few words, so they are rarely
 * among them), and the share of paragraphs that use it (a voice runs through a document, injected
 * text sits in a few places). Either one saying "rare" is enough: in a short article even the most
 * cohesive sentences can include injected ones.
 */
export function voiceRarity(units: Unit[], feats: Features[], cohesion: Array<Cohesion | undefined>, t: Tuning): (i: number) => Rarity {
  const shares = cohesion.filter((c, i): c is Cohesion => c !== undefined && c.types >= 3 && !units[i]!.flagged).map((c) => c.share);
  shares.sort((a, b) => a - b);
  const cut = shares[Math.floor(shares.length * t.coreQuantile)] ?? 0;
  const counts = rarityOf(0);
  const isCore = units.map((unit, i) => {
    const c = cohesion[i];
    return !unit.flagged && c !== undefined && c.types >= 3 && c.share >= cut;
  });
  let core = 0;
  isCore.forEach((yes, i) => {
    if (!yes) return;
    core++;
    for (const name of VOICE_NAMES) if (VOICE_FEATURES[name](feats[i]!)) counts[name]++;
  });
  // Paragraph spread: which prose blocks use each feature in a sentence not flagged.
  const blockUses = new Map<number, Set<VoiceFeature>>();
  units.forEach((unit, i) => {
    if (unit.inList || unit.inQuoteBlock || unit.debris) return;
    let uses = blockUses.get(unit.block);
    if (!uses) blockUses.set(unit.block, (uses = new Set()));
    if (unit.flagged) return;
    for (const name of VOICE_NAMES) if (VOICE_FEATURES[name](feats[i]!)) uses.add(name);
  });
  // Within one paragraph or list: its sentences that share the document's vocabulary, by unit, so each can be left out.
  // The bar is that of a sentence that is no weak one (see weakRuns), not the core's: a paragraph's own
  // sentences need only share vocabulary with the document.
  const blockCore = new Map<number, number[]>();
  units.forEach((unit, i) => {
    const c = cohesion[i];
    if (unit.flagged || c === undefined || c.types < 3 || c.share < t.weakShare) return;
    const list = blockCore.get(unit.block);
    if (list) list.push(i);
    else blockCore.set(unit.block, [i]);
  });
  const blockCounts = rarityOf(0);
  for (const uses of blockUses.values()) for (const name of uses) blockCounts[name]++;
  const paragraphs = blockUses.size;

  return (i) => {
    const self = isCore[i] ? 1 : 0;
    const unit = units[i];
    const ownBlock = unit ? blockUses.get(unit.block) : undefined;
    const rarity = rarityOf(0);
    for (const name of VOICE_NAMES) {
      const seen = counts[name] - (self && VOICE_FEATURES[name](feats[i]!) ? 1 : 0);
      const rate = (seen + t.voicePriorSentences * t.voicePriorRate) / (core - self + t.voicePriorSentences);
      let value = Math.max(0, 1 - rate / t.voiceRate);
      if (paragraphs - (ownBlock ? 1 : 0) >= t.minParagraphs) {
        const others = paragraphs - (ownBlock ? 1 : 0);
        const spread = (blockCounts[name] - (ownBlock?.has(name) ? 1 : 0)) / others;
        value = Math.max(value, Math.min(1, Math.max(0, (t.paragraphVoice - spread) / (t.paragraphVoice - t.paragraphRare))));
      }
      // A paragraph or list whose own core sentences use the feature speaks in that voice: an author's
      // anecdote in the first person, a list of quoted examples. Injected text is foreign to its paragraph.
      // Only the first person and dialogue: he/she in a paragraph is a person reported on, and "you" in a
      // mixed sentence says nothing of the "I" beside it. Sentences at a splice mark vouch for nothing.
      if (unit && PARAGRAPH_VOICES.has(name) && (blockCore.get(unit.block) ?? []).some((j) => j !== i && !feats[j]!.spliceEdge && VOICE_FEATURES[name](feats[j]!))) value = 0;
      rarity[name] = value;
    }
    return rarity;
  };
}
