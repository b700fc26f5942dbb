/**
 * `npm run knowledge:check [-- --knowledge DIR]`: reports the text the hygiene check keeps out of the
 * index (injected fiction, markup debris), per file with line numbers and reasons, then a summary.
 * It reports and does not fail: exit 0, 1 when a file cannot be read or has a bad front matter setting,
 * 2 for a usage or folder problem.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { createLogger } from "../log.ts";
import { hygieneCleaner, passagesChangedByCleaning } from "../knowledge/clean.ts";
import { HYGIENE_CONFIG_FILE, HygieneConfigError, readHygieneConfig } from "../knowledge/hygiene-config.ts";
import { loadKnowledge } from "../knowledge/load.ts";
import type { LoadIssue } from "../knowledge/types.ts";
import { EXIT_USAGE, loadConfigOr } from "../startup.ts";

const USAGE = `Usage: npm run knowledge:check [-- --knowledge DIR]

Lists the spans of each knowledge file that the hygiene check keeps out of answers
(text spliced in from elsewhere, markup debris), with line numbers and reasons.

To keep a span the check got wrong:
  Markdown front matter:  keep: ["words of the span"]   or   hygiene: off
  ${HYGIENE_CONFIG_FILE} in the knowledge folder:
    { "path/to/file.txt": { "keep": ["words of the span"] }, "stories/": { "hygiene": "off" } }
`;

const EXIT_READ_ERROR = 1;
const SHOWN = 160;

function fail(message: string): never {
  process.stderr.write(`check: ${message}\n\n${USAGE}`);
  process.exit(EXIT_USAGE);
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= SHOWN ? flat : flat.slice(0, SHOWN - 1) + "…";
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ options: { knowledge: { type: "string" }, help: { type: "boolean", short: "h" } } }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const dir = path.resolve(values.knowledge ?? loadConfigOr(fail).knowledgeDir);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) fail(`knowledge folder not found: ${dir}\nSet --knowledge DIR or KNOWLEDGE_DIR to a folder of .md or .txt files.`);

  let config;
  try {
    config = await readHygieneConfig(dir);
  } catch (error) {
    if (error instanceof HygieneConfigError) fail(error.message);
    throw error;
  }
  const logger = createLogger("warn", { format: "pretty" });
  const settingsIssues: LoadIssue[] = [];
  const cleaned = await loadKnowledge(dir, { logger, cleaner: hygieneCleaner(config, (issue) => settingsIssues.push(issue)) });
  // Loaded again without the check, to count the passages that the check changed or removed.
  const raw = await loadKnowledge(dir);
  const rawByPath = new Map(raw.documents.map((doc) => [doc.path, doc]));

  let spans = 0;
  let filesFlagged = 0;
  let passagesAffected = 0;
  for (const doc of cleaned.documents) {
    if (doc.flagged.length === 0) continue;
    filesFlagged++;
    spans += doc.flagged.length;
    const affected = passagesChangedByCleaning(rawByPath.get(doc.path)?.passages ?? [], doc.passages);
    passagesAffected += affected;
    console.log(`${doc.path}  (${doc.flagged.length} span${doc.flagged.length === 1 ? "" : "s"}, ${affected} passage${affected === 1 ? "" : "s"} affected)`);
    for (const span of doc.flagged) {
      console.log(`  line ${span.line}: ${span.reason}`);
      console.log(`    “${clip(span.text)}”`);
    }
    console.log("");
  }
  for (const error of cleaned.errors) console.log(`${error.path}: could not be read: ${error.reason}`);
  for (const issue of settingsIssues) console.log(`${issue.path}: ${issue.reason}`);
  if (cleaned.errors.length || settingsIssues.length) console.log("");

  const files = cleaned.documents.length + cleaned.errors.length;
  const totalPassages = raw.documents.reduce((n, doc) => n + doc.passages.length, 0);
  console.log(
    `Checked ${files} file${files === 1 ? "" : "s"} in ${dir}: ${spans} span${spans === 1 ? "" : "s"} flagged in ${filesFlagged} file${filesFlagged === 1 ? "" : "s"}; ` +
      `${passagesAffected} of ${totalPassages} passages affected` +
      (cleaned.errors.length ? `; ${cleaned.errors.length} file${cleaned.errors.length === 1 ? "" : "s"} could not be read` : "") +
      (settingsIssues.length ? `; ${settingsIssues.length} bad front matter setting${settingsIssues.length === 1 ? "" : "s"}` : "") +
      ".",
  );
  if (cleaned.errors.length || settingsIssues.length) process.exitCode = EXIT_READ_ERROR;
}

await main();
