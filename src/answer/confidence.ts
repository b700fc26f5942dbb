/**
 * Whether to answer: from the evidence about the best passage, how likely it is that the knowledge
 * answers the question, and so which of the three outcomes to give — an answer, the closest passages
 * shown as "unsure", or nothing ("no-match").
 *
 * The model is a logistic regression over a few general features of the match, fitted on the tune
 * halves of the blind question sets (`npx tsx bench/calibrate.ts`, which prints the coefficients below).
 * Its label is "the knowledge answers this question", so it learns when to decline, not which passage
 * is right: that is the ranking's job.
 */

/** What the ranking found out about its best passage; every field is general, none names a corpus. */
export interface Evidence {
  /** Share of the question's weight the passage (with its headings) covers, expansions at their weight. */
  cover: number;
  /** The same without expansions: the question's own words (and their word family) only. */
  exactCover: number;
  /** The best unit's score: its coverage, phrase and answer-type evidence (0 to about 2). */
  unitScore: number;
  /** Share of the question the best unit's own words cover, without context, headings or expansions. */
  unitOwn: number;
  /** How many of the question's own words the passage holds, as written or through a related word. */
  matched: number;
  /** How many it holds as written (or as the same stem). */
  exactMatched: number;
  /** How the passage covers the question's rarest word: 1 as written, an expansion's credit, or 0. */
  heaviestCovered: number;
  /** The same for the two rarest words, on average: a question's subject is its rarest words. */
  topTwoCovered: number;
  /** The largest share of the question's weight in one word the passage lacks altogether. */
  missingMax: number;
  /** The most topical question word the passage holds: how much more often the knowledge uses it than English does (a log ratio). */
  topical: number;
  /** How many words the question has (its own, not a follow-up's context). */
  words: number;
  /** Share of the question's weight in words the knowledge never uses, not even through an expansion. */
  unknownShare: number;
  /** The second passage's score as a share of the best's (0 when there is none). */
  margin: number;
}

export type Outcome = "answered" | "unsure" | "no-match";

/** The fitted model: intercept, one coefficient per feature, and the two thresholds on its probability. */
export interface ConfidenceModel {
  intercept: number;
  weights: Record<FeatureName, number>;
  /** At or above: answer. */
  answerAt: number;
  /** At or above (and below answerAt): show the closest passages as "unsure". Below: no-match. */
  unsureAt: number;
  /**
   * Nothing is near — no-match whatever the probability — when the best passage holds no question word
   * more topical than this (see Evidence.topical)… */
  nearTopical: number;
  /** …and covers less of the question than this with the question's own words. Off-topic questions match only common words. */
  nearCover: number;
}

export const FEATURES = [
  "cover",
  "exactCover",
  "unitScore",
  "unitOwn",
  "matchedShare",
  "exactShare",
  "heaviestCovered",
  "topTwoCovered",
  "missingMax",
  "unknownShare",
  "margin",
  "fewWords",
  "coverTimesUnit",
  "exactCount",
  "topical",
] as const;
export type FeatureName = (typeof FEATURES)[number];

/** The features as the model reads them, each roughly from 0 to 1. */
export function features(e: Evidence): Record<FeatureName, number> {
  return {
    cover: e.cover,
    exactCover: e.exactCover,
    unitScore: Math.min(e.unitScore, 2) / 2,
    unitOwn: e.unitOwn,
    matchedShare: e.words ? e.matched / e.words : 0,
    exactShare: e.words ? e.exactMatched / e.words : 0,
    heaviestCovered: e.heaviestCovered,
    topTwoCovered: e.topTwoCovered,
    missingMax: e.missingMax,
    coverTimesUnit: e.cover * e.unitOwn,
    // How many words match, up to six: two matched words say less than five, whatever their share.
    exactCount: Math.min(e.exactMatched, 6) / 6,
    topical: Math.min(Math.max(e.topical, 0), 15) / 15,
    unknownShare: e.unknownShare,
    margin: e.margin,
    // One- and two-word questions cover easily: "docker?" is all matched by any page that says docker.
    fewWords: e.words <= 2 ? 1 : 0,
  };
}

export const DEFAULT_MODEL: Readonly<ConfidenceModel> = Object.freeze({
  intercept: -1.929,
  weights: Object.freeze({
    cover: 0.292,
    exactCover: 0.269,
    unitScore: 0.117,
    unitOwn: 0.91,
    matchedShare: 0.431,
    exactShare: 0.654,
    heaviestCovered: 0.403,
    topTwoCovered: -0.525,
    missingMax: -0.686,
    unknownShare: -0.663,
    margin: -0.019,
    fewWords: -0.224,
    coverTimesUnit: 0.968,
    exactCount: 1.67,
    topical: 0.007,
  }),
  // On the tune halves: 6% of answerable questions declined, 65% of no-answer ones (bench/calibrate.ts).
  answerAt: 0.3,
  // Off-topic questions mostly fall below it (or are not near at all): 78% get no-match, 2% of answerable ones.
  unsureAt: 0.15,
  nearTopical: 5,
  nearCover: 0.4,
});

export function probability(e: Evidence, model: ConfidenceModel = DEFAULT_MODEL): number {
  const f = features(e);
  let z = model.intercept;
  for (const name of FEATURES) z += model.weights[name] * f[name];
  return 1 / (1 + Math.exp(-z));
}

/** Whether anything in the knowledge is near the question at all (see ConfidenceModel.nearTopical). */
export function near(e: Evidence, model: ConfidenceModel = DEFAULT_MODEL): boolean {
  return e.matched > 0 && (e.topical >= model.nearTopical || e.exactCover >= model.nearCover);
}

export function decide(e: Evidence, model: ConfidenceModel = DEFAULT_MODEL): { outcome: Outcome; confidence: number } {
  const p = probability(e, model);
  if (!near(e, model)) return { outcome: "no-match", confidence: p };
  return { outcome: p >= model.answerAt ? "answered" : p >= model.unsureAt ? "unsure" : "no-match", confidence: p };
}
