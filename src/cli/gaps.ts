/**
 * `npm run gaps`: what people asked that the knowledge did not answer, and how to close the gaps; and
 * the operator's teach records (teach, list, remove, export as an aliases file).
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import type { AnswerEngine } from "../answer/engine.ts";
import { outcomesChart } from "../feedback/chart.ts";
import { ALIASES_FILE, aliasesYaml } from "../feedback/export.ts";
import { openFeedback, type Feedback } from "../feedback/feedback.ts";
import { cliTeachHint, reportText } from "../feedback/render.ts";
import { buildGapsReport } from "../feedback/report.ts";
import { groupAliases, resolveAlias, taughtSource, SECTION_SEPARATOR, TAUGHT_PHRASE_MAX_LENGTH, type Resolution, type TeachRecord } from "../feedback/teach.ts";
import { createLogger } from "../log.ts";
import { EXIT_USAGE, exitQuietlyOnClosedPipe, loadConfigOr, openEngineOrExit } from "../startup.ts";

const USAGE = `Usage: npm run --silent gaps -- [--days N] [--json] [--chart FILE.png] [--knowledge DIR]
       npm run gaps -- --teach QUESTION --passage KEY
       npm run gaps -- --taught [--json]
       npm run gaps -- --remove-taught ID
       npm run gaps -- --export-aliases [--out FILE]

  (no action)        the gaps report over the question log in DATA_DIR: questions left unanswered,
                     grouped, each with its closest passage and a fix; answers voted down; documents
                     and sections most and least shown; outcomes per day
  --days N           the last N days, today (UTC) included, 1 to 3650 (default 7)
  --json             the report (or the teach records) as one JSON object
  --chart FILE.png   also draw the outcomes per day as a PNG chart
  --knowledge DIR    knowledge folder (default: KNOWLEDGE_DIR, then ./knowledge)
  --teach QUESTION --passage KEY
                     record that QUESTION should find the passage KEY (the "key" of a result in
                     the report or in \`npm run ask -- --json\`)
  --taught           list the teach records, and whether each still finds its passage
  --remove-taught ID undo one teach record
  --export-aliases   write the teach records as an aliases file (default: DATA_DIR/${ALIASES_FILE},
                     or --out FILE), to move into the knowledge folder under version control
`;

const EXIT_FAILURE = 1;

function fail(message: string): never {
  process.stderr.write(`gaps: ${message}\n\n${USAGE}`);
  process.exit(EXIT_USAGE);
}

function failRunning(message: string): never {
  process.stderr.write(`gaps: ${message}\n`);
  process.exit(EXIT_FAILURE);
}

function wholeNumber(flag: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max) fail(`Expected ${flag} to be a whole number from 1 to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

const RESOLVED: Record<Resolution, string> = {
  passage: "finds its passage",
  section: "the passage changed; finds its section",
  document: "the section is gone; only the document is there",
  gone: "the document is gone",
};

async function listTaught(records: TeachRecord[], engine: AnswerEngine, json: boolean): Promise<void> {
  const resolved = await Promise.all(records.map((r) => resolveAlias({ ...r, phrases: [r.question] }, engine)));
  if (json) {
    process.stdout.write(
      JSON.stringify({ taught: records.map((r, i) => ({ ...r, taughtAt: new Date(r.taughtAt).toISOString(), resolves: resolved[i] })) }) + "\n",
    );
    return;
  }
  if (!records.length) process.stdout.write("No teach records. Teach one with: npm run gaps -- --teach QUESTION --passage KEY\n");
  records.forEach((r, i) => {
    const where = [r.path, ...r.section].join(SECTION_SEPARATOR);
    process.stdout.write(
      `#${r.id} ${JSON.stringify(r.question)} → ${where}${r.passageKey ? ` (key ${r.passageKey})` : ""}: ${RESOLVED[resolved[i] ?? "gone"]}\n`,
    );
  });
}

async function main(): Promise<void> {
  exitQuietlyOnClosedPipe();
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        days: { type: "string" },
        json: { type: "boolean", default: false },
        chart: { type: "string" },
        knowledge: { type: "string" },
        teach: { type: "string" },
        passage: { type: "string" },
        taught: { type: "boolean", default: false },
        "remove-taught": { type: "string" },
        "export-aliases": { type: "boolean", default: false },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const actions = [values.teach !== undefined, values.taught, values["remove-taught"] !== undefined, values["export-aliases"]].filter(Boolean).length;
  if (actions > 1) fail("Expected at most one of --teach, --taught, --remove-taught and --export-aliases, got several");
  if ((values.teach === undefined) !== (values.passage === undefined)) fail("Expected --teach QUESTION and --passage KEY together");
  const days = wholeNumber("--days", values.days, 7, 3650);

  const config = loadConfigOr(fail);
  const logger = createLogger(config.logLevel === "info" ? "warn" : config.logLevel);
  const feedback: Feedback = openFeedback(config, logger);
  if (!feedback.store.available) failRunning(`could not open the question log in ${config.dataDir} (the reason is logged above)`);
  const unavailable = () => failRunning(`could not use the question log ${feedback.store.file} (the reason is logged above)`);
  try {
    if (values["remove-taught"] !== undefined) {
      const id = wholeNumber("--remove-taught", values["remove-taught"], 0, Number.MAX_SAFE_INTEGER);
      if (!feedback.teach.remove(id)) failRunning(`Expected the id of a teach record (see npm run gaps -- --taught), got ${id}`);
      process.stdout.write(`Removed teach record #${id}.\n`);
      return;
    }
    if (values["export-aliases"]) {
      const records = feedback.teach.list() ?? unavailable();
      const aliases = groupAliases(records);
      const file = path.resolve(values.out ?? path.join(config.dataDir, ALIASES_FILE));
      await writeFile(file, aliasesYaml(aliases));
      const documents = new Set(aliases.map((a) => a.path)).size;
      process.stdout.write(
        `Wrote ${records.length} teach record(s) for ${documents} document(s) to ${file}.\nMove it into the knowledge folder and commit it there.\n`,
      );
      return;
    }

    // With the teach records applied, as the bot answers: a gap taught since shows as answered.
    const engine = await openEngineOrExit(values.knowledge ?? config.knowledgeDir, {
      logger,
      cacheDir: config.indexCacheDir,
      taught: taughtSource(feedback.teach),
    });
    if (values.teach !== undefined && values.passage !== undefined) {
      const passage = engine.passage(values.passage);
      if (!passage)
        failRunning(
          `Expected the key of a passage in ${engine.dir} (a result's "key" in the report or in npm run ask -- --json), got ${JSON.stringify(values.passage)}`,
        );
      const { path: docPath, section } = passage.source;
      const taught = feedback.teach.teach(values.teach, { path: docPath, section, passageKey: passage.key });
      if (!taught.ok) {
        if (taught.reason === "unavailable") unavailable();
        failRunning(
          taught.reason === "empty"
            ? "Expected a question to teach, got an empty one"
            : `Expected a question to teach of at most ${TAUGHT_PHRASE_MAX_LENGTH} characters, got ${[...values.teach.trim()].length}`,
        );
      }
      process.stdout.write(
        `Taught #${taught.id}: ${JSON.stringify(values.teach.trim())} → ${[docPath, ...section].join(SECTION_SEPARATOR)} (key ${passage.key}). Undo: npm run gaps -- --remove-taught ${taught.id}\n`,
      );
      return;
    }
    if (values.taught) {
      await listTaught(feedback.teach.list() ?? unavailable(), engine, values.json);
      return;
    }

    const report = (await buildGapsReport(feedback.store, engine, { days, now: Date.now() })) ?? unavailable();
    if (values.chart) await writeFile(values.chart, await outcomesChart(report.perDay));
    process.stdout.write(values.json ? JSON.stringify(report) + "\n" : reportText(report, { teachHint: cliTeachHint }));
    if (!config.questionLog) process.stderr.write("gaps: QUESTION_LOG is off, so no new questions are being logged.\n");
  } finally {
    feedback.close();
  }
}

await main();
