/**
 * How much real content the hygiene check touches, and how fast it is:
 *   npx tsx bench/hygiene.ts [--dir DIR] [--repeat N] [--list]
 * Loads DIR (default: the Rust book in ../shared) with and without the check and counts the passages
 * the check changed or removed. On a folder of real documentation that share must stay under 1%;
 * the exit code is 1 when it does not. --repeat runs the check N more times to time it.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Block, ParsedDocument } from "../src/knowledge/blocks.ts";
import { hygieneCleaner, passagesChangedByCleaning } from "../src/knowledge/clean.ts";
import { checkDocument } from "../src/knowledge/hygiene.ts";
import { loadKnowledge, type BlockCleaner } from "../src/knowledge/load.ts";
import { RUST_DIR } from "./corpora.ts";

const LIMIT = 0.01;

const { values } = parseArgs({ options: { dir: { type: "string" }, repeat: { type: "string" }, list: { type: "boolean" } } });
const dir = path.resolve(values.dir ?? RUST_DIR);
if (!existsSync(dir)) {
  process.stderr.write(`bench: folder not found: ${dir} (the Rust book is read from ../shared beside the repository)\n`);
  process.exit(2);
}
const repeat = Number(values.repeat ?? 0);

const clean = hygieneCleaner();
const timings: Array<{ path: string; ms: number }> = [];
const documents: Array<{ blocks: Block[]; doc: ParsedDocument; path: string }> = [];
const timed: BlockCleaner = (blocks, doc, relativePath) => {
  documents.push({ blocks, doc, path: relativePath });
  const start = performance.now();
  const result = clean(blocks, doc, relativePath);
  timings.push({ path: relativePath, ms: performance.now() - start });
  return result;
};

const cleaned = await loadKnowledge(dir, { cleaner: timed });
const raw = await loadKnowledge(dir);
const rawByPath = new Map(raw.documents.map((d) => [d.path, d]));

let passages = 0;
let touched = 0;
let spans = 0;
for (const doc of cleaned.documents) {
  const before = rawByPath.get(doc.path)?.passages ?? [];
  passages += before.length;
  touched += passagesChangedByCleaning(before, doc.passages);
  spans += doc.flagged.length;
  if (values.list) for (const span of doc.flagged) console.log(`${doc.path}:${span.line}  ${span.reason}\n    ${span.text.slice(0, 200)}`);
}
const blocks = documents.reduce((n, d) => n + d.blocks.length, 0);
const blocksTouched = documents.reduce((n, d) => n + checkDocument(d.blocks).filter((v) => v.removed.length > 0).length, 0);

const total = timings.reduce((n, t) => n + t.ms, 0);
const slowest = [...timings].sort((a, b) => b.ms - a.ms)[0];
let repeatMs = 0;
if (repeat > 0) {
  const start = performance.now();
  for (let i = 0; i < repeat; i++) for (const d of documents) clean(d.blocks, d.doc, d.path);
  repeatMs = performance.now() - start;
}

const share = passages ? touched / passages : 0;
console.log(`Folder: ${dir}`);
console.log(`Documents: ${cleaned.documents.length}, passages: ${passages}, blocks: ${blocks}`);
console.log(`Flagged spans: ${spans}; passages touched: ${touched} (${(share * 100).toFixed(2)}%, limit ${LIMIT * 100}%)`);
console.log(`Blocks touched: ${blocksTouched} of ${blocks} (${((blocksTouched / Math.max(1, blocks)) * 100).toFixed(2)}%)`);
console.log(`Check time: ${total.toFixed(0)} ms in all, ${(total / Math.max(1, timings.length)).toFixed(2)} ms per document on average, slowest ${slowest ? `${slowest.path} ${slowest.ms.toFixed(1)} ms` : "-"}`);
if (repeat > 0) console.log(`Repeated ${repeat}×: ${repeatMs.toFixed(0)} ms, ${(repeatMs / repeat / Math.max(1, documents.length)).toFixed(2)} ms per document`);
console.log(share < LIMIT ? "PASS" : "FAIL: the check touches too much real content");
if (share >= LIMIT) process.exitCode = 1;
