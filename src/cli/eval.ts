import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { parseEvalSet, scoreAnswers } from "../answer/evaluate.ts";
import { createLogger } from "../log.ts";
import { EXIT_USAGE, exitQuietlyOnClosedPipe, loadConfigOr, openEngineOrExit } from "../startup.ts";

const USAGE = "Usage: npm run eval -- QUESTIONS.json [--knowledge DIR]\n";

function fail(message: string): never {
  process.stderr.write(`eval: ${message.replace(/^eval: /, "")}\n${USAGE}`);
  process.exit(EXIT_USAGE);
}

const pct = (x: number) => x.toFixed(2);

async function main(): Promise<void> {
  exitQuietlyOnClosedPipe();
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { knowledge: { type: "string" } } });
  } catch (error) {
    fail((error as Error).message);
  }
  const file = parsed.positionals[0];
  if (!file) fail("Expected a questions file, got none");
  let questions;
  try {
    questions = parseEvalSet(JSON.parse(await readFile(file, "utf8")), file);
  } catch (error) {
    fail((error as Error).message);
  }
  const config = loadConfigOr(fail);
  const engine = await openEngineOrExit(parsed.values.knowledge ?? config.knowledgeDir, { logger: createLogger("error"), cacheDir: config.indexCacheDir });
  const answers = questions.map((q) => engine.ask(q.q, { top: 5 }));
  const s = scoreAnswers(questions, answers);

  const misses = s.outcomes.filter((o) => (o.question.expect ? o.rank !== 1 : o.answered));
  if (misses.length) {
    console.log("Misses:");
    for (const o of misses) {
      const a = answers[s.outcomes.indexOf(o)];
      const got = a?.answered ? `top: ${a.results[0]?.source.path}#${a.results[0]?.source.passage} “${a.results[0]?.answer.slice(0, 100)}”` : `abstained (${a?.reason})`;
      const want = o.question.expect ? `expected ${JSON.stringify(o.question.expect)}${o.rank ? ` at rank ${o.rank}` : " (not in top 5)"}` : "expected no answer";
      console.log(`  ${o.question.id} ${o.question.q}\n      ${want}; ${got}`);
    }
    console.log("");
  }
  console.log(`Knowledge: ${engine.dir} (${engine.lastLoad.documents} documents, ${engine.lastLoad.passages} passages); ${questions.length} questions`);
  console.log(`Hit@1 ${pct(s.hit1)}  Hit@3 ${pct(s.hit3)}  MRR@5 ${pct(s.mrr5)}  (${s.answerable} answerable)`);
  console.log(`No-answer questions abstained on: ${s.abstained}/${s.unanswerable}`);
  console.log(`False abstentions: ${s.falseAbstentions}/${s.answerable}`);
}

await main();
