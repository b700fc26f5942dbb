import { parseArgs } from "node:util";
import { createLogger } from "../log.ts";
import { EXIT_USAGE, exitQuietlyOnClosedPipe, loadConfigOr, openEngineOrExit } from "../startup.ts";
import { answerLines, formatAnswer } from "../terminal/conversation.ts";
import { writeLogLine } from "../terminal/prompt-guard.ts";

const USAGE = `Usage: npm run --silent ask -- [--knowledge DIR] [--top N] [--json] [QUESTION]

  QUESTION         answer it and exit; without it, read one question per line from stdin
                   (an interactive prompt on a terminal)
  --knowledge DIR  knowledge folder (default: KNOWLEDGE_DIR, then ./knowledge)
  --top N          results per question, 1 to 25 (default 3)
  --json           one JSON object per answer (JSON Lines when reading stdin)
`;

function fail(message: string): never {
  process.stderr.write(`ask: ${message}\n\n${USAGE}`);
  process.exit(EXIT_USAGE);
}

async function main(): Promise<void> {
  exitQuietlyOnClosedPipe();
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { knowledge: { type: "string" }, top: { type: "string" }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const top = values.top === undefined ? 3 : Number(values.top);
  if (!Number.isInteger(top) || top < 1 || top > 25) fail(`Expected --top to be a whole number from 1 to 25, got ${JSON.stringify(values.top)}`);

  const config = loadConfigOr(fail);
  // Warnings here are for the person asking: readable unless LOG_FORMAT asks for JSON, and above the prompt.
  const logger = createLogger(config.logLevel === "info" ? "warn" : config.logLevel, { format: config.logFormat ?? "pretty", write: writeLogLine });
  const engine = await openEngineOrExit(values.knowledge ?? config.knowledgeDir, { logger, cacheDir: config.indexCacheDir });
  const question = positionals.join(" ").trim();
  if (question) {
    process.stdout.write((await formatAnswer(engine, question, { json: values.json, top, output: process.stdout })) + "\n");
    return;
  }
  await answerLines(engine, { json: values.json, top, interactive: Boolean(process.stdin.isTTY), input: process.stdin, output: process.stdout });
}

await main();
