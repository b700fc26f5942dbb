/**
 * Narrative signals: what makes a span read as fiction rather than as the document's own text. Each
 * weighs a span's features (features.ts) by how rare they are in the document's voice (voice.ts).
 * "You" outside quotations is no signal: it is an author addressing the reader, as instructions and
 * documentation do; fiction says "you" in dialogue. To add a signal, add an entry to SIGNALS (and its weight to tuning.ts); a signal that needs a new
 * count adds it to features.ts.
 */
import type { Features } from "./features.ts";
import type { Tuning } from "./tuning.ts";
import type { Rarity } from "./voice.ts";

export interface Evidence {
  score: number;
  strong: number;
  /** The part of `strong` that is he/she narration: alone, it needs more foreign vocabulary (see judge.ts). */
  heShe: number;
  /** The part of `strong` that is first-person narration (see judge.ts). */
  narrator: number;
  /** Weight of the signals other than he/she and names (dialogue, first person, questions, splice marks…). */
  other: number;
  /** Past tense outside quotes. */
  past: boolean;
  signals: string[];
}

export interface SignalContext {
  rarity: Rarity;
  /** Names in the span found nowhere else in the document (see people.ts). */
  names: string[];
  /** The span sits next to injected text: first person there is narration even without a past tense. */
  nearInjected: boolean;
  /** The evidence of the signals before this one. */
  sofar: Evidence;
  t: Tuning;
}

export interface SignalReading {
  weight: number;
  /** Named in the reason given to the operator. */
  label: string;
  /** Strong evidence can flag a span; weak evidence only adds to it. */
  strong: boolean;
}

export interface NarrativeSignal {
  /** The signal's reading of a span, or undefined when the span does not show it. */
  read(f: Features, at: SignalContext): SignalReading | undefined;
  /** Counts as "other" evidence, beside he/she narration and names (default true). */
  other?: boolean;
  /** He/she narration: its strong weight is also counted apart, since alone it needs more foreign vocabulary. */
  heShe?: boolean;
  /** First-person narration: its strong weight is also counted apart (see judge.ts). */
  narrator?: boolean;
}

const reading = (weight: number, label: string, strong = false): SignalReading => ({ weight, label, strong });

/** In order: the splice mark and the names weigh what the signals before them found. */
export const SIGNALS: readonly NarrativeSignal[] = [
  {
    // "Ask him to show you the video he laughed at": a gesture in a sentence to the reader is advice, not a scene.
    read: (f, { rarity, t }) =>
      f.gesture ? reading((f.aside ? t.gestureAsideWeight : t.gestureWeight) * rarity.dialogue, "dialogue attributed with a gesture", !f.aside) : undefined,
  },
  { read: (f, { rarity, t }) => (f.dialogue ? reading(t.dialogueWeight * rarity.dialogue, "dialogue attribution", true) : undefined) },
  { read: (f, { rarity, t }) => (f.reporting ? reading(t.reportingWeight * rarity.dialogue, "quotation attributed to he/she") : undefined) },
  {
    // A line of talk standing alone, attributed to nobody: news attributes every quote it prints. Quotations
    // as list items are examples of what to say, or testimonials: no scene, so no strong sign.
    read(f, { rarity, t }) {
      if (!f.conversationalQuote) return undefined;
      const unattributed = f.mostlyQuote && f.reporting + f.dialogue + f.gesture + f.attributed === 0;
      return unattributed
        ? reading(t.unattributedWeight * rarity.dialogue, "unattributed line of dialogue", !f.listed)
        : reading(t.conversationalWeight * rarity.dialogue, "conversational quotation");
    },
  },
  {
    read: (f, { rarity, t }) => (f.gendered ? reading(Math.min(t.heSheCap, t.heSheWeight * f.gendered) * rarity.gendered, "he/she narration", f.gendered >= 2) : undefined),
    other: false,
    heShe: true,
  },
  {
    read: (f, { rarity, t }) =>
      f.reportedGendered
        ? reading(Math.min(t.reportedCap, t.reportedWeight * f.reportedGendered) * rarity.gendered, "he/she about someone the document reports on")
        : undefined,
    other: false,
  },
  {
    read(f, { rarity, nearInjected, t }) {
      if (!f.firstPerson) return undefined;
      const narration = (nearInjected || f.firstNarration > 0) && !f.aside;
      // A document whose author speaks in their own person, to "you" or as "I", throughout: one more "I" is that voice.
      const own = Math.min(rarity.firstPerson, rarity.personal + t.authorVoice);
      return narration ? reading(t.narrationWeight * own, "first-person narration", true) : reading(t.firstPersonWeight * own, "first person");
    },
    narrator: true,
  },
  { read: (f, { rarity, t }) => (f.contractions ? reading(t.contractionWeight * rarity.contractions, "conversational contractions") : undefined) },
  { read: (f, { rarity, t }) => (f.question ? reading(t.questionWeight * rarity.question, "question") : undefined) },
  { read: (f, { t }) => (f.orphanStart ? reading(t.orphanWeight, "starts with orphan punctuation") : undefined) },
  {
    // A splice mark says two texts meet here; with any narrative sign on this side, this is the injected one.
    read(f, { sofar, t }) {
      if (!f.spliceEdge) return undefined;
      const lead = sofar.score >= t.spliceLead;
      return reading(lead ? t.spliceStrongWeight : t.spliceWeight, "next to a splice mark", lead);
    },
  },
  {
    read: (_f, { names, sofar, t }) => (names.length > 0 && sofar.strong > 0 ? reading(t.namesWeight, `names found nowhere else (${names.join(", ")})`) : undefined),
    other: false,
  },
];

/** The narrative evidence of a span with features `f`: every signal's reading, added up. */
export function narrativeEvidence(f: Features, rarity: Rarity, names: string[], t: Tuning, nearInjected = false): Evidence {
  const evidence: Evidence = { score: 0, strong: 0, heShe: 0, narrator: 0, other: 0, past: f.pastTense > 0, signals: [] };
  for (const signal of SIGNALS) {
    const r = signal.read(f, { rarity, names, nearInjected, sofar: evidence, t });
    if (!r || r.weight <= t.minSignal) continue;
    evidence.score += r.weight;
    if (signal.other !== false) evidence.other += r.weight;
    if (r.strong) {
      evidence.strong += r.weight;
      if (signal.heShe) evidence.heShe += r.weight;
      if (signal.narrator) evidence.narrator += r.weight;
    }
    evidence.signals.push(r.label);
  }
  return evidence;
}
