/**
 * Dialect markup that leaks into passage text, counted over real documentation sets:
 *   npx tsx bench/dialects.ts [--sample N] [DIR …]
 * Default folders: every set in ../shared/corpora and ../corpora-extra. For each, the number of passages
 * whose prose (code blocks set aside) shows any of: `:::` container lines, `!!!`/`???` admonition lines,
 * `[!NOTE]` callout markers, `{% … %}`, `{{< … >}}`, `{{% … %}}`, `{{ … }}`, a `<Component>` tag, `[[`, `%%`;
 * and passages whose code fences don't pair up or whose fence line carries more than a language.
 * Self-contained on purpose (no import of the fence grammar), so that it measures older code the same way.
 * --sample N prints N passages of each set, for reading.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadKnowledge } from "../src/knowledge/load.ts";
import type { Passage } from "../src/knowledge/types.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const { values, positionals } = parseArgs({ options: { sample: { type: "string" } }, allowPositionals: true });

/** The knowledge folder of each set: the documentation folder inside it where there is one. */
function defaultSets(): string[] {
  const out: string[] = [];
  for (const base of ["../shared/corpora", "../corpora-extra"].map((d) => path.resolve(ROOT, d))) {
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base).sort()) {
      const dir = path.join(base, name);
      if (!statSync(dir).isDirectory()) continue;
      const inner = ["src", "docs", "pages", "guide", "en", "content"].map((d) => path.join(dir, d)).find((d) => existsSync(d));
      if (inner || readdirSync(dir).some((f) => f.endsWith(".md"))) out.push(inner ?? dir);
    }
  }
  return out;
}

const LEAKS: [string, RegExp][] = [
  [":::", /^\s*:{3,}/m],
  ["!!!/???", /^\s*(?:!!!|\?\?\?)\+?\s+\w/m],
  ["[!type]", /\[![\w-]+\]/],
  ["{% %}", /\{%[\s\S]*?%\}/],
  ["{{< >}}", /\{\{<[\s\S]*?>\}\}/],
  ["{{% %}}", /\{\{%[\s\S]*?%\}\}/],
  ["{{ }}", /\{\{[^{}\n]*\}\}/],
  ["<Component>", /<\/?[A-Z][\w.]*(?:\s[^<>]*)?\/?>/],
  ["[[", /\[\[/],
  ["%%", /%%/],
];

/** Prose with fenced code set aside, pairing fences as a CommonMark reader would; and whether the fences were sound. */
function prose(text: string): { prose: string; balanced: boolean; cleanInfo: boolean } {
  const lines = text.split("\n");
  const kept: string[] = [];
  let open: string | undefined;
  let cleanInfo = true;
  for (const line of lines) {
    const m = /^(`{3,}|~{3,})(.*)$/.exec(line);
    if (!open && m) {
      open = m[1];
      if (m[2]?.trim() && !/^[\w+#.-]+$/.test(m[2].trim())) cleanInfo = false;
      continue;
    }
    if (open && m && m[1]?.[0] === open[0] && (m[1]?.length ?? 0) >= open.length && !m[2]?.trim()) {
      open = undefined;
      continue;
    }
    if (!open) kept.push(line);
  }
  // Inline code is code too: a reader expects template syntax there.
  return { prose: kept.join("\n").replace(/(`+)[\s\S]*?\1/g, " "), balanced: open === undefined, cleanInfo };
}

interface Counts {
  set: string;
  passages: number;
  leaking: number;
  byKind: Record<string, number>;
  examples: Passage[];
}

function count(set: string, passages: Passage[]): Counts {
  const byKind: Record<string, number> = {};
  let leaking = 0;
  const examples: Passage[] = [];
  for (const p of passages) {
    const { prose: text, balanced, cleanInfo } = prose(p.text);
    const kinds = LEAKS.filter(([, re]) => re.test(text)).map(([k]) => k);
    if (!balanced) kinds.push("unpaired fence");
    if (!cleanInfo) kinds.push("fence info");
    for (const k of kinds) byKind[k] = (byKind[k] ?? 0) + 1;
    if (kinds.length) {
      leaking++;
      if (examples.length < 3) examples.push(p);
    }
  }
  return { set, passages: passages.length, leaking, byKind, examples };
}

const sets = positionals.length ? positionals.map((d) => path.resolve(d)) : defaultSets();
const sample = Number(values.sample ?? 0);
const rows: Counts[] = [];
for (const dir of sets) {
  const started = performance.now();
  const loaded = await loadKnowledge(dir);
  const ms = performance.now() - started;
  const passages = loaded.documents.flatMap((d) => d.passages);
  const name = path.relative(path.resolve(ROOT, ".."), dir);
  const counts = count(name, passages);
  rows.push(counts);
  process.stdout.write(
    `${name}: ${loaded.documents.length} documents, ${passages.length} passages, ${counts.leaking} with leaks ${JSON.stringify(counts.byKind)} (${Math.round(ms)} ms)\n`,
  );
  for (const p of counts.examples) process.stdout.write(`  leak example ${p.id}:\n    ${p.text.slice(0, 300).replace(/\n/g, "\n    ")}\n`);
  if (sample > 0) {
    const step = Math.max(1, Math.floor(passages.length / sample));
    for (let i = 0; i < passages.length && i / step < sample; i += step) {
      const p = passages[i]!;
      process.stdout.write(`\n--- ${p.id} [${p.kind}] ${[p.source.title, ...p.source.section].join(" › ")}\n${p.text}\n`);
    }
  }
}
const total = rows.reduce((a, r) => ({ passages: a.passages + r.passages, leaking: a.leaking + r.leaking }), { passages: 0, leaking: 0 });
process.stdout.write(`\ntotal: ${total.leaking} of ${total.passages} passages show dialect markup\n`);
