/**
 * What a knowledge folder holds, without parsing anything: the files to load and the errors about the
 * folder itself. Kept apart from load.ts so that opening the engine from a snapshot (which hashes the
 * files but parses none) does not load the Markdown and YAML parsers.
 */
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { ExpectedError } from "../log.ts";

/** Thrown when the knowledge folder itself is unusable (missing, not a folder, nothing to load). */
export class KnowledgeError extends ExpectedError {
  override name = "KnowledgeError";
}

export const MARKDOWN_EXTENSIONS = [".md", ".markdown", ".mdx"] as const;
export const TEXT_EXTENSIONS = [".txt"] as const;
export const HTML_EXTENSIONS = [".html", ".htm"] as const;
/** Every extension the loader reads, in the order the "supported" message lists them. */
export const KNOWLEDGE_EXTENSIONS = [...MARKDOWN_EXTENSIONS, ...TEXT_EXTENSIONS, ...HTML_EXTENSIONS] as const;
/** Larger files are almost certainly not hand-written knowledge (dumps, logs) and would slow every load. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** Hidden files and dependency folders are never knowledge; the index snapshot lives in a hidden folder. */
function ignoredName(name: string): boolean {
  return name.startsWith(".") || name === "node_modules";
}

async function listFiles(dir: string, root: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (ignoredName(entry.name)) continue;
    const full = path.join(dir, entry.name);
    // A link to a folder is listed, not entered: so no link loop can make the walk endless, and
    // `readableFile` reports it (the files it points to inside the folder are read at their own paths).
    if (entry.isDirectory()) await listFiles(full, root, out);
    else if (entry.isFile() || entry.isSymbolicLink()) out.push(path.relative(root, full).split(path.sep).join("/"));
  }
}

/**
 * Where to read a listed file, or why not to. Reading is contained to the knowledge folder: whoever can
 * add a file there (a docs repository synced in, say) can add a symbolic link too, and a link to the
 * bot's `.env` or to /etc/passwd would otherwise be answered from and listed in /sources. So the real
 * path, every link resolved, must lie inside the folder's own real path; a link must also point to a
 * knowledge file that is not hidden (`notes.md` → `.env` inside the folder is refused as well).
 * `path` is the resolved path: reading it, rather than the link, means a link swapped after this check
 * cannot redirect the read. Never throws; `missing` tells a vanished file from a refused one.
 */
export async function readableFile(root: string, relativePath: string): Promise<{ path: string } | { reason: string; missing?: true }> {
  const full = path.join(root, ...relativePath.split("/"));
  let real: string;
  let realRoot: string;
  try {
    [realRoot, real] = await Promise.all([realpath(root), realpath(full)]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ELOOP") return { reason: "a loop of symbolic links; not read" };
    if (code !== "ENOENT") return { reason: `unreadable: ${code ?? (error as Error).message}` };
    const dangling = await lstat(full).then((info) => info.isSymbolicLink(), () => false);
    return dangling ? { reason: "a symbolic link to nothing; not read" } : { reason: "deleted while loading", missing: true };
  }
  const inside = path.relative(realRoot, real);
  if (!inside || inside.startsWith("..") || path.isAbsolute(inside)) return { reason: "a symbolic link to outside the knowledge folder; not read" };
  if (inside.split(path.sep).join("/") === relativePath) return { path: real };
  // A link (or a path through a linked folder) to somewhere else inside the folder.
  if (inside.split(path.sep).some(ignoredName)) return { reason: "a symbolic link to a hidden file; not read" };
  const info = await stat(real).catch(() => undefined);
  if (info?.isDirectory()) return { reason: "a symbolic link to a folder; links to folders are not followed" };
  const ext = path.extname(real).toLowerCase();
  if (!KNOWLEDGE_EXTENSIONS.some((known) => known === ext)) return { reason: "a symbolic link to a file that is not a knowledge file; not read" };
  return { path: real };
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
