/** Porter stems (the `stemmer` package) behind one bounded cache, for search and the hygiene check alike. */
import { stemmer } from "stemmer";
import { LruCache } from "../lru.ts";

/** Bounded like the engine's other caches: a long-running bot sees ever new words in questions. */
const cache = new LruCache<string, string>(200_000);

/** The Porter stem of a lowercase word. */
export function stem(word: string): string {
  let out = cache.get(word);
  if (out === undefined) {
    out = stemmer(word);
    cache.set(word, out);
  }
  return out;
}
