/**
 * Passages as the index keeps them in memory. The text of every passage lives UTF-8 encoded in one
 * buffer and is decoded on use; the strings that passages repeat (path, title, section path, link) are
 * shared.
 *
 * Why: V8 keeps a string that holds any character beyond Latin-1 at two bytes per character, and one
 * curly apostrophe is enough. Documentation is mostly ASCII with such characters sprinkled through it
 * (in the Rust book, 9 passages in 10), so as strings the passage texts took twice their size, the
 * largest part of the heap after the postings. And a snapshot parsed from JSON holds its own copy of a
 * document's path and title for every passage.
 */
import type { Passage, PassageKind, PassageSource } from "../knowledge/types.ts";
import { LruCache } from "../lru.ts";

/** Decoded texts kept for reuse: a question reads the texts of its few dozen candidates several times. */
const DECODED_CACHE = 1024;

class TextStore {
  private readonly bytes: Buffer;
  private readonly offsets: Uint32Array;
  private readonly decoded = new LruCache<number, string>(DECODED_CACHE);

  constructor(bytes: Buffer, offsets: Uint32Array) {
    this.bytes = bytes;
    this.offsets = offsets;
  }

  text(i: number): string {
    return this.decoded.getOrSet(i, () => this.bytes.toString("utf8", this.offsets[i] ?? 0, this.offsets[i + 1] ?? 0));
  }
}

/**
 * A passage whose text is kept in a TextStore. JSON.stringify serialises it as a plain Passage (toJSON);
 * structured clone and object spread would drop the text, so anything posted to another thread goes
 * through plainPassages first.
 */
class StoredPassage implements Passage {
  readonly id: string;
  readonly kind: PassageKind;
  readonly source: PassageSource;
  readonly keywords?: string[];
  readonly aliases?: string[];
  readonly #store: TextStore;
  readonly #n: number;

  constructor(p: Passage, source: PassageSource, store: TextStore, n: number) {
    this.id = p.id;
    this.kind = p.kind;
    this.source = source;
    if (p.keywords) this.keywords = p.keywords;
    if (p.aliases) this.aliases = p.aliases;
    this.#store = store;
    this.#n = n;
  }

  get text(): string {
    return this.#store.text(this.#n);
  }

  toJSON(): Passage {
    return {
      id: this.id,
      text: this.text,
      kind: this.kind,
      source: this.source,
      ...(this.keywords ? { keywords: this.keywords } : {}),
      ...(this.aliases ? { aliases: this.aliases } : {}),
    };
  }
}

/** Passages stored per step of `storing`: about 20 ms of work, so a yielding caller never stalls longer. */
const SLICE = 4000;

/** Stores the passages in slices, yielding between them; see storePassages and storePassagesAsync. */
function* storing(passages: readonly Passage[]): Generator<void, { passages: Passage[]; textBytes: number }> {
  const offsets = new Uint32Array(passages.length + 1);
  let size = 0;
  for (let i = 0; i < passages.length; i++) {
    size += Buffer.byteLength(passages[i]?.text ?? "", "utf8");
    offsets[i + 1] = size;
  }
  // Not from Node's small-buffer pool: this one lives as long as the index.
  const bytes = Buffer.allocUnsafeSlow(size);
  for (let i = 0; i < passages.length; i++) {
    bytes.write(passages[i]?.text ?? "", offsets[i] ?? 0, "utf8");
    if ((i + 1) % SLICE === 0) yield;
  }
  const store = new TextStore(bytes, offsets);
  const strings = new Map<string, string>();
  const share = (s: string) => {
    const known = strings.get(s);
    if (known !== undefined) return known;
    strings.set(s, s);
    return s;
  };
  const sections = new Map<string, string[]>();
  const sectionOf = (section: readonly string[]) => {
    const key = section.join("\u0000");
    let shared = sections.get(key);
    // Shared by every passage of the section: frozen, so that no caller can change them all by accident.
    if (!shared) sections.set(key, (shared = Object.freeze(section.map(share)) as string[]));
    return shared;
  };
  const stored: Passage[] = [];
  for (let n = 0; n < passages.length; n++) {
    const p = passages[n] as Passage;
    const s = p.source;
    const source: PassageSource = {
      path: share(s.path),
      title: share(s.title),
      section: sectionOf(s.section),
      passage: s.passage,
      line: s.line,
      ...(s.url !== undefined ? { url: share(s.url) } : {}),
    };
    stored.push(new StoredPassage(p, source, store, n));
    if ((n + 1) % SLICE === 0) yield;
  }
  return { passages: stored, textBytes: size };
}

/** The same passages, stored compactly (see the module comment). Order and content are unchanged. */
export function storePassages(passages: readonly Passage[]): { passages: Passage[]; textBytes: number } {
  const steps = storing(passages);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** storePassages, yielding to the event loop between slices: for a large index loaded in a running bot. */
export async function storePassagesAsync(passages: readonly Passage[]): Promise<{ passages: Passage[]; textBytes: number }> {
  const steps = storing(passages);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Plain passages (text included), for snapshots and for posting to another thread. */
export function plainPassages(passages: readonly Passage[]): Passage[] {
  return passages.map((p) => (p instanceof StoredPassage ? p.toJSON() : p));
}
