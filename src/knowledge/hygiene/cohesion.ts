/**
 * Lexical cohesion: the share of a span's content words (stemmed) found elsewhere in the document,
 * leaving out the span itself and what is already flagged, so injected sentences cannot vouch for each other.
 */
import type { RemovedWords, Unit } from "./types.ts";
import { MID_NAME_KEY, NAME_KEY, Vocabulary } from "./vocabulary.ts";
import { opensSentence } from "./words.ts";

export interface Cohesion {
  share: number;
  types: number;
}

/**
 * Cohesion of units taken as one span: their words vouch neither for themselves nor for each other.
 * A unit's own words are taken out of `removed` only if they were counted into it: flags change
 * while `removed` stays the snapshot it was taken as.
 */
export function cohesionOf(group: Unit[], all: Vocabulary, removed: RemovedWords, skip?: Set<string>): Cohesion | undefined {
  const own = new Map<string, number>();
  const ownRemoved = new Map<string, number>();
  for (const unit of group) {
    const counted = removed.units.has(unit);
    for (const w of unit.words) {
      if (!w.content || w.numeric || skip?.has(w.norm)) continue;
      own.set(w.stem, (own.get(w.stem) ?? 0) + 1);
      if (counted) ownRemoved.set(w.stem, (ownRemoved.get(w.stem) ?? 0) + 1);
    }
  }
  if (own.size === 0) return undefined;
  let present = 0;
  for (const [stem, n] of own) if (all.get(stem) - n - (removed.words.get(stem) - (ownRemoved.get(stem) ?? 0)) > 0) present++;
  return { share: present / own.size, types: own.size };
}

/**
 * Whether the rest of the group's paragraph (not flagged; in a long paragraph, the few sentences on
 * either side) shares at least the document's typical share of vocabulary.
 */
export function paragraphOverlaps(group: Unit[], units: Unit[], unitIndex: Map<Unit, number>, all: Vocabulary, removed: RemovedWords, typical: number, reach: number): boolean {
  const first = unitIndex.get(group[0]!)!;
  const last = unitIndex.get(group[group.length - 1]!)!;
  const block = group[0]!.block;
  const rest: Unit[] = [];
  for (let i = Math.max(0, first - reach); i <= Math.min(units.length - 1, last + reach); i++) {
    const unit = units[i]!;
    if ((i < first || i > last) && unit.block === block && !unit.flagged && !unit.debris) rest.push(unit);
  }
  if (rest.length === 0) return false;
  const c = cohesionOf(rest, all, removed);
  return c !== undefined && c.types >= 3 && c.share >= typical;
}

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The words of every unit flagged now, for cohesion that ignores them. */
export function removedVocabulary(units: Unit[], blocks: Array<{ text: string }>): RemovedWords {
  const words = new Vocabulary();
  const flagged = new Set<Unit>();
  for (const unit of units) {
    if (!unit.flagged) continue;
    flagged.add(unit);
    const text = blocks[unit.block]!.text;
    unit.words.forEach((w, k) => {
      if (w.content) words.add(w.stem);
      if (w.capitalised) words.add(NAME_KEY + w.norm);
      if (w.capitalised && w.content && !opensSentence(unit.words, k, text)) words.add(MID_NAME_KEY + w.norm);
    });
  }
  return { words, units: flagged };
}
