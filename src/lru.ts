/**
 * A bounded cache that forgets what was used least recently first. The engine's per-passage caches use
 * it so that memory stays flat however many different passages a long-running bot's questions touch.
 *
 * Two generations instead of an exact recency list (the quick-lru scheme): a hit on the young one is a
 * single Map look-up, which matters in the answer loop's hot path. When the young generation fills up it
 * becomes the old one and the previous old one is dropped; an old entry used again moves back to the
 * young. What is dropped was not used since the generation before last: least recently used, roughly.
 */
export class LruCache<K, V> {
  readonly capacity: number;
  private readonly generation: number;
  private young = new Map<K, V>();
  private old = new Map<K, V>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`lru: Expected a capacity that is a positive integer, got ${capacity}`);
    this.capacity = capacity;
    // Young holds fewer than this, old at most this: never more than `capacity` in all.
    this.generation = Math.ceil(capacity / 2);
  }

  get(key: K): V | undefined {
    const value = this.young.get(key);
    if (value !== undefined) return value;
    const aging = this.old.get(key);
    if (aging !== undefined) {
      this.old.delete(key);
      this.add(key, aging);
    }
    return aging;
  }

  set(key: K, value: V): void {
    if (this.young.has(key)) {
      this.young.set(key, value);
      return;
    }
    this.old.delete(key);
    this.add(key, value);
  }

  /** The cached value, or `compute()`'s, cached. */
  getOrSet(key: K, compute: () => V): V {
    const known = this.get(key);
    if (known !== undefined) return known;
    const value = compute();
    this.add(key, value);
    return value;
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  private add(key: K, value: V): void {
    this.young.set(key, value);
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
  }
}
