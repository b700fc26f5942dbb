/**
 * A pass of the check over one document, and the state the passes share. checkDocument (index.ts)
 * builds the state and runs PASSES in order; each pass reads the model and the features and sets or
 * clears units' `flagged` and `trim`.
 */
import { features, type Features } from "./features.ts";
import type { Tuning } from "./tuning.ts";
import type { DocumentModel, Unit } from "./types.ts";
import { rarityOf, type Rarity } from "./voice.ts";

export interface DocumentState {
  model: DocumentModel;
  units: Unit[];
  /** Features of each unit, by unit index; passes about quoted speech adjust them. */
  feats: Features[];
  unitIndex: Map<Unit, number>;
  blockUnits: Map<number, Unit[]>;
  /** Units per block that are not debris. */
  proseUnits: Map<number, number>;
  /** Per unit: a quotation right after a sentence about a person, which may be that person's testimony. */
  testimony: boolean[];
  /** The document's voice per unit, and its typical cohesion: set by the judging pass, read by later ones. */
  rarity: (i: number) => Rarity;
  typical: number;
  t: Tuning;
}

export interface Pass {
  name: string;
  run(state: DocumentState): void;
}

export function createState(model: DocumentModel): DocumentState {
  const { units, blocks, tuning } = model;
  const blockUnits = new Map<number, Unit[]>();
  const proseUnits = new Map<number, number>();
  for (const unit of units) {
    const list = blockUnits.get(unit.block);
    if (list) list.push(unit);
    else blockUnits.set(unit.block, [unit]);
    if (!unit.debris) proseUnits.set(unit.block, (proseUnits.get(unit.block) ?? 0) + 1);
  }
  const everywhere = rarityOf(1);
  return {
    model,
    units,
    feats: units.map((unit) => features(unit, blocks[unit.block]!.text)),
    unitIndex: new Map<Unit, number>(units.map((unit, i) => [unit, i])),
    blockUnits,
    proseUnits,
    testimony: units.map(() => false),
    rarity: () => everywhere,
    typical: tuning.typicalCohesion,
    t: tuning,
  };
}
