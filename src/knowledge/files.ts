/**
 * What a knowledge folder holds, without parsing anything: the files to load and the errors about the
 * folder itself. Kept apart from load.ts so that opening the engine from a snapshot (which hashes the
 * files but parses none) does not load the Markdown and YAML parsers.
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

/** Thrown when the knowledge folder itself is unusable (missing, not a folder, nothing to load). */
export class KnowledgeError extends Error {
  override name = "KnowledgeError";
}

export const MARKDOWN_EXTENSIONS = [".md", ".markdown", ".mdx"] as const;
export const TEXT_EXTENSIONS = [".txt"] as const;
export const HTML_EXTENSIONS = [".html", ".htm"] as const;
/** Every extension the loader reads, in the order the "supported" message lists them. */
export const KNOWLEDGE_EXTENSIONS = [...MARKDOWN_EXTENSIONS, ...TEXT_EXTENSIONS, ...HTML_EXTENSIONS] as const;
/** Larger files are almost certainly not hand-written knowledge (dumps, logs) and would slow every load. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

async function listFiles(dir: string, root: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    // Hidden files and dependency folders are never knowledge; the index snapshot lives in a hidden folder.
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await listFiles(full, root, out);
    else if (entry.isFile() || entry.isSymbolicLink()) out.push(path.relative(root, full).split(path.sep).join("/"));
  }
}

/** Lists the candidate files of a knowledge folder, relative, sorted. Throws KnowledgeError if it is not a folder. */
export async function listKnowledgeFiles(root: string): Promise<string[]> {
  let info;
  try {
    info = await stat(root);
  } catch {
    throw new KnowledgeError(`knowledge: folder not found: ${root}`);
  }
  if (!info.isDirectory()) throw new KnowledgeError(`knowledge: Expected a folder, got a file: ${root}`);
  const files: string[] = [];
  await listFiles(root, root, files);
  return files;
}
