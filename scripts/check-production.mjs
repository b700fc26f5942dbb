/**
 * `npm run check:production [-- --image-only]` (the last step of CI): checks what ships, from the committed
 * HEAD, without Docker. About 2 minutes; it installs from the npm registry (or npm's cache) three times.
 *
 * 1. A fresh tree (git archive HEAD): `npm ci && npm run build`, then `npm ci --omit=dev`. No tsx or
 *    TypeScript may be installed then, and the compiled code must: answer in the terminal, run the
 *    operator tools, serve Discord (the loopback test server) from its answering thread with the health
 *    endpoint ready, and run sharded.
 * 2. The Dockerfile, replayed: the build context filtered by .dockerignore, then each stage's WORKDIR,
 *    COPY, RUN and ENV carried out in a folder that stands for the stage's file system. The runtime stage
 *    must hold exactly what it should, all readable by its unprivileged user; its CMD must start against
 *    the loopback server, pass its HEALTHCHECK, answer, and stop with exit code 0 on SIGTERM.
 * What a replay cannot do: switch users (chown only checks that the user is the image's) or use the base
 * image (the host's Node and npm stand in for it).
 */
import { fork, spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const ROOT = path.resolve(import.meta.dirname, "..");
const TMP = mkdtempSync(path.join(os.tmpdir(), "check-production-"));
const QUESTION = "When was the SCO established?";
const ANSWER = "established in Shanghai on June 15, 2001";
/** The only user the runtime stage may hand files to: the Node image's own. */
const IMAGE_USER = "node";

function fail(message) {
  throw new Error(`check-production: ${message}`);
}

function step(text) {
  process.stderr.write(`\n» ${text}\n`);
}

/** Runs a command to its end; fails with its output unless it exits with `expect`. */
function run(command, args, { cwd, env = process.env, input, expect = 0, shell = false } = {}) {
  const result = spawnSync(command, args, { cwd, env, input, encoding: "utf8", shell, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== expect) {
    fail(`${[command, ...args].join(" ")} (in ${cwd}) exited with ${result.status ?? result.signal}, expected ${expect}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** The environment of a host with nothing configured: no .env settings leak in from the developer's shell. */
function cleanEnv(extra = {}) {
  const env = { ...process.env };
  for (const name of Object.keys(env))
    if (/^(DISCORD_|KNOWLEDGE_|INDEX_CACHE|WATCH_|RATE_LIMIT|MAX_QUESTION|SHARD|LOG_|HEALTH_|NODE_OPTIONS$)/.test(name)) delete env[name];
  return { ...env, DISCORD_TOKEN: "", LOG_FORMAT: "pretty", ...extra };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The committed tree, as a fresh clone has it. */
function freshTree(dir) {
  mkdirSync(dir, { recursive: true });
  run("sh", ["-c", `git archive --format=tar HEAD | tar -x -C '${dir}'`], { cwd: ROOT });
  return dir;
}

// ---- the loopback Discord server ------------------------------------------------------------------------

/** bench/discord-server-process.ts, run from the development tree (it needs tsx). */
async function startDiscordServer() {
  const child = fork(path.join(ROOT, "bench", "discord-server-process.ts"), [], {
    cwd: ROOT,
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const inbox = [];
  const waiting = [];
  child.on("message", (message) => (waiting.length ? waiting.shift()(message) : inbox.push(message)));
  const next = () => new Promise((resolve) => (inbox.length ? resolve(inbox.shift()) : waiting.push(resolve)));
  const ready = await next();
  if (ready.type !== "ready") fail(`the Discord test server did not start: ${JSON.stringify(ready)}`);
  return {
    apiUrl: ready.apiUrl,
    token: ready.token,
    /** Sends one /ask and resolves with the interaction callback's type (4: answered in the channel). */
    async ask(question) {
      child.send({ type: "burst", questions: [question] });
      const reply = await next();
      return reply.results?.[0];
    },
    async close() {
      child.send({ type: "close" });
      const closed = await next();
      if (closed.violations?.length) fail(`the bot broke Discord's limits: ${JSON.stringify(closed.violations)}`);
    },
  };
}

/** A long-running process whose stderr is collected; `waitFor` resolves once stderr holds some text. */
function startProcess(command, args, { cwd, env }) {
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (chunk) => (log += chunk));
  child.stderr.on("data", (chunk) => (log += chunk));
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
  return {
    child,
    exited,
    log: () => log,
    async waitFor(text, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      while (!log.includes(text)) {
        if (child.exitCode !== null) fail(`${args.join(" ")} exited (${child.exitCode}) before logging ${JSON.stringify(text)}:\n${log}`);
        if (Date.now() > until) fail(`${args.join(" ")} did not log ${JSON.stringify(text)} within ${timeoutMs / 1000} s:\n${log}`);
        await sleep(100);
      }
    },
    async stop() {
      child.kill("SIGTERM");
      const code = await exited;
      if (code !== 0) fail(`${args.join(" ")} exited with ${code} on SIGTERM, expected 0:\n${log}`);
    },
  };
}

/** Runs a health check command until it exits 0, as Docker does during the start period; returns what it printed. */
async function untilHealthy([command, ...args], options, what, tries = 60) {
  let last;
  for (let i = 0; i < tries; i++) {
    last = spawnSync(command, args, { ...options, encoding: "utf8" });
    if (last.status === 0) return last.stdout.trim();
    await sleep(500);
  }
  fail(`${what} never became healthy; the last check exited ${last?.status}: ${last?.stdout}${last?.stderr}`);
}

// ---- 1. a fresh tree, production install ------------------------------------------------------------------

async function checkProductionInstall(discord) {
  const dir = freshTree(path.join(TMP, "clone"));
  step(`fresh tree ${dir}: npm ci && npm run build, then npm ci --omit=dev`);
  run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: dir });
  run("npm", ["run", "build"], { cwd: dir });
  run("npm", ["ci", "--omit=dev", "--no-audit", "--no-fund"], { cwd: dir });
  for (const devOnly of ["tsx", "typescript", "esbuild", "eslint"]) {
    if (existsSync(path.join(dir, "node_modules", devOnly))) fail(`${devOnly} is installed by npm ci --omit=dev`);
  }
  const deps = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).dependencies;
  if ("tsx" in deps || "typescript" in deps) fail(`tsx or typescript is a runtime dependency: ${Object.keys(deps).join(", ")}`);

  const cache = path.join(TMP, "clone-cache");
  const env = cleanEnv({ INDEX_CACHE_DIR: cache, WATCH_KNOWLEDGE: "false" });
  step(`printf '${QUESTION}\\n' | node dist/main.js`);
  const answered = run("node", ["dist/main.js"], { cwd: dir, env, input: `${QUESTION}\n` });
  if (!answered.stdout.includes(ANSWER)) fail(`node dist/main.js did not answer ${JSON.stringify(QUESTION)}:\n${answered.stdout}\n${answered.stderr}`);

  step("operator tools from dist/");
  const asked = JSON.parse(run("node", ["dist/cli/ask.js", "--json", QUESTION], { cwd: dir, env }).stdout);
  if (!asked.answered || !asked.results[0]?.text.includes(ANSWER)) fail(`ask --json did not answer: ${JSON.stringify(asked)}`);
  run("node", ["dist/cli/check.js"], { cwd: dir, env });
  const deploy = run("node", ["dist/discord/deploy-commands.js"], { cwd: dir, env, expect: 1 });
  if (!deploy.stderr.includes("DISCORD_TOKEN is not set")) fail(`deploy-commands without a token: ${deploy.stderr}`);
  const sharded = run("node", ["dist/discord/sharded.js"], { cwd: dir, env, expect: 2 });
  if (!sharded.stderr.startsWith("start:sharded: DISCORD_TOKEN is not set.")) fail(`start:sharded without a token: ${sharded.stderr}`);

  const port = await freePort();
  const botEnv = { ...env, DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, HEALTH_PORT: String(port), RATE_LIMIT_QUESTIONS: "0" };
  const probe = ["node", "dist/cli/health-check.js"];
  step("node dist/main.js on Discord (the loopback server), with HEALTH_PORT");
  const bot = startProcess("node", ["dist/main.js"], { cwd: dir, env: botEnv });
  await untilHealthy(probe, { cwd: dir, env: botEnv }, "node dist/main.js");
  const reply = await discord.ask(QUESTION);
  if (reply?.callbackType !== 4) fail(`/ask was not answered: ${JSON.stringify(reply)}\n${bot.log()}`);
  await bot.stop();

  // Two shards, one per process: the shard processes run compiled code too.
  step("node dist/discord/sharded.js on Discord (SHARDS=2, SHARDS_PER_PROCESS=1), with HEALTH_PORT on the manager");
  const fleetEnv = { ...botEnv, SHARDS: "2", SHARDS_PER_PROCESS: "1" };
  const fleet = startProcess("node", ["dist/discord/sharded.js"], { cwd: dir, env: fleetEnv });
  await untilHealthy(probe, { cwd: dir, env: fleetEnv }, "node dist/discord/sharded.js");
  await fleet.waitFor("shards: all 2 connected");
  await fleet.stop();
}

// ---- 2. the Dockerfile, replayed ---------------------------------------------------------------------------

/** Dockerfile instructions, with line continuations joined and comments dropped. */
function parseDockerfile(text) {
  const instructions = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!pending && (line === "" || line.startsWith("#"))) continue;
    if (line.endsWith("\\")) {
      pending += line.slice(0, -1) + " ";
      continue;
    }
    const full = pending + line;
    pending = "";
    const [, keyword, rest] = /^(\S+)\s*(.*)$/.exec(full);
    instructions.push({ keyword: keyword.toUpperCase(), rest: rest.trim() });
  }
  return instructions;
}

/** Leading `--name=value` flags of an instruction, and what follows them. */
function flags(rest) {
  const out = {};
  let remaining = rest;
  for (let match; (match = /^--([a-z-]+)(?:=(\S+))?\s*/.exec(remaining)); remaining = remaining.slice(match[0].length)) out[match[1]] = match[2] ?? true;
  return { flags: out, rest: remaining };
}

function envPairs(rest) {
  return [...rest.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)].map(([, key, value]) => [key, value.replace(/^"|"$/g, "")]);
}

/** Docker's .dockerignore matching: the last pattern that matches a path, or one of its leading folders, decides. */
function dockerignore(patterns) {
  const rules = patterns.map((pattern) => {
    const exclude = !pattern.startsWith("!");
    const body = (exclude ? pattern : pattern.slice(1)).replace(/^\/+|\/+$/g, "");
    const source = body
      .split("/")
      .map((part) =>
        part === "**"
          ? "(?:.*)"
          : part
              .replace(/[.+^${}()|[\]\\]/g, "\\$&")
              .replace(/\*/g, "[^/]*")
              .replace(/\?/g, "[^/]"),
      )
      .join("/");
    return { exclude, depth: body.split("/").length, regex: new RegExp(`^${source}$`) };
  });
  return (file) => {
    let excluded = false;
    const parts = file.split("/");
    for (const rule of rules) {
      if (rule.regex.test(file) || (parts.length > rule.depth && rule.regex.test(parts.slice(0, rule.depth).join("/")))) excluded = rule.exclude;
    }
    return excluded;
  };
}

function listFiles(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full, base) : [path.relative(base, full).split(path.sep).join("/")];
  });
}

/** A build context: the fresh tree, less what .dockerignore leaves out. */
function buildContext(tree, dir) {
  const lines = readFileSync(path.join(tree, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const ignored = dockerignore(lines);
  for (const file of listFiles(tree)) {
    if (ignored(file)) continue;
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    cpSync(path.join(tree, file), path.join(dir, file));
  }
  return dir;
}

/** A shim for `chown` on a host that lacks the image's users: it checks the owner is the image's user, and changes nothing. */
function shims(dir) {
  mkdirSync(dir, { recursive: true });
  const chown = path.join(dir, "chown");
  writeFileSync(
    chown,
    `#!/bin/sh\ncase "$1" in ${IMAGE_USER}|${IMAGE_USER}:${IMAGE_USER}) exit 0;; *) echo "chown: only ${IMAGE_USER} exists in the image, got $1" >&2; exit 1;; esac\n`,
  );
  chmodSync(chown, 0o755);
  return dir;
}

/** Replays a Dockerfile on a build context; returns the last stage, with its root folder, ENV, USER, HEALTHCHECK and CMD. */
function replayDockerfile(dockerfile, context) {
  const instructions = parseDockerfile(readFileSync(dockerfile, "utf8"));
  const bin = shims(path.join(TMP, "shims"));
  const stages = new Map();
  let stage;
  const inRoot = (target) => path.join(stage.root, path.posix.resolve(stage.workdir, target));
  for (const { keyword, rest } of instructions) {
    if (!stage && keyword !== "ARG" && keyword !== "FROM") fail(`Dockerfile: ${keyword} before the first FROM`);
    switch (keyword) {
      case "ARG":
      case "EXPOSE":
      case "LABEL":
        break;
      case "FROM": {
        const [, name] = /\bAS\s+(\S+)$/i.exec(rest) ?? [];
        stage = { name: name ?? String(stages.size), root: path.join(TMP, "stages", name ?? String(stages.size)), workdir: "/", env: {}, user: "root" };
        mkdirSync(stage.root, { recursive: true });
        stages.set(stage.name, stage);
        break;
      }
      case "WORKDIR":
        stage.workdir = path.posix.resolve(stage.workdir, rest);
        mkdirSync(inRoot("."), { recursive: true });
        break;
      case "ENV":
        for (const [key, value] of envPairs(rest)) stage.env[key] = value;
        break;
      case "USER":
        stage.user = rest;
        break;
      case "COPY": {
        const { flags: f, rest: args } = flags(rest);
        const parts = args.split(/\s+/);
        const dest = parts.pop();
        const from = f.from ? stages.get(f.from) : undefined;
        if (f.from && !from) fail(`Dockerfile: COPY --from=${f.from}: no such stage`);
        for (const source of parts) {
          const src = from ? path.join(from.root, path.posix.resolve(from.workdir, source)) : path.join(context, source);
          if (!existsSync(src)) fail(`Dockerfile: COPY ${source}: not in the ${from ? `${f.from} stage` : "build context"}`);
          const target = dest.endsWith("/") || parts.length > 1 ? path.join(inRoot(dest), path.basename(source)) : inRoot(dest);
          cpSync(src, target, { recursive: true });
        }
        break;
      }
      case "RUN": {
        const { rest: command } = flags(rest);
        step(`[${stage.name}] RUN ${command}`);
        run("sh", ["-c", command], { cwd: inRoot("."), env: { ...process.env, ...stage.env, PATH: `${bin}:${process.env.PATH}` } });
        break;
      }
      case "HEALTHCHECK": {
        const { flags: f, rest: command } = flags(rest);
        stage.healthcheck = { options: f, command: JSON.parse(command.replace(/^CMD\s+/, "")) };
        break;
      }
      case "CMD":
        stage.cmd = JSON.parse(rest);
        break;
      default:
        fail(`Dockerfile: ${keyword} is not replayed by this check; extend it, or keep to WORKDIR, COPY, RUN, ENV, USER, HEALTHCHECK, CMD`);
    }
  }
  return stage;
}

/** The image's environment on this host: container paths under the stage's folder. */
function hostEnv(stage) {
  const env = {};
  for (const [key, value] of Object.entries(stage.env)) env[key] = value.startsWith("/") ? path.join(stage.root, value) : value;
  return env;
}

async function checkImage(discord) {
  const tree = freshTree(path.join(TMP, "tree"));
  const context = buildContext(tree, path.join(TMP, "context"));
  step(`build context ${context}: ${listFiles(context).length} files`);
  const leaked = listFiles(context).filter(
    (file) => !/^(package\.json|package-lock\.json|tsconfig(\.build)?\.json|scripts\/prepare\.mjs|src\/.*|lexicon\/.*)$/.test(file),
  );
  if (leaked.length) fail(`the build context holds more than the build needs: ${leaked.join(", ")}`);

  const runtime = replayDockerfile(path.join(tree, "Dockerfile"), context);
  const app = path.join(runtime.root, runtime.workdir);
  step(`runtime stage ${app}`);
  const top = readdirSync(app).sort();
  const expected = [".cache", "dist", "lexicon", "node_modules", "package-lock.json", "package.json"];
  if (JSON.stringify(top) !== JSON.stringify(expected)) fail(`the runtime stage holds ${top.join(", ")}; expected ${expected.join(", ")}`);
  for (const devOnly of ["tsx", "typescript", "esbuild", "eslint", "fast-check"]) {
    if (existsSync(path.join(app, "node_modules", devOnly))) fail(`the runtime stage has the dev dependency ${devOnly}`);
  }
  if (listFiles(path.join(app, "dist")).some((file) => file.endsWith(".ts"))) fail("the runtime stage has TypeScript sources in dist/");
  if (runtime.user !== IMAGE_USER) fail(`the runtime stage runs as ${runtime.user}, expected ${IMAGE_USER}`);
  // Owned by root in the image; the bot's user reads everything through the "other" permissions.
  for (const file of listFiles(app)) {
    if ((statSync(path.join(app, file)).mode & 0o004) === 0) fail(`${file} is not readable by ${IMAGE_USER}`);
    for (let folder = path.dirname(file); folder !== "."; folder = path.dirname(folder)) {
      if ((statSync(path.join(app, folder)).mode & 0o005) !== 0o005) fail(`the folder ${folder} is not open to ${IMAGE_USER}`);
    }
  }
  if (!runtime.cmd || runtime.cmd.join(" ") !== "node dist/main.js")
    fail(`the runtime stage starts ${JSON.stringify(runtime.cmd)}, expected node dist/main.js`);
  if (!runtime.healthcheck) fail("the runtime stage has no HEALTHCHECK");

  // `docker compose up`: the knowledge folder mounted, the token and API from the env file, the health port the image's.
  cpSync(path.join(tree, "knowledge"), path.join(app, "knowledge"), { recursive: true });
  const env = { ...cleanEnv(), ...hostEnv(runtime), DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, LOG_FORMAT: "", RATE_LIMIT_QUESTIONS: "0" };
  // Another program on this host may hold the image's port; a container would have its own network.
  env.HEALTH_PORT = String(await freePort());
  step(`[runtime] CMD ${runtime.cmd.join(" ")}, then HEALTHCHECK ${runtime.healthcheck.command.join(" ")}`);
  const container = startProcess(runtime.cmd[0], runtime.cmd.slice(1), { cwd: app, env });
  const healthy = await untilHealthy(runtime.healthcheck.command, { cwd: app, env }, "the container");
  if (healthy !== '200 {"ready":true}') fail(`HEALTHCHECK printed ${healthy}`);
  const reply = await discord.ask(QUESTION);
  if (reply?.callbackType !== 4) fail(`/ask was not answered in the container: ${JSON.stringify(reply)}\n${container.log()}`);
  // Logs are JSON in a container (stderr is not a terminal): every line a record.
  const logLines = container.log().trimEnd().split("\n");
  for (const line of logLines) JSON.parse(line);
  if (!existsSync(path.join(app, ".cache")) || readdirSync(path.join(app, ".cache")).length === 0)
    fail("the container saved no index snapshot in its .cache volume");
  await container.stop();
}

const discord = await startDiscordServer();
try {
  if (!process.argv.includes("--image-only")) await checkProductionInstall(discord);
  await checkImage(discord);
  process.stderr.write("\ncheck-production: ok\n");
} catch (error) {
  process.stderr.write(`\n${error.message}\n`);
  process.exitCode = 1;
} finally {
  await discord.close().catch((error) => process.stderr.write(`${error.message}\n`));
  rmSync(TMP, { recursive: true, force: true });
}
