/**
 * Every tunable of the hygiene check, in one place, so that the trade-off between catching injected
 * text and keeping real content is visible and a bench can sweep it
 * (`npx tsx bench/hygiene.ts --set flagScore=0.9 …`). checkDocument takes overrides in its options.
 */

export interface Tuning {
  /** Pseudo-count of content words pulling the cohesion of short spans towards the document's typical value. */
  shrink: number;
  /** A narrative feature found in this share of the document's core sentences is the document's own voice. */
  voiceRate: number;
  /** Share of sentences, ranked by cohesion, below the document's core (the top 40% are its core). */
  coreQuantile: number;
  /** A feature in this share of paragraphs is the document's voice… */
  paragraphVoice: number;
  /** …and in this share or fewer it is rare. */
  paragraphRare: number;
  /** Fewer other paragraphs than this say nothing about a voice. */
  minParagraphs: number;
  /** Prior for the share of core sentences with a feature, in sentences, so that a tiny document does not make every feature look rare… */
  voicePriorSentences: number;
  /** …and the share it assumes. */
  voicePriorRate: number;
  /** Strong narrative evidence a span needs before anything else is weighed. */
  minStrong: number;
  /** Flag when evidence × (1 − cohesion) reaches this: strong evidence needs less foreign vocabulary and vice versa. */
  flagScore: number;
  /** How much a clause boundary counts when choosing where a mixed sentence is cut. */
  boundaryWeight: number;
  /** How many words before (or after) the first narration a mixed sentence may be cut. */
  anchorReach: number;
  /** First person counts at most this much more than first and second person together do (see signals.ts). */
  authorVoice: number;
  /** How many sentences on either side stand for "the rest of the paragraph" (see paragraphOverlaps). */
  paragraphReach: number;
  /** A paragraph sharing at most this share of the document's typical cohesion is foreign to it. */
  foreignParagraph: number;
  /** He/she narration as the only strong signal: the span's cohesion must be at most this share of the document's typical. */
  heSheForeign: number;
  /** Share of a span's words found elsewhere above which it needs overwhelming evidence to be flagged. */
  sharedHalf: number;
  /** Units with less than this share of document vocabulary may pool into a run. */
  weakShare: number;
  /** Text longer than this is segmented in pieces: Intl.Segmenter slows down superlinearly on long strings. */
  segmentChunk: number;
  /** A signal weighing this little or less adds nothing: it is the document's voice. */
  minSignal: number;
  /** Weight of a gesture attributing dialogue ("Lan Mu snorted"), of one in a sentence to the reader. */
  gestureWeight: number;
  gestureAsideWeight: number;
  /** Weight of dialogue attribution ("she whispered"). */
  dialogueWeight: number;
  /** Weight of a quotation attributed to he/she with a reporting verb. */
  reportingWeight: number;
  /** Weight of a conversational quotation, and of one attributed to nobody. */
  conversationalWeight: number;
  unattributedWeight: number;
  /** Weight of each he/she, and the most they add up to. */
  heSheWeight: number;
  heSheCap: number;
  /** Weight of each he/she about someone the document reports on, and the most they add up to. */
  reportedWeight: number;
  reportedCap: number;
  /** Weight of first-person narration, and of a first person alone. */
  narrationWeight: number;
  firstPersonWeight: number;
  /** Weight of contractions, of a question, of orphan punctuation at the start. */
  contractionWeight: number;
  questionWeight: number;
  orphanWeight: number;
  /** Weight of a splice mark, with and without a narrative sign beside it (that sign must reach `spliceLead`). */
  spliceWeight: number;
  spliceStrongWeight: number;
  spliceLead: number;
  /** Weight of names found nowhere else, next to strong evidence. */
  namesWeight: number;
  /** Cutting a mixed sentence next to injected text: least score, foreign types, foreign share and narration of the cut part… */
  trimNearScore: number;
  trimNearTypes: number;
  trimNearShare: number;
  trimNearNarration: number;
  /** …and with no injected text beside it. */
  trimAloneScore: number;
  trimAloneTypes: number;
  trimAloneShare: number;
  trimAloneNarration: number;
  /** Evidence this strong flags even a span sharing `sharedHalf` of its words. */
  overwhelming: number;
  /** Typical cohesion assumed before a document has sentences to measure it by. */
  typicalCohesion: number;
  /** Most rounds of judging (each round sees what the one before flagged), and of settling neighbours. */
  rounds: number;
  neighbourRounds: number;
  /** A sentence next to injected text sharing no word with the document: most content types it may have, boxed in or not. */
  alienTypes: number;
  alienBoxedTypes: number;
}

export const DEFAULT_TUNING: Readonly<Tuning> = Object.freeze({
  shrink: 2,
  voiceRate: 0.2,
  coreQuantile: 0.6,
  paragraphVoice: 0.6,
  paragraphRare: 0.3,
  minParagraphs: 3,
  voicePriorSentences: 6,
  voicePriorRate: 0.1,
  minStrong: 0.75,
  flagScore: 0.8,
  boundaryWeight: 1.5,
  anchorReach: 8,
  authorVoice: 0.25,
  paragraphReach: 4,
  foreignParagraph: 0.25,
  heSheForeign: 0.5,
  sharedHalf: 0.5,
  weakShare: 0.5,
  segmentChunk: 2000,
  minSignal: 0.05,
  gestureWeight: 2,
  gestureAsideWeight: 1,
  dialogueWeight: 1,
  reportingWeight: 0.5,
  conversationalWeight: 1,
  unattributedWeight: 1.5,
  heSheWeight: 0.5,
  heSheCap: 1.5,
  reportedWeight: 0.25,
  reportedCap: 0.5,
  narrationWeight: 1.5,
  firstPersonWeight: 0.5,
  contractionWeight: 0.5,
  questionWeight: 0.5,
  orphanWeight: 0.5,
  spliceWeight: 0.5,
  spliceStrongWeight: 0.75,
  spliceLead: 0.3,
  namesWeight: 0.5,
  trimNearScore: 1.25,
  trimNearTypes: 2,
  trimNearShare: 0.6,
  trimNearNarration: 0.5,
  trimAloneScore: 4,
  trimAloneTypes: 4,
  trimAloneShare: 0.75,
  trimAloneNarration: 1,
  overwhelming: 2,
  typicalCohesion: 0.6,
  rounds: 4,
  neighbourRounds: 3,
  alienTypes: 6,
  alienBoxedTypes: 12,
});

/**
 * The default tuning with `overrides` applied. Throws naming the bad name or value: a sweep with a
 * typo must not silently measure the defaults.
 */
export function tuningWith(overrides: Partial<Record<string, number>> = {}): Tuning {
  const tuning: Tuning = { ...DEFAULT_TUNING };
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in DEFAULT_TUNING)) throw new Error(`hygiene: Expected a tunable (${Object.keys(DEFAULT_TUNING).join(", ")}), got ${JSON.stringify(name)}`);
    if (typeof value !== "number" || !Number.isFinite(value)) throw new Error(`hygiene: Expected ${name} to be a finite number, got ${typeof value === "number" ? String(value) : JSON.stringify(value)}`);
    tuning[name as keyof Tuning] = value;
  }
  return tuning;
}
