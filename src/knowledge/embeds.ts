/**
 * Finding the notes that Obsidian embeds (`![[Note]]`) name, the way Obsidian does: by path inside the
 * vault, else by file name, without `.md`, ignoring case. Their sources are read before the embedding
 * note is parsed (parsing is synchronous), once per load, and embeds of embeds a few levels deep.
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { MARKDOWN_EXTENSIONS, MAX_FILE_BYTES } from "./files.ts";
import { normalizeText } from "./normalize.ts";

const EMBED = /!\[\[([^\]|#\n]+)/g;
/** How many levels of embeds inside embedded notes are read ahead; parseMarkdown follows no deeper. */
const DEPTH = 3;
const utf8 = new TextDecoder("utf-8", { fatal: true });

const key = (name: string) => name.trim().replace(/\.md$/i, "").toLowerCase();

export type EmbedSources = Map<string, { path: string; source: string }>;

export class NoteIndex {
  private byPath = new Map<string, string>();
  private byName = new Map<string, string>();
  private sources = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly root: string,
    files: readonly string[],
  ) {
    for (const file of files) {
      if (!(MARKDOWN_EXTENSIONS as readonly string[]).includes(path.extname(file).toLowerCase())) continue;
      const bare = file.replace(/\.[^./]+$/, "").toLowerCase();
      this.byPath.set(bare, file);
      const name = bare.split("/").pop() ?? bare;
      // Obsidian picks the shortest path when names clash; files are listed sorted, so keep the shortest.
      const known = this.byName.get(name);
      if (!known || file.length < known.length) this.byName.set(name, file);
    }
  }

  /** The file a note name refers to, if it is in the folder. */
  resolve(note: string): string | undefined {
    const k = key(note).replace(/^\/+/, "");
    return this.byPath.get(k) ?? this.byName.get(k.split("/").pop() ?? k);
  }

  private read(file: string): Promise<string | undefined> {
    let pending = this.sources.get(file);
    if (!pending) {
      pending = (async () => {
        try {
          const full = path.join(this.root, ...file.split("/"));
          if ((await stat(full)).size > MAX_FILE_BYTES) return undefined;
          return normalizeText(utf8.decode(await readFile(full)));
        } catch {
          return undefined;
        }
      })();
      this.sources.set(file, pending);
    }
    return pending;
  }

  /** The sources of the notes a Markdown source embeds, and of those they embed, by note name as written. */
  async embedsOf(source: string): Promise<EmbedSources> {
    const out: EmbedSources = new Map();
    let pending = [source];
    for (let depth = 0; depth < DEPTH && pending.length; depth++) {
      const next: string[] = [];
      for (const text of pending) {
        if (!text.includes("![[")) continue;
        for (const m of text.matchAll(EMBED)) {
          const name = key(m[1] ?? "");
          if (out.has(name)) continue;
          const file = this.resolve(name);
          const embedded = file ? await this.read(file) : undefined;
          if (!file || embedded === undefined) continue;
          out.set(name, { path: file, source: embedded });
          next.push(embedded);
        }
      }
      pending = next;
    }
    return out;
  }
}

/** The lookup parseMarkdown's `embed` option takes, over sources read ahead. */
export function embedLookup(sources: EmbedSources): (note: string) => { path: string; source: string } | undefined {
  return (note) => sources.get(key(note));
}
