/**
 * Finds text that was spliced into a document from somewhere else (sentences of an unrelated novel,
 * scraped markup debris) so that the loader can keep it out of the index and out of every answer.
 *
 * Only general signals are used, because the articles checked in production are not the ones this
 * was tuned on:
 * - markup debris: broken tag or attribute fragments, path/format fragments glued to a sentence,
 *   breadcrumb separators opening a paragraph or trails standing alone, chat-log lines, cookie
 *   banners and other page furniture;
 * - lexical cohesion: the share of a span's content words (stemmed) found elsewhere in the document,
 *   leave-one-out and ignoring spans already flagged, so injected sentences cannot vouch for each other;
 * - narrative register: dialogue and its attribution, gesture verbs, he/she or first-person narration,
 *   contractions, questions, names found nowhere else. Each counts only in proportion to how rare it is
 *   in the document's own most cohesive sentences, so a story, a tutorial written to "you" or an
 *   interview full of "he said" is judged against its own voice.
 * A span is flagged only with a strong narrative signal (dialogue, first-person narration, repeated
 * he/she) *and* vocabulary the rest of the document does not share; real facts share vocabulary.
 * Reporting is told apart from narration: he/she in a sentence that carries a number, introduces a
 * person by name and role, or names someone the document names elsewhere is that person; quotations
 * attributed after, before ("said: “…”"), inverted (", said the mayor") or by the sentence or
 * paragraph before them are testimony; a transcript's speakers ("Ruiz: …", "Q:"/"A:") speak in the
 * first person; names found nowhere else count only when the rest of the sentence is foreign too. He/
 * she narration as the only sign needs clearly less shared vocabulary than the document's typical
 * sentence, and nothing shared at all inside a paragraph that is otherwise the document's own.
 * Splices are often mid-sentence, so sentences are first cut at splice marks ("——,", a capitalised
 * clause opener glued to a lowercase word, ". ,") and a sentence that still mixes both texts is
 * trimmed where its vocabulary turns foreign.
 *
 * The package: model.ts cuts a document into units (units.ts) with their words (words.ts) and finds
 * debris (debris/, one detector per kind); features.ts counts narrative features, signals.ts weighs
 * them against the document's voice (voice.ts) and cohesion (cohesion.ts); the passes (pass.ts) run in
 * the order of PASSES below; verdict.ts cuts and mends. Every tunable is in tuning.ts.
 */
import { applyKeep, buildModel, judged } from "./model.ts";
import { judgeNarrative } from "./judge.ts";
import { settleNeighbours } from "./neighbours.ts";
import { createState, type Pass } from "./pass.ts";
import { quotedSpeech } from "./speech.ts";
import { keepRealHalf } from "./trim.ts";
import { tuningWith } from "./tuning.ts";
import type { BlockVerdict, HygieneBlock, HygieneOptions, Unit } from "./types.ts";
import { verdict } from "./verdict.ts";

export type { BlockVerdict, HygieneBlock, HygieneOptions, Removal, SourceFormat } from "./types.ts";
export { DEFAULT_TUNING, tuningWith, type Tuning } from "./tuning.ts";

/** The passes, in order: who speaks in quotations, what is narrative, which halves are real, what sits beside it. */
export const PASSES: readonly Pass[] = [quotedSpeech, judgeNarrative, keepRealHalf, settleNeighbours];

/** Judges one document's blocks together (cohesion needs the whole document). Pure and deterministic. */
export function checkDocument(blocks: HygieneBlock[], options: HygieneOptions = {}): BlockVerdict[] {
  const untouched = (block: HygieneBlock): BlockVerdict => ({ text: block.text, removed: [], flagged: [] });
  if (options.disabled || !blocks.some(judged)) return blocks.map(untouched);

  const model = buildModel(blocks, tuningWith(options.tuning), options.format);
  applyKeep(model, options.keep ?? []);
  const state = createState(model);
  for (const pass of PASSES) pass.run(state);

  const byBlock: Unit[][] = blocks.map(() => []);
  for (const unit of model.units) byBlock[unit.block]!.push(unit);
  return blocks.map((block, b) => (judged(block) ? verdict(block, byBlock[b]!) : untouched(block)));
}
