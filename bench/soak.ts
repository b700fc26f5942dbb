/**
 * `npm run soak [-- --minutes N] [-- --knowledge DIR]`: the real bot, started as `npm start` starts it
 * (`node dist/main.js` after `npm run build`, engine in its worker thread, watching its knowledge folder), against the loopback
 * Discord server in this process, for N minutes (default 10) of mixed traffic with faults injected on
 * REST and on the gateway and the knowledge folder (a temporary copy) edited all along (soak-load.ts).
 * Reports what became of every interaction and message, the time to answer, and the bot's memory at
 * start, along the way and at the end; writes bench/results/soak.json.
 *
 * The bot process gets two additions, neither in production: --expose-gc and bench/soak-probe.mjs, so
 * that memory samples are taken after full collections and compare.
 */
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { deployCommands } from "../src/discord/deploy-commands.ts";
import { createLogger } from "../src/log.ts";
import { DiscordTestServer } from "../test/support/discord-server.ts";
import { Editor, GATEWAY_FAULTS, Load, questionsFrom, restFault } from "./soak-load.ts";
import { mb, median, p99, quantile, round } from "./stats.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const { values } = parseArgs({ options: { minutes: { type: "string", default: "10" }, knowledge: { type: "string", default: path.join(ROOT, "knowledge") } } });
const minutes = Number(values.minutes);
if (!(minutes > 0 && minutes <= 24 * 60)) {
  process.stderr.write(`soak: Expected --minutes to be a number of minutes above 0, got ${JSON.stringify(values.minutes)}\n`);
  process.exit(2);
}
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface MemorySample {
  minute: number;
  heapMB: number;
  rssMB: number;
}

const work = await mkdtemp(path.join(os.tmpdir(), "kb-soak-"));
const knowledge = path.join(work, "knowledge");
await cp(path.resolve(values.knowledge), knowledge, { recursive: true });
const files = (await readdir(knowledge, { recursive: true })).map(String).filter((name) => /\.(md|markdown|mdx|txt)$/i.test(name));
if (!files.length) throw new Error(`soak: no knowledge files in ${values.knowledge}`);

// Discord's real rules: 3 s to answer an interaction. A heartbeat every 5 s, so a missing ACK shows soon.
const server = await DiscordTestServer.start({ interactionWindowMs: 3000, heartbeatIntervalMs: 5000 });
const guildId = server.guilds[0]?.id ?? "";
await deployCommands({ token: server.token, apiUrl: server.apiUrl, guildId, maxQuestionLength: 300, logger: createLogger("warn") });

const logFile = path.join(work, "bot.log");
const log = createWriteStream(logFile);
const levels = { WARN: 0, ERROR: 0 };
const bot = spawn(
  process.execPath,
  ["--expose-gc", "--import", pathToFileURL(path.join(import.meta.dirname, "soak-probe.mjs")).href, path.join(ROOT, "dist", "main.js")],
  {
    cwd: ROOT,
    env: {
      ...process.env,
      DISCORD_TOKEN: server.token,
      DISCORD_API_URL: server.apiUrl,
      DISCORD_GUILD_ID: guildId,
      KNOWLEDGE_DIR: knowledge,
      INDEX_CACHE_DIR: path.join(work, "cache"),
      WATCH_KNOWLEDGE: "true",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  },
);
let ready: () => void = () => undefined;
const loggedIn = new Promise<void>((resolve) => (ready = resolve));
bot.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
  log.write(chunk);
  for (const line of chunk.split("\n")) {
    if (/ WARN /.test(line)) levels.WARN++;
    if (/ ERROR /.test(line)) levels.ERROR++;
    if (line.includes("discord: logged in as")) ready();
  }
});
const exited = new Promise<number | null>((resolve) => bot.once("exit", (code) => resolve(code)));
// If this run fails, the bot must not outlive it.
process.once("exit", () => bot.kill("SIGTERM"));
await Promise.race([loggedIn, exited.then((code) => Promise.reject(new Error(`soak: the bot exited (code ${code}) before logging in; see ${logFile}`)))]);

const memory = (): Promise<{ heapUsed: number; rss: number }> =>
  new Promise((resolve) => {
    bot.once("message", (message: { heapUsed: number; rss: number }) => resolve(message));
    bot.send({ type: "sample" });
  });
const started = performance.now();
const samples: MemorySample[] = [];
const sample = async () => {
  const { heapUsed, rss } = await memory();
  samples.push({ minute: round((performance.now() - started) / 60_000), heapMB: mb(heapUsed), rssMB: mb(rss) });
};

const load = new Load(server, await questionsFrom(knowledge));
const editor = new Editor(knowledge, files);
const injected = { rest: 0, gateway: [] as string[], edits: 0 };
const timers = [
  setInterval(() => load.tick(), Load.TICK_MS),
  setInterval(() => load.settle(), 5000),
  setInterval(() => {
    // One fault episode at a time: faults for a rarely used route would otherwise pile up and all hit its next request.
    server.faults.clear();
    const { match, fault, times } = restFault();
    server.faults.add(match, fault, times);
    injected.rest += times;
  }, 4000),
  setInterval(() => {
    const fault = GATEWAY_FAULTS[injected.gateway.length % GATEWAY_FAULTS.length];
    if (!fault || !server.connected(0)) return;
    injected.gateway.push(fault.name);
    void Promise.resolve(fault.inject(server)).catch(() => undefined);
  }, 40_000),
  setInterval(() => void editor.edit().then(() => injected.edits++), 5000),
];

await pause(10_000);
await sample();
const every = (minutes * 60_000) / 10;
const sampler = setInterval(() => void sample(), every);
await pause(minutes * 60_000 - 10_000);
for (const timer of [...timers, sampler]) clearInterval(timer);
server.faults.clear();
// Whatever is under way finishes; then everything left is classified.
await pause(Load.SETTLED_MS);
await sample();
load.settle(true);

bot.kill("SIGINT");
const code = await exited;
await server.close();
log.end();

const { tally } = load;
const cpus = os.cpus();
const report = {
  minutes,
  knowledge: path.relative(ROOT, path.resolve(values.knowledge)) || ".",
  machine: { cpu: cpus[0]?.model ?? "unknown", cores: cpus.length, loadAverage: os.loadavg().map((n) => round(n)), node: process.version },
  interactions: {
    dispatched: tally.dispatched,
    received: tally.received,
    answeredWithinWindow: tally.answered,
    deferredThenAnswered: tally.deferredAnswered,
    toldToRetry: tally.toldToRetry,
    lost: tally.lost,
    lostExamples: tally.lostExamples,
    notDeliveredSessionGone: tally.notDelivered,
  },
  timeToAnswerMs: {
    p50: round(median(tally.timesMs)),
    p90: round(quantile(tally.timesMs, 0.9)),
    p99: round(p99(tally.timesMs)),
    max: round(Math.max(...tally.timesMs)),
  },
  messages: tally.messages,
  injected: { restFaults: injected.rest, gatewayFaults: injected.gateway, knowledgeEdits: injected.edits },
  memory: samples,
  botLog: { warnings: levels.WARN, errors: levels.ERROR },
  violations: server.violations.length,
  botExitCode: code,
};
await mkdir(path.join(ROOT, "bench", "results"), { recursive: true });
await writeFile(path.join(ROOT, "bench", "results", "soak.json"), `${JSON.stringify(report, null, 2)}\n`);

const i = report.interactions;
const lines = [
  `soak: ${minutes} min, knowledge ${report.knowledge}, ${report.machine.cores} × ${report.machine.cpu}, load average ${report.machine.loadAverage.join(" ")}`,
  `interactions: ${i.dispatched} dispatched, ${i.received} received by the bot (${i.notDeliveredSessionGone} not delivered: sent while its session was gone)`,
  `  answered within Discord's 3 s: ${i.answeredWithinWindow}; deferred then answered: ${i.deferredThenAnswered}; told to retry: ${i.toldToRetry}; lost: ${i.lost}`,
  ...i.lostExamples.map((example) => `    lost: ${example}`),
  `time to answer: p50 ${report.timeToAnswerMs.p50} ms, p90 ${report.timeToAnswerMs.p90} ms, p99 ${report.timeToAnswerMs.p99} ms, max ${report.timeToAnswerMs.max} ms`,
  `DMs and mentions: ${tally.messages.sent} sent, ${tally.messages.replied} replied to, ${tally.messages.unanswered} unanswered (rate-limit silence, shed load, away)`,
  `injected: ${injected.rest} REST faults, ${injected.gateway.length} gateway faults (${[...new Set(injected.gateway)].join(", ")}), ${injected.edits} knowledge edits`,
  `memory (after full GCs), minute: heap MB / RSS MB`,
  ...samples.map((s) => `  ${s.minute.toFixed(1).padStart(5)}: ${s.heapMB} / ${s.rssMB}`),
  `bot log: ${levels.WARN} warnings, ${levels.ERROR} errors (${logFile}); payloads breaking Discord's limits: ${report.violations}; bot exit code ${code}`,
];
process.stdout.write(`${lines.join("\n")}\n`);
// The log is kept for reading; the knowledge copy and the cache go.
await rm(knowledge, { recursive: true, force: true });
await rm(path.join(work, "cache"), { recursive: true, force: true });
