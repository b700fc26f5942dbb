/**
 * The index snapshot file: what it holds, how it is keyed, checked when read and written safely.
 *
 * A snapshot is reused only while its key matches: the snapshot format, and the installed versions of the
 * packages whose behaviour shapes the index (parsing, stemming, MiniSearch's own serialisation). The key is
 * the same whether the engine runs compiled or from its TypeScript sources, so neither forces a rebuild on
 * the other. A change to this project's own code that changes what is indexed must bump SNAPSHOT_FORMAT.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { threadId } from "node:worker_threads";
import type { LoadIssue } from "../knowledge/types.ts";
import type { KnowledgeIndexJSON } from "../search/index.ts";
import { lexiconFingerprint } from "../search/lexicon.ts";

/**
 * Bump when this project's code changes what goes into an index or how it is serialised (analysis,
 * passage splitting, hygiene, the index layout): snapshots of another format are rebuilt.
 */
export const SNAPSHOT_FORMAT = 3;

/** The packages whose versions shape an index: the parsers, the stemmer and MiniSearch. */
export const INDEX_DEPENDENCIES = ["markdown-it", "minisearch", "stemmer", "yaml"] as const;

export interface Snapshot {
  format: number;
  /** snapshotKey(): format and dependency versions. */
  engine: string;
  /** Hash of the knowledge files the index was built from. */
  content: string;
  /** The build settings (hygiene, passage sizing). */
  options: string;
  hashes: Record<string, string>;
  errors: LoadIssue[];
  skipped: LoadIssue[];
  index: KnowledgeIndexJSON;
}

export type SnapshotHead = Pick<Snapshot, "format" | "engine" | "content" | "options">;

/** The installed version of a package: its package.json in the nearest node_modules, as Node looks packages up. */
export function installedVersion(name: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8")) as { version?: unknown };
      if (typeof manifest.version === "string") return manifest.version;
    } catch {
      // Not installed at this level: keep walking up.
    }
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error(`snapshot: Expected ${name} to be installed in a node_modules folder above ${fileURLToPath(import.meta.url)}, got none`);
    dir = parent;
  }
}

let key: string | undefined;

/**
 * The key a usable snapshot must carry: the format, the installed versions of INDEX_DEPENDENCIES, and the
 * lexicon's data files (lexicon/), which shape the expansion table as much as code does.
 */
export function snapshotKey(): string {
  key ??= JSON.stringify({
    format: SNAPSHOT_FORMAT,
    dependencies: Object.fromEntries(INDEX_DEPENDENCIES.map((name) => [name, installedVersion(name)])),
    lexicon: lexiconFingerprint(),
  });
  return key;
}

/** Bytes read to find a snapshot's header: the fields saveSnapshot writes before the index, a few hundred bytes. */
const HEAD_BYTES = 8192;

/** The fields a snapshot starts with, or undefined when they can't be read so. */
export async function readSnapshotHead(file: string): Promise<SnapshotHead | undefined> {
  let text: string;
  try {
    const handle = await open(file, "r");
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(HEAD_BYTES), 0, HEAD_BYTES, 0);
      text = buffer.toString("utf8", 0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
  const end = text.indexOf(',"hashes":');
  if (end < 0) return undefined;
  try {
    return JSON.parse(`${text.slice(0, end)}}`) as SnapshotHead;
  } catch {
    return undefined;
  }
}

class Damaged extends Error {}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- what is left is a number, boolean, bigint, symbol or function
  return typeof value === "undefined" ? "nothing" : `${typeof value} ${String(value)}`;
}

function fail(where: string, what: string, value: unknown): never {
  throw new Damaged(`Expected ${where} to be ${what}, got ${describe(value)}`);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function object(value: unknown, where: string): Record<string, unknown> {
  return isObject(value) ? value : fail(where, "an object", value);
}

function array(value: unknown, where: string): unknown[] {
  return Array.isArray(value) ? value : fail(where, "an array", value);
}

function string(value: unknown, where: string): string {
  return typeof value === "string" ? value : fail(where, "a string", value);
}

function whole(value: unknown, where: string, below = Infinity): number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) < below
    ? (value as number)
    : fail(where, below === Infinity ? "a whole number" : `a whole number below ${below}`, value);
}

function strings(value: unknown, where: string): string[] {
  array(value, where).forEach((item, i) => string(item, `${where}[${i}]`));
  return value as string[];
}

function counts(value: unknown, where: string): void {
  for (const [k, n] of Object.entries(object(value, where))) if (typeof n !== "number" || !Number.isFinite(n)) fail(`${where}.${k}`, "a number", n);
}

function issues(value: unknown, where: string): void {
  array(value, where).forEach((item, i) => {
    const issue = object(item, `${where}[${i}]`);
    string(issue.path, `${where}[${i}].path`);
    string(issue.reason, `${where}[${i}].reason`);
  });
}

const KINDS = new Set(["prose", "list", "code", "table", "quote"]);

/** Checks what the engine reads of a saved index: its documents and passages, and MiniSearch's outline. */
function checkIndex(value: unknown): void {
  const index = object(value, "index");
  if (index.version !== 2) fail("index.version", "2", index.version);
  const paths = new Set<string>();
  array(index.documents, "index.documents").forEach((item, i) => {
    const where = `index.documents[${i}]`;
    const doc = object(item, where);
    paths.add(string(doc.path, `${where}.path`));
    string(doc.title, `${where}.title`);
    strings(doc.sections, `${where}.sections`);
    array(doc.flagged, `${where}.flagged`);
    if (doc.url !== undefined) string(doc.url, `${where}.url`);
  });
  const passages = array(index.passages, "index.passages");
  passages.forEach((item, i) => {
    const where = `index.passages[${i}]`;
    const p = object(item, where);
    string(p.id, `${where}.id`);
    string(p.text, `${where}.text`);
    if (!KINDS.has(p.kind as string)) fail(`${where}.kind`, `one of ${[...KINDS].join(", ")}`, p.kind);
    if (p.keywords !== undefined) strings(p.keywords, `${where}.keywords`);
    if (p.aliases !== undefined) strings(p.aliases, `${where}.aliases`);
    const source = object(p.source, `${where}.source`);
    if (!paths.has(string(source.path, `${where}.source.path`))) fail(`${where}.source.path`, "the path of a document in the snapshot", source.path);
    string(source.title, `${where}.source.title`);
    strings(source.section, `${where}.source.section`);
    whole(source.passage, `${where}.source.passage`);
    whole(source.line, `${where}.source.line`);
    if (source.url !== undefined) string(source.url, `${where}.source.url`);
  });
  counts(index.df, "index.df");
  counts(index.vocabulary, "index.vocabulary");
  counts(index.ranks, "index.ranks");
  for (const [stem, list] of Object.entries(object(index.expansions, "index.expansions"))) {
    if (typeof list !== "string" || !/^[^,:]+:[\d.]+(?::o)?(?:,[^,:]+:[\d.]+(?::o)?)*$/.test(list))
      fail(`index.expansions[${JSON.stringify(stem)}]`, "term:weight pairs", list);
  }
  const mini = object(index.minisearch, "index.minisearch");
  if (mini.documentCount !== passages.length) fail("index.minisearch.documentCount", `the number of passages (${passages.length})`, mini.documentCount);
  whole(mini.nextId, "index.minisearch.nextId");
  for (const [shortId, id] of Object.entries(object(mini.documentIds, "index.minisearch.documentIds")))
    whole(id, `index.minisearch.documentIds.${shortId}`, passages.length);
  object(mini.fieldIds, "index.minisearch.fieldIds");
  object(mini.fieldLength, "index.minisearch.fieldLength");
  array(mini.averageFieldLength, "index.minisearch.averageFieldLength");
  object(mini.storedFields, "index.minisearch.storedFields");
  array(mini.index, "index.minisearch.index").forEach((entry, i) => {
    const where = `index.minisearch.index[${i}]`;
    const pair = array(entry, where);
    string(pair[0], `${where}[0]`);
    object(pair[1], `${where}[1]`);
  });
}

/** A parsed snapshot file, checked; throws an Error saying what is damaged. */
export function checkSnapshot(value: unknown): Snapshot {
  const snap = object(value, "the snapshot");
  whole(snap.format, "format");
  string(snap.engine, "engine");
  string(snap.content, "content");
  string(snap.options, "options");
  for (const [file, hash] of Object.entries(object(snap.hashes, "hashes"))) string(hash, `hashes[${JSON.stringify(file)}]`);
  issues(snap.errors, "errors");
  issues(snap.skipped, "skipped");
  checkIndex(snap.index);
  return snap as unknown as Snapshot;
}

/** A snapshot file as read: whole and checked, missing, or why it is unusable. */
export async function readSnapshot(file: string): Promise<{ snap: Snapshot } | { missing: true } | { unusable: string }> {
  let raw: string;
  try {
    raw = await readFile(file, "utf8");
  } catch {
    return { missing: true };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    return { unusable: `is corrupt (${(error as Error).message})` };
  }
  try {
    return { snap: checkSnapshot(parsed) };
  } catch (error) {
    return { unusable: `is damaged (${(error as Error).message})` };
  }
}

/** A temporary file older than this is not being written any more (a write takes seconds at most). */
const STALE_AFTER_MS = 60_000;

/** Temporary files of `file`: `<name>.<pid>-<thread>-<random>.tmp` (and the older `<name>.<pid>.tmp`). */
function tempPattern(file: string): RegExp {
  const name = path.basename(file).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^${name}\\.(\\d+)(?:-[0-9a-f]+)*\\.tmp$`);
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the temporary files that writes of `file` left behind (a process killed mid-write, a full disk):
 * those of a process that no longer runs, and those nobody has written to for a minute (in a container the
 * bot often gets the same pid after a restart). Returns the names removed.
 */
export async function removeStaleTempFiles(file: string): Promise<string[]> {
  const dir = path.dirname(file);
  const pattern = tempPattern(file);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = pattern.exec(name);
    if (!match) continue;
    const full = path.join(dir, name);
    try {
      const stale = !running(Number(match[1])) || Date.now() - (await stat(full)).mtimeMs > STALE_AFTER_MS;
      if (!stale) continue;
      await rm(full, { force: true });
      removed.push(name);
    } catch {
      // Gone already, or not ours to remove: nothing to clean.
    }
  }
  return removed;
}

/**
 * Writes the snapshot to a temporary file and renames it into place, so that a crash mid-write never leaves
 * a half snapshot to be read. The temporary file is removed whenever the write or the rename fails.
 */
export async function saveSnapshot(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}-${threadId.toString(16)}-${randomBytes(4).toString("hex")}.tmp`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(tmp, text);
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
}
