/**
 * How much of real documentation the hygiene check removes, per folder, and how fast it is:
 *   npx tsx bench/hygiene.ts [DIR …] [--list] [--repeat N] [--record FILE [--spans-only]] [--compare FILE]
 * Each DIR is loaded the way the bot loads it, with and without the check; the table gives files,
 * passages, spans flagged and passages changed per folder. With no DIR it runs on every folder of
 * clean documentation beside the repository: ../shared/corpora, ../corpora-extra, and each folder
 * of /work/corpora-extra (documentation fetched for measuring, never committed).
 * On clean documentation every span flagged is a false positive: the exit code is 1 when any
 * folder has one, unless --report (for folders with injected text, like the seed article's).
 * --record writes, per folder and file, the flagged spans and the cleaned text of every changed
 * block (--spans-only: the spans alone, small enough to commit); --compare reports every file whose
 * output differs from such a record, and exits 1 if one does. --repeat times N more runs of the check.
 * --set NAME=VALUE (repeatable) runs with a tunable changed (src/knowledge/hygiene/tuning.ts), for sweeps.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Block, ParsedDocument } from "../src/knowledge/blocks.ts";
import { hygieneCleaner, passagesChangedByCleaning } from "../src/knowledge/clean.ts";
import { readHygieneConfig } from "../src/knowledge/hygiene-config.ts";
import { tuningWith } from "../src/knowledge/hygiene/index.ts";
import { loadKnowledge, type BlockCleaner } from "../src/knowledge/load.ts";
import type { FlaggedSpan } from "../src/knowledge/types.ts";
import { ROOT, SHARED } from "./corpora.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    list: { type: "boolean" },
    repeat: { type: "string" },
    record: { type: "string" },
    "spans-only": { type: "boolean" },
    compare: { type: "string" },
    report: { type: "boolean" },
    set: { type: "string", multiple: true },
  },
});

/** Clean documentation to measure on when no folder is named: the shared corpora, then any extra ones. */
function defaultFolders(): string[] {
  const folders = ["corpora/rust-book/src", "corpora/vite-docs/docs", "corpora/18f-handbook/pages"].map((f) => path.join(SHARED, f));
  for (const extra of [path.resolve(ROOT, "../corpora-extra"), "/work/corpora-extra"]) {
    if (!existsSync(extra)) continue;
    for (const name of readdirSync(extra).sort()) if (statSync(path.join(extra, name)).isDirectory()) folders.push(path.join(extra, name));
  }
  // ../corpora-extra may be a link to /work/corpora-extra: each folder once.
  return [...new Set(folders.filter((f) => existsSync(f)).map((f) => realpathSync(f)))];
}

const folders = positionals.length ? positionals.map((f) => path.resolve(f)) : defaultFolders();
for (const dir of folders) {
  if (!existsSync(dir)) {
    process.stderr.write(`bench: folder not found: ${dir}\n`);
    process.exit(2);
  }
}
const repeat = Number(values.repeat ?? 0);
const tuning: Record<string, number> = {};
for (const setting of values.set ?? []) {
  const [name, value] = setting.split("=");
  if (!name || value === undefined) {
    process.stderr.write(`bench: Expected --set NAME=VALUE, got ${JSON.stringify(setting)}\n`);
    process.exit(2);
  }
  tuning[name] = Number(value);
}
try {
  tuningWith(tuning);
} catch (error) {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exit(2);
}

interface FileRecord {
  flagged: FlaggedSpan[];
  /** Cleaned text of each changed block, by block index ("" when the block went); left out with --spans-only. */
  changed?: Array<{ block: number; text: string }>;
}
type FolderRecord = { [file: string]: FileRecord };

interface FolderResult {
  dir: string;
  files: number;
  passages: number;
  spans: number;
  filesFlagged: number;
  touched: number;
  ms: number;
  repeatMs: number;
  record: FolderRecord;
}

async function measure(dir: string): Promise<FolderResult> {
  const clean = hygieneCleaner(await readHygieneConfig(dir), () => {}, tuning);
  const documents: Array<{ blocks: Block[]; doc: ParsedDocument; path: string }> = [];
  const record: FolderRecord = {};
  let ms = 0;
  const timed: BlockCleaner = (blocks, doc, relativePath) => {
    documents.push({ blocks, doc, path: relativePath });
    const start = performance.now();
    const result = clean(blocks, doc, relativePath);
    ms += performance.now() - start;
    if (result.flagged.length) {
      // Cleaned blocks keep their line; a block missing from the result was removed whole.
      const out = new Map(result.blocks.map((b) => [b.line, b.text]));
      const changed = blocks.flatMap((b, i) => (out.get(b.line) === b.text ? [] : [{ block: i, text: out.get(b.line) ?? "" }]));
      record[relativePath] = { flagged: result.flagged, ...(values["spans-only"] ? {} : { changed }) };
    }
    return result;
  };
  const cleaned = await loadKnowledge(dir, { cleaner: timed });
  const raw = await loadKnowledge(dir);
  const rawByPath = new Map(raw.documents.map((d) => [d.path, d]));
  let passages = 0;
  let touched = 0;
  let spans = 0;
  let filesFlagged = 0;
  for (const doc of cleaned.documents) {
    const before = rawByPath.get(doc.path)?.passages ?? [];
    passages += before.length;
    touched += passagesChangedByCleaning(before, doc.passages);
    spans += doc.flagged.length;
    if (doc.flagged.length) filesFlagged++;
    if (values.list) for (const span of doc.flagged) console.log(`${path.join(dir, doc.path)}:${span.line}  ${span.reason}\n    ${span.text.slice(0, 200)}`);
  }
  let repeatMs = 0;
  if (repeat > 0) {
    const start = performance.now();
    for (let i = 0; i < repeat; i++) for (const d of documents) clean(d.blocks, d.doc, d.path);
    repeatMs = performance.now() - start;
  }
  return { dir, files: cleaned.documents.length, passages, spans, filesFlagged, touched, ms, repeatMs, record };
}

/** A folder's name in tables and records: relative to the repository, or to the folder beside it. */
function shortName(dir: string): string {
  const inside = path.relative(ROOT, dir);
  if (!inside.startsWith("..")) return inside || ".";
  const beside = path.relative(path.resolve(ROOT, ".."), dir);
  return beside.startsWith("..") ? dir : `../${beside}`;
}

const results: FolderResult[] = [];
for (const dir of folders) results.push(await measure(dir));

const rows = results.map((r) => [
  shortName(r.dir),
  String(r.files),
  String(r.passages),
  String(r.spans),
  String(r.filesFlagged),
  String(r.touched),
  (r.ms / Math.max(1, r.files)).toFixed(2),
  ...(repeat > 0 ? [(r.repeatMs / repeat / Math.max(1, r.files)).toFixed(2)] : []),
]);
const sum = (key: "files" | "passages" | "spans" | "filesFlagged" | "touched") => String(results.reduce((n, r) => n + r[key], 0));
if (results.length > 1) rows.push(["total", sum("files"), sum("passages"), sum("spans"), sum("filesFlagged"), sum("touched"), "", ...(repeat > 0 ? [""] : [])]);
const header = [
  "folder",
  "files",
  "passages",
  "spans flagged",
  "files flagged",
  "passages changed",
  "ms per file",
  ...(repeat > 0 ? [`ms per file (${repeat}× repeated)`] : []),
];
console.log(`| ${header.join(" | ")} |\n|${header.map(() => " --- ").join("|")}|`);
for (const row of rows) console.log(`| ${row.join(" | ")} |`);

if (values.record) {
  const out = Object.fromEntries(results.map((r) => [shortName(r.dir), r.record]));
  writeFileSync(values.record, JSON.stringify(out, null, 1) + "\n");
  console.log(`Recorded ${values.record}`);
}

let failed = false;
if (values.compare) {
  const expected = JSON.parse(readFileSync(values.compare, "utf8")) as { [folder: string]: FolderRecord };
  let differences = 0;
  for (const r of results) {
    const want = expected[shortName(r.dir)];
    if (!want) {
      console.log(`not in ${values.compare}: ${shortName(r.dir)}`);
      differences++;
      continue;
    }
    for (const file of new Set([...Object.keys(want), ...Object.keys(r.record)])) {
      const a = want[file];
      const b = r.record[file];
      // A spans-only record compares spans only.
      const strip = (x: FileRecord | undefined) => (x && a && a.changed === undefined ? { flagged: x.flagged } : x);
      if (JSON.stringify(strip(a)) !== JSON.stringify(strip(b))) {
        differences++;
        console.log(
          `differs: ${shortName(r.dir)}/${file}\n  was: ${JSON.stringify(a?.flagged.map((f) => f.text) ?? [])}\n  now: ${JSON.stringify(b?.flagged.map((f) => f.text) ?? [])}`,
        );
      }
    }
  }
  console.log(differences ? `${differences} file(s) differ from ${values.compare}` : `Same output as ${values.compare}`);
  if (differences) failed = true;
}
if (!values.report && results.some((r) => r.spans > 0)) {
  console.log("FAIL: spans flagged in clean documentation (run with --list to see them, --report for folders with injected text)");
  failed = true;
}
if (failed) process.exitCode = 1;
