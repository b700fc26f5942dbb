/**
 * People in a document: whether a sentence reports on someone real (he/she there is that person,
 * not a character), and which names occur nowhere else.
 */
import { CONJUNCTIONS, STOP, THIRD_GENDERED } from "./lexicon.ts";
import type { DocumentModel, RemovedWords, Unit } from "./types.ts";
import { MID_NAME_KEY, NAME_KEY } from "./vocabulary.ts";
import { opensSentence } from "./words.ts";

/** A full name introduced with a role or an apposition: "the schoolteacher Ada Brook", "Her neighbour, Liam Burke". */
const ROLE_BEFORE_NAME = /(?<![\p{L}'’])(\p{Ll}{3,}),?[ \t]+\p{Lu}\p{Ll}+(?:[ \t]\p{Lu}[\p{L}'’-]+)+/gu;

/** …or followed by an age or an apposition: "David Marsh, 58,", "Sunita Rao, a nurse", "Ada Brook, who". */
const APPOSITION_AFTER_NAME = /\p{Lu}\p{Ll}+(?:[ \t]\p{Lu}[\p{L}'’-]+)+,[ \t]+(?:\d{1,3},|(?:a|an|the|who|whose)[ \t])/u;

/**
 * Why a unit reads as reporting about real people rather than narration, if it does: it carries a
 * number (a year, an amount, an age), introduces a person by full name with a role or an apposition,
 * or names someone the rest of the document names too (outside flagged text). He/she there refers
 * to the person reported on.
 */
export function reportsOn(unit: Unit, model: DocumentModel, removed: RemovedWords): string | undefined {
  const text = model.blocks[unit.block]!.text;
  if (unit.introduces === undefined) unit.introduces = introducesPerson(unit, text);
  if (unit.introduces) return unit.introduces;
  const counted = removed.units.has(unit);
  const own = new Map<string, number>();
  unit.words.forEach((w, k) => {
    if (w.capitalised && w.content && !opensSentence(unit.words, k, text)) own.set(w.norm, (own.get(w.norm) ?? 0) + 1);
  });
  for (const w of unit.words) {
    if (!w.capitalised || !w.content || w.inQuote || model.lowerForms.has(w.norm)) continue;
    const n = own.get(w.norm) ?? 0;
    if (model.midNames.get(w.norm) - n - (removed.words.get(MID_NAME_KEY + w.norm) - (counted ? n : 0)) > 0) return "names someone the document names";
  }
  return undefined;
}

/** The part of reportsOn that does not depend on what is flagged. */
function introducesPerson(unit: Unit, text: string): string | false {
  if (unit.words.some((w) => !w.inQuote && w.numeric)) return "carries a number";
  // Names need two capitalised words in a row.
  if (!unit.words.some((w, k) => w.capitalised && unit.words[k + 1]?.capitalised === true)) return false;
  const slice = text.slice(unit.start, unit.end);
  if (APPOSITION_AFTER_NAME.test(slice)) return "introduces a person";
  for (const m of slice.matchAll(ROLE_BEFORE_NAME)) {
    const role = m[1] ?? "";
    // A role is a noun: not a function word, a pronoun, a past tense or an adverb.
    if (!STOP.has(role) && !CONJUNCTIONS.has(role) && !THIRD_GENDERED.has(role) && !/(?:ed|ly)$/.test(role)) return "introduces a person";
  }
  return false;
}

/** Capitalised words, not opening a sentence, that the rest of the document never uses. */
export function uniqueNames(group: Unit[], model: DocumentModel, removed: RemovedWords): string[] {
  const names: string[] = [];
  // Capitalised occurrences in the group, and those of them counted into `removed`.
  const own = new Map<string, number>();
  const ownRemoved = new Map<string, number>();
  for (const unit of group) {
    const counted = removed.units.has(unit);
    for (const w of unit.words) {
      if (!w.capitalised) continue;
      own.set(w.norm, (own.get(w.norm) ?? 0) + 1);
      if (counted) ownRemoved.set(w.norm, (ownRemoved.get(w.norm) ?? 0) + 1);
    }
  }
  for (const unit of group) {
    const text = model.blocks[unit.block]!.text;
    unit.words.forEach((w, i) => {
      if (!w.capitalised || !w.content || w.inQuote || model.lowerForms.has(w.norm)) return;
      const opening = opensSentence(unit.words, i, text);
      if (opening && unit.words[i + 1]?.capitalised !== true) return;
      const n = own.get(w.norm) ?? 0;
      if (model.capitalForms.get(w.norm) - n - (removed.words.get(NAME_KEY + w.norm) - (ownRemoved.get(w.norm) ?? 0)) > 0) return;
      const name = text.slice(w.start, w.end);
      if (!names.includes(name)) names.push(name);
    });
  }
  return names;
}
