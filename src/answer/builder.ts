import { createHash } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { HYGIENE_CONFIG_FILE, HygieneConfigError, readHygieneConfig, type HygieneConfig } from "../knowledge/hygiene-config.ts";
import { KNOWLEDGE_EXTENSIONS, KnowledgeError, listKnowledgeFiles } from "../knowledge/files.ts";
import type { BlockCleaner } from "../knowledge/load.ts";
import type { SplitOptions } from "../knowledge/split.ts";
import type { KnowledgeDocument, LoadIssue, Passage } from "../knowledge/types.ts";
import { silentLogger, type Logger } from "../log.ts";
import { KnowledgeIndex, type KnowledgeIndexJSON } from "../search/index.ts";
import { plainPassages } from "../search/passages.ts";

/**
 * Turns a knowledge folder into an index, remembering the last good version of every document so that
 * a file that breaks keeps answering from its previous version. Runs in the engine's process (CLI) or
 * in a worker thread (the bot), so that a large rebuild never stalls the Discord connection.
 * With a snapshot path, the built index is saved next to a hash of the knowledge files and of this
 * engine's code, and reused while both are unchanged.
 */

export interface BuilderOptions {
  dir: string;
  /** Run the hygiene check (injected-text removal). */
  hygiene: boolean;
  split?: SplitOptions;
  /** Where to keep the index snapshot; undefined: no snapshot. */
  snapshot?: string | undefined;
}

export interface LoadChanges {
  added: string[];
  removed: string[];
  changed: string[];
  passagesAdded: number;
  passagesRemoved: number;
}

/** A build's outcome, without the index (which travels separately, as an object or as JSON). */
export interface BuildSummary {
  durationMs: number;
  documents: number;
  passages: number;
  errors: LoadIssue[];
  skipped: LoadIssue[];
  changes: LoadChanges;
  /** "snapshot" when the index came from a valid snapshot, "files" when it was built. */
  source: "snapshot" | "files";
  /** Why a snapshot was not used, when there was one. */
  snapshotNote?: string;
  /** Nothing changed since this builder's last build: no index comes with this summary. */
  unchanged?: boolean;
}

interface Snapshot {
  format: number;
  engine: string;
  content: string;
  options: string;
  hashes: Record<string, string>;
  errors: LoadIssue[];
  skipped: LoadIssue[];
  index: KnowledgeIndexJSON;
}

const SNAPSHOT_FORMAT = 1;
const SUPPORTED = new Set<string>(KNOWLEDGE_EXTENSIONS);

/** Bytes read to find a snapshot's header: the fields `save` writes before the index, a few hundred bytes. */
const HEAD_BYTES = 8192;

/** The fields a snapshot starts with (format, engine, content, options), or undefined when they can't be read so. */
async function readSnapshotHead(file: string): Promise<Pick<Snapshot, "format" | "engine" | "content" | "options"> | undefined> {
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
    return JSON.parse(`${text.slice(0, end)}}`) as Pick<Snapshot, "format" | "engine" | "content" | "options">;
  } catch {
    return undefined;
  }
}

let engineHash: Promise<string> | undefined;

/** Hash of the code that turns files into an index: a snapshot made by other code is stale. */
function codeHash(): Promise<string> {
  engineHash ??= (async () => {
    const hash = createHash("sha256");
    const src = path.resolve(import.meta.dirname, "..");
    for (const folder of ["knowledge", "search", "answer"]) {
      // Recursive: the Markdown parser is a folder of modules (src/knowledge/markdown/).
      const names = (await readdir(path.join(src, folder), { recursive: true })).filter((n) => /\.(ts|js|mjs)$/.test(n)).sort();
      for (const name of names) hash.update(name).update(await readFile(path.join(src, folder, name)));
    }
    return hash.digest("hex");
  })();
  return engineHash;
}

/** Hash of every knowledge file's path and bytes, and of the folder's hygiene settings file. */
export async function contentHash(dir: string): Promise<string> {
  const hash = createHash("sha256");
  for (const file of [HYGIENE_CONFIG_FILE, ...(await listKnowledgeFiles(dir))]) {
    const ext = path.extname(file).toLowerCase();
    if (!SUPPORTED.has(ext) && file !== HYGIENE_CONFIG_FILE) continue;
    try {
      hash.update(file).update("\0").update(await readFile(path.join(dir, ...file.split("/")))).update("\0");
    } catch {
      hash.update(file).update("\0unreadable\0");
    }
  }
  return hash.digest("hex");
}

/** The default snapshot file for a knowledge folder, under a cache folder. */
export function snapshotPathFor(cacheDir: string, knowledgeDir: string): string {
  const id = createHash("sha1").update(path.resolve(knowledgeDir)).digest("hex").slice(0, 12);
  return path.join(cacheDir, `index-${id}.json`);
}

/** What a builder knows between builds, for handing it to a builder in another thread. */
export interface BuilderState {
  good: [string, { document: KnowledgeDocument; hash: string }][];
  content: string | undefined;
  issues: { errors: LoadIssue[]; skipped: LoadIssue[] };
}

export class KnowledgeBuilder {
  private readonly options: BuilderOptions;
  private readonly logger: Logger;
  /** Last good version of each document, with the hash of its file. */
  private good = new Map<string, { document: KnowledgeDocument; hash: string }>();
  /** Last good per-file hygiene settings from the folder's `.hygiene.json`. */
  private hygieneConfig: HygieneConfig = {};
  /** Content hash of the files behind the last build, to skip a rebuild when nothing changed. */
  private lastContent: string | undefined;
  /** What the last build reported about files, repeated when nothing changed since. */
  private lastIssues: { errors: LoadIssue[]; skipped: LoadIssue[] } = { errors: [], skipped: [] };

  constructor(options: BuilderOptions, logger: Logger = silentLogger) {
    this.options = options;
    this.logger = logger;
  }

  private optionsKey(): string {
    return JSON.stringify({ hygiene: this.options.hygiene, split: this.options.split ?? {} });
  }

  /**
   * Builds (or restores from the snapshot) and returns the index as JSON, for a worker to post.
   * Throws KnowledgeError when the folder is missing or nothing in it can be used.
   */
  async buildJSON(useSnapshot = true): Promise<{ index?: KnowledgeIndexJSON; summary: BuildSummary }> {
    const result = await this.build(useSnapshot);
    if (result.summary.unchanged) return { summary: result.summary };
    return { index: result.json ?? result.index!.toJSON(), summary: result.summary };
  }

  /**
   * Builds (or restores from the snapshot). Throws KnowledgeError when nothing in the folder can be used.
   * `index` when built from the files; `json` when restored from the snapshot, or when a build was saved to it.
   */
  async build(useSnapshot = true): Promise<{ index?: KnowledgeIndex; json?: KnowledgeIndexJSON; summary: BuildSummary }> {
    const started = performance.now();
    const { snapshot } = this.options;
    const dir = path.resolve(this.options.dir);
    let note: string | undefined;
    // Editors and sync tools touch files without changing them; such a reload has nothing to do.
    const content = await contentHash(dir);
    if (content === this.lastContent) {
      const noChanges = { added: [], removed: [], changed: [], passagesAdded: 0, passagesRemoved: 0 };
      const passages = [...this.good.values()].reduce((n, d) => n + d.document.passages.length, 0);
      const { errors, skipped } = this.lastIssues;
      return { summary: { durationMs: performance.now() - started, documents: this.good.size, passages, errors, skipped, changes: noChanges, source: "files", unchanged: true } };
    }
    if (snapshot) {
      if (useSnapshot) {
        const restored = await this.restore(snapshot, content);
        if ("json" in restored) {
          this.lastContent = content;
          this.lastIssues = { errors: restored.summary.errors, skipped: restored.summary.skipped };
          return { json: restored.json, summary: { ...restored.summary, durationMs: performance.now() - started } };
        }
        note = restored.note;
        if (note) this.logger.info(`knowledge: rebuilding the index: ${note}`);
      }
    }

    const configIssues: LoadIssue[] = [];
    let cleaner: BlockCleaner | undefined;
    if (this.options.hygiene) {
      try {
        this.hygieneConfig = await readHygieneConfig(dir);
      } catch (error) {
        if (!(error instanceof HygieneConfigError)) throw error;
        // A broken settings file must not change what is answered: keep the last good settings.
        configIssues.push({ path: HYGIENE_CONFIG_FILE, reason: `${error.message} — using the last good settings` });
        this.logger.warn(`knowledge: ${error.message}; using the last good hygiene settings`);
      }
      // Loaded only to build from the files: a start from the snapshot needs no parser.
      const { hygieneCleaner } = await import("../knowledge/clean.ts");
      cleaner = hygieneCleaner(this.hygieneConfig);
    }
    const { loadKnowledge } = await import("../knowledge/load.ts");
    const set = await loadKnowledge(dir, { logger: this.logger, ...(cleaner ? { cleaner } : {}), ...(this.options.split ? { split: this.options.split } : {}) });
    set.errors.unshift(...configIssues);
    const documents = new Map<string, { document: KnowledgeDocument; hash: string }>();
    for (const document of set.documents) documents.set(document.path, { document, hash: set.hashes[document.path] ?? "" });
    // A file that loaded before and is broken now keeps answering from its last good version.
    for (const error of set.errors) {
      const kept = this.good.get(error.path);
      if (kept) {
        documents.set(error.path, kept);
        error.reason += " — still answering from its last good version";
      }
    }
    if (documents.size === 0) {
      const why = set.errors.length ? `; problems: ${set.errors.map((e) => `${e.path}: ${e.reason}`).join("; ")}` : "";
      throw new KnowledgeError(`knowledge: no usable knowledge files in ${set.root} (add .md, .markdown, .mdx, .txt or .html files)${why}`);
    }
    const ordered = [...documents.values()].sort((a, b) => (a.document.path < b.document.path ? -1 : 1));
    const index = KnowledgeIndex.build(ordered.map((d) => d.document));
    const changes = this.diff(documents);
    this.good = documents;
    this.adopt(index);
    const summary: BuildSummary = {
      durationMs: performance.now() - started,
      documents: documents.size,
      passages: index.size,
      errors: set.errors,
      skipped: set.skipped,
      changes,
      source: "files",
      ...(note ? { snapshotNote: note } : {}),
    };
    this.lastContent = content;
    this.lastIssues = { errors: set.errors, skipped: set.skipped };
    // The JSON saved in the snapshot is what a worker posts too: serialised once.
    const json = snapshot ? await this.save(snapshot, content, index, documents, set.errors, set.skipped) : undefined;
    return { index, ...(json ? { json } : {}), summary };
  }

  /**
   * Points the last good documents at the passages of the index built from them, so that the two share
   * one compact copy of the text (see search/passages.ts) instead of keeping the loaded strings alive.
   */
  adopt(index: KnowledgeIndex): void {
    const byPath = new Map<string, Passage[]>();
    for (const p of index.passages) {
      const list = byPath.get(p.source.path);
      if (list) list.push(p);
      else byPath.set(p.source.path, [p]);
    }
    for (const [file, entry] of this.good) {
      const passages = byPath.get(file);
      if (passages) this.good.set(file, { ...entry, document: { ...entry.document, passages } });
    }
  }

  private diff(documents: Map<string, { document: KnowledgeDocument; hash: string }>): LoadChanges {
    const changes: LoadChanges = { added: [], removed: [], changed: [], passagesAdded: 0, passagesRemoved: 0 };
    for (const [file, entry] of documents) {
      const before = this.good.get(file);
      if (!before) {
        changes.added.push(file);
        changes.passagesAdded += entry.document.passages.length;
      } else if (before.hash !== entry.hash) {
        changes.changed.push(file);
        const old = new Set(before.document.passages.map((p) => p.text));
        const now = new Set(entry.document.passages.map((p) => p.text));
        for (const t of now) if (!old.has(t)) changes.passagesAdded++;
        for (const t of old) if (!now.has(t)) changes.passagesRemoved++;
      }
    }
    for (const [file, entry] of this.good) {
      if (!documents.has(file)) {
        changes.removed.push(file);
        changes.passagesRemoved += entry.document.passages.length;
      }
    }
    return changes;
  }

  /** A snapshot made by this engine with these settings, or why there is none to use. */
  private async readSnapshot(file: string): Promise<{ snap: Snapshot } | { note?: string }> {
    let raw: string;
    try {
      raw = await readFile(file, "utf8");
    } catch {
      return {};
    }
    let snap: Snapshot;
    try {
      snap = JSON.parse(raw) as Snapshot;
      if (typeof snap !== "object" || snap === null || !snap.index || !Array.isArray(snap.index.passages)) throw new Error("not an index snapshot");
    } catch (error) {
      return { note: `snapshot ${file} is corrupt (${(error as Error).message})` };
    }
    if (snap.format !== SNAPSHOT_FORMAT || snap.engine !== (await codeHash()) || snap.options !== this.optionsKey()) {
      return { note: `snapshot ${file} was made by another version or with other settings` };
    }
    return { snap };
  }

  private static documentsOf(snap: Snapshot): Map<string, { document: KnowledgeDocument; hash: string }> {
    const documents = new Map<string, { document: KnowledgeDocument; hash: string }>();
    for (const doc of snap.index.documents) documents.set(doc.path, { document: { ...doc, passages: [] }, hash: snap.hashes[doc.path] ?? "" });
    for (const p of snap.index.passages) documents.get(p.source.path)?.document.passages.push(p);
    return documents;
  }

  /**
   * Takes the last good documents from the snapshot, whatever the files say now: a builder started
   * after the index was loaded elsewhere (the bot's worker) then keeps per-file fallback and reports
   * changes against what is actually being served.
   */
  async prime(): Promise<void> {
    if (!this.options.snapshot || this.good.size > 0) return;
    const read = await this.readSnapshot(this.options.snapshot);
    if ("snap" in read) {
      this.good = KnowledgeBuilder.documentsOf(read.snap);
      this.lastContent = read.snap.content;
    }
  }

  /** This builder's last good documents (plain, so they can be posted to another thread) and what they came from. */
  exportState(): BuilderState {
    return {
      good: [...this.good].map(([file, entry]) => [file, { hash: entry.hash, document: { ...entry.document, passages: plainPassages(entry.document.passages) } }]),
      content: this.lastContent,
      issues: this.lastIssues,
    };
  }

  /** Continues from another builder's state: its fallback documents, change reports and "nothing changed" check. */
  importState(state: BuilderState): void {
    this.good = new Map(state.good);
    this.lastContent = state.content;
    this.lastIssues = state.issues;
  }

  private async restore(file: string, content: string): Promise<{ json: KnowledgeIndexJSON; summary: BuildSummary } | { note?: string }> {
    // After an edit the snapshot is of other files: its header says so, without parsing the whole index.
    const head = await readSnapshotHead(file);
    if (head?.format === SNAPSHOT_FORMAT && head.engine === (await codeHash()) && head.options === this.optionsKey() && head.content !== content) {
      return { note: "knowledge files changed since the snapshot" };
    }
    const read = await this.readSnapshot(file);
    if (!("snap" in read)) return read;
    const { snap } = read;
    if (snap.content !== content) return { note: "knowledge files changed since the snapshot" };

    const documents = KnowledgeBuilder.documentsOf(snap);
    const changes = this.diff(documents);
    this.good = documents;
    return {
      json: snap.index,
      summary: {
        durationMs: 0,
        documents: documents.size,
        passages: snap.index.passages.length,
        errors: snap.errors,
        skipped: snap.skipped,
        changes,
        source: "snapshot",
      },
    };
  }

  private async save(
    file: string,
    content: string,
    index: KnowledgeIndex,
    documents: Map<string, { document: KnowledgeDocument; hash: string }>,
    errors: LoadIssue[],
    skipped: LoadIssue[],
  ): Promise<KnowledgeIndexJSON> {
    const snap: Snapshot = {
      format: SNAPSHOT_FORMAT,
      engine: await codeHash(),
      content,
      options: this.optionsKey(),
      hashes: Object.fromEntries([...documents].map(([p, d]) => [p, d.hash])),
      errors,
      skipped,
      index: index.toJSON(),
    };
    try {
      await mkdir(path.dirname(file), { recursive: true });
      // Write then rename, so a crash mid-write never leaves a half snapshot to be read.
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(snap));
      await rename(tmp, file);
    } catch (error) {
      this.logger.warn(`knowledge: could not save the index snapshot ${file}: ${(error as Error).message}`);
    }
    return snap.index;
  }
}
