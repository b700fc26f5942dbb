/**
 * The operator's own vocabulary: `.synonyms.txt` at the root of the knowledge folder, in the synonym
 * format of Solr and Elasticsearch, so that words people ask with find the words the knowledge uses.
 *
 *   # a comment
 *   couch, sofa, settee               two-way: any of them finds the others
 *   laptop, notebook => computer      one-way: "laptop" or "notebook" in a question also finds "computer"
 *   time out, defer                   phrases of a few words are fine on either side
 *
 * A bad line is reported with the file, the line number and the line, and the other lines still apply.
 */
import { readFile } from "node:fs/promises";
import { readableFile } from "./files.ts";

export const SYNONYMS_FILE = ".synonyms.txt";

/** One rule: a question phrase on the left also finds each phrase on the right. Phrases are folded words. */
export interface SynonymRule {
  from: string[][];
  to: string[][];
  /** Line of the file, for messages. */
  line: number;
}

export interface SynonymIssue {
  line: number;
  reason: string;
}

const MAX_PHRASE_WORDS = 4;

function phrases(side: string): string[][] | string {
  const out: string[][] = [];
  for (const raw of side.split(",")) {
    const words = raw.trim().toLowerCase().normalize("NFKC").split(/\s+/).filter(Boolean);
    if (!words.length) return "an empty entry between commas";
    if (words.length > MAX_PHRASE_WORDS) return `a phrase of ${words.length} words (at most ${MAX_PHRASE_WORDS}): ${JSON.stringify(raw.trim())}`;
    if (words.some((w) => !/^[\p{L}\p{N}][\p{L}\p{N}'’._-]*$/u.test(w))) return `characters that are not words in ${JSON.stringify(raw.trim())}`;
    out.push(words);
  }
  return out;
}

/** Parses the file's text. Never throws: bad lines come back as issues and are left out. */
export function parseSynonyms(text: string): { rules: SynonymRule[]; issues: SynonymIssue[] } {
  const rules: SynonymRule[] = [];
  const issues: SynonymIssue[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (!line) return;
    const bad = (why: string) => issues.push({ line: i + 1, reason: `Expected phrases separated by commas, with at most one "=>", got ${why}: ${JSON.stringify(raw.trim())}` });
    const sides = line.split("=>");
    if (sides.length > 2) return bad(`${sides.length - 1} "=>"`);
    const left = phrases(sides[0] ?? "");
    if (typeof left === "string") return bad(left);
    if (sides.length === 2) {
      const right = phrases(sides[1] ?? "");
      if (typeof right === "string") return bad(right);
      rules.push({ from: left, to: right, line: i + 1 });
      return;
    }
    if (left.length < 2) return bad("a single phrase (a two-way set needs two or more)");
    rules.push({ from: left, to: left, line: i + 1 });
  });
  return { rules, issues };
}

/**
 * Reads `.synonyms.txt` from a knowledge folder: no file means no rules. A file that cannot be read (or
 * is a link out of the folder, read like the knowledge files) is `unreadable`, so the caller can keep
 * the last good rules.
 */
export async function readSynonyms(dir: string): Promise<{ rules: SynonymRule[]; issues: SynonymIssue[]; unreadable?: string }> {
  const readable = await readableFile(dir, SYNONYMS_FILE);
  if ("missing" in readable) return { rules: [], issues: [] };
  if ("reason" in readable) return { rules: [], issues: [], unreadable: readable.reason };
  let text: string;
  try {
    text = await readFile(readable.path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { rules: [], issues: [] };
    return { rules: [], issues: [], unreadable: `unreadable: ${code ?? (error as Error).message}` };
  }
  return parseSynonyms(text);
}
