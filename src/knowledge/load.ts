import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../log.ts";
import { silentLogger } from "../log.ts";
import type { Block, ParsedDocument } from "./blocks.ts";
import { aliasesFor, frontMatterAliases } from "./aliases.ts";
import { embedLookup, NoteIndex } from "./embeds.ts";
import { HTML_EXTENSIONS, KNOWLEDGE_EXTENSIONS, KnowledgeError, listKnowledgeFiles, MARKDOWN_EXTENSIONS, MAX_FILE_BYTES, readableFile, TEXT_EXTENSIONS } from "./files.ts";
import { parseMarkdown } from "./markdown.ts";
import { normalizeText } from "./normalize.ts";
import { splitBlocks, type SplitOptions } from "./split.ts";
import { parseText } from "./text.ts";
import { linkTarget } from "./url.ts";
import type { FlaggedSpan, KnowledgeDocument, KnowledgeSet, LoadIssue, Passage } from "./types.ts";

export { HTML_EXTENSIONS, KNOWLEDGE_EXTENSIONS, KnowledgeError, listKnowledgeFiles, MARKDOWN_EXTENSIONS, MAX_FILE_BYTES, TEXT_EXTENSIONS };

/** Removes injected text from a document's blocks; see hygiene.ts. Returns cleaned blocks and what was removed. */
export type BlockCleaner = (blocks: Block[], doc: ParsedDocument, relativePath: string) => { blocks: Block[]; flagged: FlaggedSpan[] };

export interface LoadOptions {
  logger?: Logger;
  split?: SplitOptions;
  /** Cleans each document's blocks before splitting (the hygiene check). */
  cleaner?: BlockCleaner;
  /** The folder's notes, for Obsidian embeds (`![[Note]]`); loadKnowledge makes it from the folder's files. */
  notes?: NoteIndex;
}

/** One file's outcome: a document, or an issue to report. */
export type FileResult = { document: KnowledgeDocument; hash: string } | { error: LoadIssue } | { skipped: LoadIssue };

function formatOf(relativePath: string): "markdown" | "mdx" | "text" | "html" | undefined {
  const ext = path.extname(relativePath).toLowerCase();
  if (ext === ".mdx") return "mdx";
  if ((MARKDOWN_EXTENSIONS as readonly string[]).includes(ext)) return "markdown";
  if ((TEXT_EXTENSIONS as readonly string[]).includes(ext)) return "text";
  if ((HTML_EXTENSIONS as readonly string[]).includes(ext)) return "html";
  return undefined;
}

/** The HTML parser (Readability, linkedom) is loaded only for a folder that has HTML files. */
let htmlParser: Promise<typeof import("./html.ts")> | undefined;

async function parse(format: "markdown" | "mdx" | "text" | "html", source: string, relativePath: string, options: LoadOptions): Promise<ParsedDocument> {
  if (format === "text") return parseText(source, relativePath);
  if (format === "html") return (await (htmlParser ??= import("./html.ts"))).parseHtml(source, relativePath);
  const embeds = options.notes && source.includes("![[") ? await options.notes.embedsOf(source) : undefined;
  return parseMarkdown(source, relativePath, { mdx: format === "mdx", ...(embeds?.size ? { embed: embedLookup(embeds) } : {}) });
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Reads and parses one file. Never throws: every problem is a reason naming the file. */
export async function loadFile(root: string, relativePath: string, options: LoadOptions = {}): Promise<FileResult> {
  // First, so that a link out of the folder is warned about whatever its name.
  const readable = await readableFile(root, relativePath);
  if ("reason" in readable) return { error: { path: relativePath, reason: readable.reason } };
  const format = formatOf(relativePath);
  if (!format) return { skipped: { path: relativePath, reason: `not a knowledge file (supported: ${KNOWLEDGE_EXTENSIONS.join(", ")})` } };
  const full = readable.path;
  let bytes: Buffer;
  try {
    const info = await stat(full);
    if (info.size > MAX_FILE_BYTES) return { error: { path: relativePath, reason: `too large: ${info.size} bytes (limit ${MAX_FILE_BYTES})` } };
    bytes = await readFile(full);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { error: { path: relativePath, reason: code === "ENOENT" ? "deleted while loading" : `unreadable: ${code ?? (error as Error).message}` } };
  }
  if (bytes.length === 0) return { error: { path: relativePath, reason: "empty file" } };
  if (bytes.includes(0)) return { error: { path: relativePath, reason: "binary file (contains NUL bytes)" } };
  let source: string;
  try {
    source = normalizeText(utf8.decode(bytes));
  } catch {
    return { error: { path: relativePath, reason: "not UTF-8 text" } };
  }
  if (!source.trim()) return { error: { path: relativePath, reason: "empty file (only whitespace)" } };

  let parsed: ParsedDocument;
  try {
    parsed = await parse(format, source, relativePath, options);
  } catch (error) {
    return { error: { path: relativePath, reason: `cannot parse: ${(error as Error).message}` } };
  }

  // A front matter `url` is the author's, not the operator's: only a plain absolute http(s) link is kept.
  const docUrl = linkTarget(parsed.url);
  if (parsed.url !== undefined && !docUrl) {
    options.logger?.warn(`knowledge: ${relativePath}: front matter url dropped: Expected an absolute http(s) URL, got ${JSON.stringify(parsed.url).slice(0, 300)}`);
  }

  let blocks = parsed.blocks;
  let flagged: FlaggedSpan[] = [];
  if (options.cleaner) ({ blocks, flagged } = options.cleaner(blocks, parsed, relativePath));
  const pieces = splitBlocks(blocks, options.split);
  if (pieces.length === 0) return { error: { path: relativePath, reason: "no text to answer from (only headings, markup or code directives)" } };

  const { aliases, issues: aliasIssues } = frontMatterAliases(parsed.frontMatter, parsed.sections);
  for (const issue of aliasIssues) options.logger?.warn(`knowledge: ${relativePath}: ${issue}`);
  const passages: Passage[] = pieces.map((piece, i) => {
    const url = docUrl && piece.anchor && !docUrl.includes("#") ? (linkTarget(`${docUrl}#${piece.anchor}`) ?? docUrl) : docUrl;
    const phrasings = aliasesFor(aliases, piece.section);
    return {
      id: `${relativePath}#${i + 1}`,
      text: piece.text,
      kind: piece.kind,
      ...(piece.keywords ? { keywords: [...new Set(piece.keywords)] } : {}),
      ...(phrasings.length ? { aliases: phrasings } : {}),
      source: { path: relativePath, title: parsed.title, section: piece.section, passage: i + 1, line: piece.line, ...(url ? { url } : {}) },
    };
  });
  const document: KnowledgeDocument = {
    path: relativePath,
    title: parsed.title,
    ...(docUrl ? { url: docUrl } : {}),
    sections: parsed.sections.map((s) => s.join(" › ")),
    passages,
    flagged,
  };
  return { document, hash: createHash("sha256").update(bytes).digest("hex") };
}

/**
 * Loads every knowledge file under `root`. Broken files are reported in `errors` and skipped; the rest loads.
 * Throws KnowledgeError only when the folder itself is missing or not a folder.
 */
export async function loadKnowledge(root: string, options: LoadOptions = {}): Promise<KnowledgeSet & { hashes: Record<string, string> }> {
  const logger = options.logger ?? silentLogger;
  const absolute = path.resolve(root);
  const files = await listKnowledgeFiles(absolute);
  const notes = options.notes ?? new NoteIndex(absolute, files);
  const documents: KnowledgeDocument[] = [];
  const errors: LoadIssue[] = [];
  const skipped: LoadIssue[] = [];
  const hashes: Record<string, string> = {};
  for (const file of files) {
    const result = await loadFile(absolute, file, { ...options, notes });
    if ("document" in result) {
      documents.push(result.document);
      hashes[file] = result.hash;
    } else if ("error" in result) {
      errors.push(result.error);
      logger.warn(`knowledge: skipped ${result.error.path}: ${result.error.reason}`);
    } else {
      skipped.push(result.skipped);
      logger.debug(`knowledge: ignored ${result.skipped.path}: ${result.skipped.reason}`);
    }
  }
  if (skipped.length) logger.info(`knowledge: ignored ${ignoredSummary(skipped)}`);
  return { root: absolute, documents, errors, skipped, hashes };
}

/** "51 .png files, 3 .json files, 1 file without an extension": what a folder holds besides knowledge, most first. */
export function ignoredSummary(skipped: readonly LoadIssue[]): string {
  const counts = new Map<string, number>();
  for (const s of skipped) {
    const ext = path.extname(s.path).toLowerCase();
    counts.set(ext, (counts.get(ext) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([ext, n]) => `${n} ${ext ? `${ext} file` : "file"}${n === 1 ? "" : "s"}${ext ? "" : " without an extension"}`)
    .join(", ");
}
