import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { HYGIENE_CONFIG_FILE, HygieneConfigError, readHygieneConfig, type HygieneConfig } from "../knowledge/hygiene-config.ts";
import { readSynonyms, SYNONYMS_FILE, type SynonymRule } from "../knowledge/synonyms.ts";
import { KNOWLEDGE_EXTENSIONS, KnowledgeError, listKnowledgeFiles } from "../knowledge/files.ts";
import type { BlockCleaner } from "../knowledge/load.ts";
import type { SplitOptions } from "../knowledge/split.ts";
import type { KnowledgeDocument, LoadIssue, Passage } from "../knowledge/types.ts";
import { silentLogger, type Logger } from "../log.ts";
import { KnowledgeIndex } from "../search/index.ts";
import { plainPassages } from "../search/passages.ts";
import { readSnapshot, readSnapshotHead, removeStaleTempFiles, saveSnapshot, snapshotKey, SNAPSHOT_FORMAT, type Snapshot } from "./snapshot.ts";
import { applyTaught, taughtDigest, type TaughtAlias, type TaughtSource } from "./taught.ts";

/**
 * Turns a knowledge folder into an index. Each build is compared with the index being served — kept by
 * this builder after its own builds, or, for a new answering worker, asked of the worker it replaces
 * (`Served`) — so that a file that breaks keeps answering from its served version, and the report lists
 * what changed. With a snapshot path, the built index is saved (snapshot.ts) and reused while the files
 * are unchanged.
 */

export interface BuilderOptions {
  dir: string;
  /** Run the hygiene check (injected-text removal). */
  hygiene: boolean;
  split?: SplitOptions;
  /** Where to keep the index snapshot; undefined: no snapshot. */
  snapshot?: string | undefined;
  /** The operator's taught phrases (teach records), read on every build and applied as passage aliases. */
  taught?: TaughtSource | undefined;
}

export interface LoadChanges {
  added: string[];
  removed: string[];
  changed: string[];
  passagesAdded: number;
  passagesRemoved: number;
}

/** A build's outcome, without the index. */
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
  /** Nothing changed since the served build: no index comes with this summary. */
  unchanged?: boolean;
}

/**
 * The last good values of the settings files at the root of the knowledge folder, by file name. A broken
 * settings file keeps its last good value, as a broken knowledge file does. Each is read on every build
 * and is part of the content hash; a new one is added here and in `readSettings`.
 */
export interface FolderSettings {
  [HYGIENE_CONFIG_FILE]: HygieneConfig;
  [SYNONYMS_FILE]: SynonymRule[];
}

export const SETTINGS_FILES = [HYGIENE_CONFIG_FILE, SYNONYMS_FILE] as const;

/** What a build needs to know of the index being served, in small pieces (they may cross threads). */
export interface ServedSummary {
  /** Hash of the files behind it: a build of the same files has nothing to do. */
  content: string | undefined;
  settings: FolderSettings;
  issues: { errors: LoadIssue[]; skipped: LoadIssue[] };
  /** Every served document: the hash of its file and its passage count. */
  files: Record<string, { hash: string; passages: number }>;
}

/** The index being served, as a build sees it. */
export interface Served {
  summary(): Promise<ServedSummary>;
  /**
   * `keep`: the served documents of these files (plain passages, so that they can cross threads), for
   * files that are broken now. `compare`: a fingerprint of each served passage of these changed files,
   * to count the passages that came and went.
   */
  detail(request: { keep: string[]; compare: string[] }): Promise<{ documents: KnowledgeDocument[]; fingerprints: Record<string, string[]> }>;
}

interface Entry {
  document: KnowledgeDocument;
  hash: string;
}

const SUPPORTED = new Set<string>(KNOWLEDGE_EXTENSIONS);

/** Hash of every knowledge file's path and bytes, and of the folder's settings files. */
export async function contentHash(dir: string): Promise<string> {
  const hash = createHash("sha256");
  for (const file of [...SETTINGS_FILES, ...(await listKnowledgeFiles(dir))]) {
    const ext = path.extname(file).toLowerCase();
    if (!SUPPORTED.has(ext) && !(SETTINGS_FILES as readonly string[]).includes(file)) continue;
    try {
      hash
        .update(file)
        .update("\0")
        .update(await readFile(path.join(dir, ...file.split("/"))))
        .update("\0");
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

/** Short and collision-safe enough to tell one passage text from another within a file. */
function fingerprint(text: string): string {
  return createHash("sha1").update(text).digest("base64").slice(0, 16);
}

const NO_SETTINGS: FolderSettings = { [HYGIENE_CONFIG_FILE]: {}, [SYNONYMS_FILE]: [] };

export class KnowledgeBuilder implements Served {
  private readonly options: BuilderOptions;
  private readonly logger: Logger;
  /** Last good version of each document, with the hash of its file. */
  private good = new Map<string, Entry>();
  private settings: FolderSettings = NO_SETTINGS;
  /** Content hash of the files behind the last build, to skip a rebuild when nothing changed. */
  private lastContent: string | undefined;
  /** What the last build reported about files, repeated when nothing changed since. */
  private lastIssues: { errors: LoadIssue[]; skipped: LoadIssue[] } = { errors: [], skipped: [] };
  /** The index served elsewhere (the worker this one replaces), until this builder's first build. */
  private inherited: Served | undefined;
  private swept = false;

  constructor(options: BuilderOptions, logger: Logger = silentLogger, inherited?: Served) {
    this.options = options;
    this.logger = logger;
    this.inherited = inherited;
  }

  private optionsKey(): string {
    return JSON.stringify({ hygiene: this.options.hygiene, split: this.options.split ?? {} });
  }

  async summary(): Promise<ServedSummary> {
    return {
      content: this.lastContent,
      settings: this.settings,
      issues: this.lastIssues,
      files: Object.fromEntries([...this.good].map(([file, entry]) => [file, { hash: entry.hash, passages: entry.document.passages.length }])),
    };
  }

  async detail(request: { keep: string[]; compare: string[] }): Promise<{ documents: KnowledgeDocument[]; fingerprints: Record<string, string[]> }> {
    const documents = request.keep.flatMap((file) => {
      const entry = this.good.get(file);
      return entry ? [{ ...entry.document, passages: plainPassages(entry.document.passages) }] : [];
    });
    const fingerprints = Object.fromEntries(
      request.compare.map((file) => [file, (this.good.get(file)?.document.passages ?? []).map((p) => fingerprint(p.text))]),
    );
    return { documents, fingerprints };
  }

  /**
   * Builds (or restores from the snapshot). Throws KnowledgeError when nothing in the folder can be used.
   * No index when nothing changed since the served build (`summary.unchanged`).
   */
  async build(useSnapshot = true): Promise<{ index?: KnowledgeIndex; summary: BuildSummary }> {
    const started = performance.now();
    const { snapshot } = this.options;
    const dir = path.resolve(this.options.dir);
    const served = this.inherited ?? this;
    const before = await served.summary();
    const taught = await this.readTaught();
    // Editors and sync tools touch files without changing them; such a reload has nothing to do. Taught
    // phrases are part of what an index is built from, so a teach or its undo is a change, and a snapshot
    // made with other phrases is not reused.
    const fileHash = await contentHash(dir);
    const content = taught.length ? createHash("sha256").update(fileHash).update("\0taught\0").update(taughtDigest(taught)).digest("hex") : fileHash;
    if (content === before.content) {
      const noChanges = { added: [], removed: [], changed: [], passagesAdded: 0, passagesRemoved: 0 };
      const files = Object.values(before.files);
      const passages = files.reduce((n, f) => n + f.passages, 0);
      const { errors, skipped } = before.issues;
      return {
        summary: {
          durationMs: performance.now() - started,
          documents: files.length,
          passages,
          errors,
          skipped,
          changes: noChanges,
          source: "files",
          unchanged: true,
        },
      };
    }
    if (snapshot && !this.swept) {
      this.swept = true;
      const removed = await removeStaleTempFiles(snapshot);
      if (removed.length)
        this.logger.info(`knowledge: removed ${removed.length} temporary file(s) that an interrupted snapshot write left: ${removed.join(", ")}`);
    }
    let note: string | undefined;
    if (snapshot && useSnapshot) {
      const restored = await this.restore(snapshot, content);
      if ("index" in restored) {
        const { changes } = await this.diff(restored.documents, before, served, []);
        this.adopt(restored.documents, restored.index, content, { errors: restored.snap.errors, skipped: restored.snap.skipped }, before.settings);
        const summary: BuildSummary = {
          durationMs: performance.now() - started,
          documents: restored.documents.size,
          passages: restored.index.size,
          errors: restored.snap.errors,
          skipped: restored.snap.skipped,
          changes,
          source: "snapshot",
        };
        return { index: restored.index, summary };
      }
      note = restored.note;
      if (note) this.logger.info(`knowledge: rebuilding the index: ${note}`);
    }

    const { settings, issues: settingsIssues } = await this.readSettings(dir, before.settings);
    let cleaner: BlockCleaner | undefined;
    if (this.options.hygiene) {
      // Loaded only to build from the files: a start from the snapshot needs no parser.
      const { hygieneCleaner } = await import("../knowledge/clean.ts");
      cleaner = hygieneCleaner(settings[HYGIENE_CONFIG_FILE], (issue) => this.logger.warn(`knowledge: ${issue.path}: ${issue.reason}`));
    }
    const { loadKnowledge } = await import("../knowledge/load.ts");
    const set = await loadKnowledge(dir, {
      logger: this.logger,
      ...(cleaner ? { cleaner } : {}),
      ...(this.options.split ? { split: this.options.split } : {}),
    });
    set.errors.unshift(...settingsIssues);
    const documents = new Map<string, Entry>();
    for (const document of set.documents) documents.set(document.path, { document, hash: set.hashes[document.path] ?? "" });
    // A file that loaded before and is broken now keeps answering from its last good version.
    const keep = set.errors.filter((e) => before.files[e.path] !== undefined).map((e) => e.path);
    const changes = await this.diff(documents, before, served, keep);
    for (const error of set.errors) {
      const kept = changes.kept.get(error.path);
      if (!kept) continue;
      documents.set(error.path, kept);
      error.reason += " — still answering from its last good version";
    }
    if (documents.size === 0) {
      const why = set.errors.length ? `; problems: ${set.errors.map((e) => `${e.path}: ${e.reason}`).join("; ")}` : "";
      throw new KnowledgeError(`knowledge: no usable knowledge files in ${set.root} (add .md, .markdown, .mdx, .txt or .html files)${why}`);
    }
    const ordered = [...documents.values()].sort((a, b) => (a.document.path < b.document.path ? -1 : 1));
    const index = KnowledgeIndex.build(
      applyTaught(
        ordered.map((d) => d.document),
        taught,
      ),
      { synonyms: settings[SYNONYMS_FILE] },
    );
    this.adopt(documents, index, content, { errors: set.errors, skipped: set.skipped }, settings);
    const summary: BuildSummary = {
      durationMs: performance.now() - started,
      documents: documents.size,
      passages: index.size,
      errors: set.errors,
      skipped: set.skipped,
      changes: changes.changes,
      source: "files",
      ...(note ? { snapshotNote: note } : {}),
    };
    if (snapshot) await this.save(snapshot, content, index, documents, set.errors, set.skipped);
    return { index, summary };
  }

  /** The taught phrases; a source that fails is logged and builds without them (answering never waits on them). */
  private async readTaught(): Promise<readonly TaughtAlias[]> {
    if (!this.options.taught) return [];
    try {
      return await this.options.taught();
    } catch (error) {
      this.logger.warn(`knowledge: could not read the taught phrases, building without them: ${(error as Error).message}`);
      return [];
    }
  }

  /** The folder's settings files, each falling back to its last good value when it is broken. */
  private async readSettings(dir: string, last: FolderSettings): Promise<{ settings: FolderSettings; issues: LoadIssue[] }> {
    const issues: LoadIssue[] = [];
    let hygiene = last[HYGIENE_CONFIG_FILE];
    if (this.options.hygiene) {
      try {
        hygiene = await readHygieneConfig(dir);
      } catch (error) {
        if (!(error instanceof HygieneConfigError)) throw error;
        // A broken settings file must not change what is answered: keep the last good settings.
        issues.push({ path: HYGIENE_CONFIG_FILE, reason: `${error.message} — using the last good settings` });
        this.logger.warn(`knowledge: ${error.message}; using the last good hygiene settings`);
      }
    }
    // The operator's synonyms: each bad line is reported and left out, the others apply; a file that cannot
    // be read keeps the last good rules.
    let synonyms = last[SYNONYMS_FILE];
    const read = await readSynonyms(dir);
    if (read.unreadable) {
      issues.push({ path: SYNONYMS_FILE, reason: `${read.unreadable} — using the last good synonyms` });
      this.logger.warn(`knowledge: ${SYNONYMS_FILE} is ${read.unreadable}; using the last good synonyms`);
    } else {
      synonyms = read.rules;
      for (const issue of read.issues) {
        issues.push({ path: SYNONYMS_FILE, reason: `line ${issue.line}: ${issue.reason}` });
        this.logger.warn(`knowledge: ${SYNONYMS_FILE} line ${issue.line}: ${issue.reason}`);
      }
    }
    return { settings: { [HYGIENE_CONFIG_FILE]: hygiene, [SYNONYMS_FILE]: synonyms }, issues };
  }

  /**
   * This build becomes the served one. The documents are pointed at the passages of the index built from
   * them, so that the two share one compact copy of the text (see search/passages.ts).
   */
  private adopt(
    documents: Map<string, Entry>,
    index: KnowledgeIndex,
    content: string,
    issues: { errors: LoadIssue[]; skipped: LoadIssue[] },
    settings: FolderSettings,
  ): void {
    const byPath = new Map<string, Passage[]>();
    for (const p of index.passages) {
      const list = byPath.get(p.source.path);
      if (list) list.push(p);
      else byPath.set(p.source.path, [p]);
    }
    this.good = new Map([...documents].map(([file, entry]) => [file, { ...entry, document: { ...entry.document, passages: byPath.get(file) ?? [] } }]));
    this.lastContent = content;
    this.lastIssues = issues;
    this.settings = settings;
    this.inherited = undefined;
  }

  /** What changed against the served index; `keep` files' served documents come back with it. */
  private async diff(
    documents: Map<string, Entry>,
    before: ServedSummary,
    served: Served,
    keep: string[],
  ): Promise<{ changes: LoadChanges; kept: Map<string, Entry> }> {
    const changes: LoadChanges = { added: [], removed: [], changed: [], passagesAdded: 0, passagesRemoved: 0 };
    for (const [file, entry] of documents) {
      const was = before.files[file];
      if (!was) {
        changes.added.push(file);
        changes.passagesAdded += entry.document.passages.length;
      } else if (was.hash !== entry.hash) changes.changed.push(file);
    }
    const keeping = new Set(keep);
    for (const [file, was] of Object.entries(before.files)) {
      if (documents.has(file) || keeping.has(file)) continue;
      changes.removed.push(file);
      changes.passagesRemoved += was.passages;
    }
    const kept = new Map<string, Entry>();
    if (changes.changed.length || keep.length) {
      const { documents: keptDocuments, fingerprints } = await served.detail({ keep, compare: changes.changed });
      for (const document of keptDocuments) kept.set(document.path, { document, hash: before.files[document.path]?.hash ?? "" });
      for (const file of changes.changed) {
        const old = new Set(fingerprints[file] ?? []);
        const now = new Set((documents.get(file)?.document.passages ?? []).map((p) => fingerprint(p.text)));
        for (const t of now) if (!old.has(t)) changes.passagesAdded++;
        for (const t of old) if (!now.has(t)) changes.passagesRemoved++;
      }
    }
    return { changes, kept };
  }

  private static documentsOf(snap: Snapshot): Map<string, Entry> {
    const documents = new Map<string, Entry>();
    for (const doc of snap.index.documents) documents.set(doc.path, { document: { ...doc, passages: [] }, hash: snap.hashes[doc.path] ?? "" });
    for (const p of snap.index.passages) documents.get(p.source.path)?.document.passages.push(p);
    return documents;
  }

  /** The index of a snapshot of these files made by this engine with these settings, or why there is none. */
  private async restore(file: string, content: string): Promise<{ index: KnowledgeIndex; documents: Map<string, Entry>; snap: Snapshot } | { note?: string }> {
    const stale = `snapshot ${file} was made by another version or with other settings`;
    const current = (head: { format: unknown; engine: unknown; options: unknown }) =>
      head.format === SNAPSHOT_FORMAT && head.engine === snapshotKey() && head.options === this.optionsKey();
    // After an edit the snapshot is of other files: its header says so, without parsing the whole index.
    const head = await readSnapshotHead(file);
    if (head && current(head) && head.content !== content) return { note: "knowledge files changed since the snapshot" };
    const read = await readSnapshot(file);
    if ("missing" in read) return {};
    if ("unusable" in read) return { note: `snapshot ${file} ${read.unusable}` };
    const { snap } = read;
    if (!current(snap)) return { note: stale };
    if (snap.content !== content) return { note: "knowledge files changed since the snapshot" };
    try {
      const index = KnowledgeIndex.fromJSON(snap.index);
      return { index, documents: KnowledgeBuilder.documentsOf(snap), snap };
    } catch (error) {
      return { note: `snapshot ${file} is damaged (${(error as Error).message})` };
    }
  }

  private async save(
    file: string,
    content: string,
    index: KnowledgeIndex,
    documents: Map<string, Entry>,
    errors: LoadIssue[],
    skipped: LoadIssue[],
  ): Promise<void> {
    const snap: Snapshot = {
      format: SNAPSHOT_FORMAT,
      engine: snapshotKey(),
      content,
      options: this.optionsKey(),
      hashes: Object.fromEntries([...documents].map(([p, d]) => [p, d.hash])),
      errors,
      skipped,
      index: index.toJSON(),
    };
    try {
      await saveSnapshot(file, JSON.stringify(snap));
    } catch (error) {
      this.logger.warn(`knowledge: could not save the index snapshot ${file}: ${(error as Error).message}`);
    }
  }
}
