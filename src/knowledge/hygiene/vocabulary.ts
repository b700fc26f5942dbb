/** Counts of words (stems, or prefixed name forms) in a document. */
export class Vocabulary {
  private readonly counts = new Map<string, number>();
  add(key: string, by = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + by);
  }
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}

/** Prefixes keeping capitalised forms (and those inside a sentence) apart from stems in one vocabulary. */
export const NAME_KEY = "\u0000";
export const MID_NAME_KEY = "\u0001";
