/**
 * The interface of a debris detector, and how the detectors are run. Debris is text that is no prose
 * at all (markup, page furniture, a chat log), so it is flagged on sight, without weighing cohesion.
 */
import type { PassageKind } from "../../types.ts";
import { overlaps } from "../ranges.ts";
import type { Debris, Range, SourceFormat } from "../types.ts";

/** Finds debris in a block's text: stretches of it, which the rest of the sentence around them survives. */
export interface TextDetector {
  level: "text";
  /** Names the detector's fixtures (test/fixtures/hygiene-debris/<id>.json). */
  id: string;
  /** Named in the reason given to the operator. */
  signal: string;
  /** The formats it runs on; all when left out. */
  formats?: readonly SourceFormat[];
  find(text: string): Iterable<Range>;
}

/** Tells whether one sentence-sized unit, after text detectors carved their finds out of it, is debris as a whole. */
export interface UnitDetector {
  level: "unit";
  id: string;
  signal: string;
  matches(body: string, unit: UnitContext): boolean;
}

export type DebrisDetector = TextDetector | UnitDetector;

export interface UnitContext {
  /** The kind of block the unit is in. */
  kind: PassageKind;
  /** Whether text detectors cut debris out of the unit's sentence. */
  carved: boolean;
  /** Whether the unit opens its line (after a list marker, if any), rather than following a sentence on it. */
  opensLine: boolean;
}

/** Every find of the text detectors, in their order; a find overlapping an earlier one or a protected range is dropped. */
export function findDebris(text: string, guarded: Range[], detectors: readonly DebrisDetector[], format: SourceFormat): Debris[] {
  const found: Debris[] = [];
  for (const detector of detectors) {
    if (detector.level !== "text" || (detector.formats && !detector.formats.includes(format))) continue;
    for (const { start, end } of detector.find(text)) {
      if (!overlaps(guarded, start, end) && !overlaps(found, start, end)) found.push({ start, end, signal: detector.signal });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** The signal of the first unit detector that matches, if any. */
export function unitDebris(body: string, unit: UnitContext, detectors: readonly DebrisDetector[]): string | undefined {
  for (const detector of detectors) if (detector.level === "unit" && detector.matches(body, unit)) return detector.signal;
  return undefined;
}

/** The ranges of a regex's matches, for detectors that are one pattern. */
export function* matchRanges(text: string, pattern: RegExp): Generator<Range> {
  for (const m of text.matchAll(pattern)) yield { start: m.index, end: m.index + m[0].length };
}
