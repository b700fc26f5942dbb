/**
 * What the question log costs, on the Rust book:
 *   npx tsx bench/question-log.ts [--questions N]
 * Logs N questions (default 20,000: the Rust-book question sets over and over, spread over 30 days)
 * with their real answers, one vote on every tenth, into a fresh database in a temporary folder; then
 * builds the 30-day gaps report over them and draws its chart. Prints the time per logged question
 * (median, p99), the database size, and the time of the report and of the chart.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { AnswerEngine } from "../src/answer/engine.ts";
import { outcomesChart } from "../src/feedback/chart.ts";
import { QuestionLog } from "../src/feedback/question-log.ts";
import { buildGapsReport } from "../src/feedback/report.ts";
import { DATABASE_FILE, FeedbackStore } from "../src/feedback/store.ts";
import { rustCorpus } from "./corpora.ts";
import { median, p99 } from "./stats.ts";

const { values } = parseArgs({ options: { questions: { type: "string" } } });
const count = Number(values.questions ?? 20_000);
const rust = rustCorpus();
const questions = rust.sets.flatMap((s) => s.questions.map((q) => q.q));
const engine = await AnswerEngine.open(rust.dir);

const dir = mkdtempSync(path.join(os.tmpdir(), "kb-bench-log-"));
try {
  const DAY = 86_400_000;
  const end = Date.now();
  let now = end - 30 * DAY;
  const store = FeedbackStore.open({ dir, retentionDays: 30, now: () => now });
  const log = new QuestionLog(store, () => now);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    now = end - 30 * DAY + Math.floor((i / count) * 30 * DAY) + DAY / 2;
    const question = questions[i % questions.length] ?? "";
    const answer = engine.ask(question);
    const start = performance.now();
    const id = log.recordQuestion({ surface: "slash", guildId: "123456789012345678", answer, durationMs: 1 });
    if (id !== undefined && i % 10 === 0) log.recordVote(id, `user-${i % 97}`, i % 20 ? "up" : "down");
    times.push(performance.now() - start);
  }
  now = end;
  const reportStart = performance.now();
  const report = await buildGapsReport(store, engine, { days: 30, now: end });
  const reportMs = performance.now() - reportStart;
  if (!report) throw new Error("bench: the report could not be read");
  const chartStart = performance.now();
  const png = await outcomesChart(report.perDay);
  const chartMs = performance.now() - chartStart;
  store.run("checkpoint", (db) => db.pragma("wal_checkpoint(TRUNCATE)"));
  const bytes = statSync(path.join(dir, DATABASE_FILE)).size;
  store.close();
  console.log(`Rust book (${engine.lastLoad.passages} passages), ${count} questions logged (a vote on every tenth):`);
  console.log(`  per logged question (and its vote): median ${median(times).toFixed(3)} ms, p99 ${p99(times).toFixed(3)} ms`);
  console.log(`  database: ${(bytes / 1e6).toFixed(1)} MB (${Math.round(bytes / count)} bytes per question)`);
  console.log(
    `  30-day report: ${Math.round(reportMs)} ms (${report.gaps.length} gaps with suggestions; ${report.totals.answered} answered, ${report.totals.unsure} unsure, ${report.totals["no-match"]} no-match)`,
  );
  console.log(`  chart: ${Math.round(chartMs)} ms (first, loads Chart.js and Skia), ${png.length} bytes`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
