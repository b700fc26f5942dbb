/** The knowledge folders and question sets the benchmark runs on, and the replicated Rust book. */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseEvalSet, type EvalQuestion } from "../src/answer/evaluate.ts";

export const ROOT = path.resolve(import.meta.dirname, "..");
export const SHARED = path.resolve(ROOT, "../shared");

export interface QuestionSet {
  name: string;
  file: string;
  questions: EvalQuestion[];
}

export interface Corpus {
  name: string;
  dir: string;
  /** 1 for the folders as they are, N for the Rust book copied N times. */
  copies: number;
  sets: QuestionSet[];
}

const SEED_DIR = path.join(ROOT, "knowledge");
export const RUST_DIR = path.join(SHARED, "corpora/rust-book/src");

function need(file: string, what: string): string {
  if (!existsSync(file)) {
    throw new Error(`bench: ${what} not found at ${file}. The benchmark reads the shared data next to the repository (../shared), as CI lays it out.`);
  }
  return file;
}

function loadSet(name: string, file: string): QuestionSet {
  return { name, file: path.relative(ROOT, file), questions: parseEvalSet(JSON.parse(readFileSync(need(file, `question set "${name}"`), "utf8")), file) };
}

export function seedCorpus(): Corpus {
  return { name: "seed", dir: need(SEED_DIR, "the seed article folder"), copies: 1, sets: [loadSet("dev", path.join(SHARED, "eval/questions.dev.json"))] };
}

export function rustSets(): QuestionSet[] {
  return [
    loadSet("rust-book", path.join(SHARED, "eval/questions.rust-book.json")),
    loadSet("rust-book extra", path.join(ROOT, "bench/questions.rust-book.extra.json")),
  ];
}

export function rustCorpus(): Corpus {
  return { name: "rust-book", dir: need(RUST_DIR, "the Rust book corpus"), copies: 1, sets: rustSets() };
}

/** Bytes of the knowledge files (Markdown and text) under a folder. */
export function knowledgeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.(md|markdown|mdx|txt)$/i.test(entry.name)) continue;
    total += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** A temporary folder holding `copies` copies of the Rust book's Markdown files (copy-00/…, copy-01/…): distinct paths, same text. */
export class Replicas {
  readonly root: string;

  constructor() {
    this.root = mkdtempSync(path.join(os.tmpdir(), "kb-bench-"));
  }

  make(copies: number): Corpus {
    const dir = path.join(this.root, `x${copies}`);
    const files = readdirSync(RUST_DIR).filter((f) => f.endsWith(".md"));
    for (let i = 0; i < copies; i++) {
      const target = path.join(dir, `copy-${String(i).padStart(2, "0")}`);
      mkdirSync(target, { recursive: true });
      for (const f of files) copyFileSync(path.join(RUST_DIR, f), path.join(target, f));
    }
    return { name: `rust-book ×${copies}`, dir, copies, sets: rustSets() };
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
