/**
 * watchKnowledge (src/knowledge/watch.ts) when the folder goes and comes back, when it holds a symlink loop,
 * under a stream of changes, and with polling. Waits are on the watcher's own callbacks and log lines;
 * timeouts only turn a hang into a readable failure, never assert speed.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmod, chown, mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test, type TestContext } from "node:test";
import { watchKnowledge, type WatchOptions } from "../../src/knowledge/watch.ts";
import { createLogger } from "../../src/log.ts";

const GUARD_MS = 30_000;
/** Short, so that the tests do not wait long for the watcher to notice the folder. */
const CHECK_MS = 50;
const ROOT = path.join(import.meta.dirname, "..", "..");

/** Resolves when `predicate` holds, checked after every event the caller reports through `poke`. */
function waiter() {
  const waiting: { predicate: () => boolean; resolve: () => void }[] = [];
  return {
    poke() {
      for (const w of [...waiting]) {
        if (!w.predicate()) continue;
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
    },
    until(predicate: () => boolean, what: string): Promise<void> {
      if (predicate()) return Promise.resolve();
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([
        new Promise<void>((resolve) => waiting.push({ predicate, resolve })),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`gave up waiting for ${what}`)), GUARD_MS))),
      ]).finally(() => clearTimeout(timer));
    },
  };
}

async function watched(t: TestContext, options: Partial<WatchOptions> = {}) {
  const root = await mkdtemp(path.join(os.tmpdir(), "kb-watch-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  const dir = path.join(root, "knowledge");
  await mkdir(dir);
  const lines: string[] = [];
  let calls = 0;
  const events = waiter();
  const logger = createLogger("debug", (line) => {
    lines.push(line.replace(/^\S+ /, ""));
    events.poke();
  });
  const watcher = watchKnowledge(
    dir,
    () => {
      calls++;
      events.poke();
    },
    { debounceMs: 100, checkMs: CHECK_MS, logger, ...options },
  );
  t.after(() => watcher.close());
  await watcher.ready;
  return {
    root,
    dir,
    lines,
    calls: () => calls,
    /** Resolves once the callback has run more than `n` times in all. */
    calledMoreThan: (n: number) => events.until(() => calls > n, `call ${n + 1} of the watch callback`),
    logged: (line: string | RegExp) =>
      events.until(() => lines.some((l) => (typeof line === "string" ? l === line : line.test(l))), `the log line ${String(line)}`),
  };
}

const note = (n: number) => `# Note ${n}\n\nText ${n}.\n`;

describe("watchKnowledge when the folder goes and comes back", () => {
  test("deleted and made again: both are logged, and edits after it are picked up", async (t) => {
    const w = await watched(t);
    await rm(w.dir, { recursive: true });
    await w.logged(`WARN  knowledge: ${w.dir} is not found; still answering from the last good knowledge, and watching for the folder to come back`);
    await mkdir(w.dir);
    await w.logged(`INFO  knowledge: ${w.dir} is back; watching it again and reloading`);
    await w.calledMoreThan(0);
    const reloads = w.calls();
    await writeFile(path.join(w.dir, "after.md"), note(1));
    await w.calledMoreThan(reloads);
  });

  test("moved away and back: both are logged, and edits after it are picked up", async (t) => {
    const w = await watched(t);
    const away = path.join(w.root, "elsewhere");
    await rename(w.dir, away);
    await w.logged(`WARN  knowledge: ${w.dir} is not found; still answering from the last good knowledge, and watching for the folder to come back`);
    await rename(away, w.dir);
    await w.logged(`INFO  knowledge: ${w.dir} is back; watching it again and reloading`);
    await w.calledMoreThan(0);
    const reloads = w.calls();
    await writeFile(path.join(w.dir, "after.md"), note(2));
    await w.calledMoreThan(reloads);
  });

  test("replaced by another folder at the same path: logged, and the new folder is watched", async (t) => {
    const w = await watched(t);
    const other = path.join(w.root, "other");
    await mkdir(other);
    await rm(w.dir, { recursive: true });
    await rename(other, w.dir);
    // The check may or may not have seen the path empty for a moment in between; either line says so.
    await w.logged(/^INFO {2}knowledge: \S+ is (back|another folder now); watching it again and reloading$/);
    await w.calledMoreThan(0);
    const reloads = w.calls();
    await writeFile(path.join(w.dir, "after.md"), note(3));
    await w.calledMoreThan(reloads);
  });

  test("made unreadable and readable again: both are logged, and edits after it are picked up", async (t) => {
    // Root reads any folder, so the watcher runs as an unprivileged user when the tests run as root.
    const root = await mkdtemp(path.join(os.tmpdir(), "kb-watch-perm-"));
    t.after(() => rm(root, { recursive: true, force: true }));
    const dir = path.join(root, "knowledge");
    await mkdir(dir);
    const asRoot = process.getuid?.() === 0;
    const user = asRoot ? { uid: 65534, gid: 65534 } : {};
    if (asRoot) {
      await chmod(root, 0o755);
      await chown(dir, 65534, 65534);
    }
    const script = path.join(root, "watch.mts");
    await writeFile(
      script,
      `import { watchKnowledge } from ${JSON.stringify(pathToFileURL(path.join(ROOT, "src", "knowledge", "watch.ts")).href)};\n` +
        `import { createLogger } from ${JSON.stringify(pathToFileURL(path.join(ROOT, "src", "log.ts")).href)};\n` +
        `const w = watchKnowledge(${JSON.stringify(dir)}, () => process.stderr.write("CHANGED\\n"), { debounceMs: 100, checkMs: ${CHECK_MS}, logger: createLogger("debug", { format: "pretty" }) });\n` +
        `await w.ready;\nprocess.stderr.write("READY\\n");\n` +
        // The watcher keeps no process alive by itself while the folder is gone; the bot has its connection.
        `setInterval(() => undefined, 1000);\nprocess.on("SIGTERM", () => { w.close(); process.exit(0); });\n`,
    );
    await chmod(script, 0o644);
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      cwd: ROOT,
      ...user,
      env: { ...process.env, HOME: root },
      stdio: ["ignore", "ignore", "pipe"],
    });
    t.after(() => child.kill("SIGKILL"));
    let log = "";
    const events = waiter();
    child.stderr.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      events.poke();
    });
    const logged = (pattern: RegExp) => events.until(() => pattern.test(log), `${pattern} in the watcher's log:\n${log}`);
    const changes = () => log.split("\n").filter((l) => l === "CHANGED").length;
    await logged(/^READY$/m);
    await chmod(dir, 0o000);
    await logged(/WARN {2}knowledge: \S+ is not readable; still answering from the last good knowledge, and watching for the folder to come back/);
    await chmod(dir, 0o755);
    await logged(/INFO {2}knowledge: \S+ is back; watching it again and reloading/);
    await events.until(() => changes() >= 1, "the reload after the folder came back");
    await writeFile(path.join(dir, "after.md"), note(4));
    await events.until(() => changes() >= 2, `the change after the folder came back:\n${log}`);
  });
});

describe("watchKnowledge, other cases", () => {
  test("a symlink loop in the folder does not stop it: edits are picked up, also after the loop is removed", async (t) => {
    const w = await watched(t);
    await mkdir(path.join(w.dir, "guides"));
    // A link to a folder above it, and two links to each other (ELOOP).
    await symlink("..", path.join(w.dir, "guides", "loop"));
    await symlink(path.join(w.dir, "b.md"), path.join(w.dir, "a.md"));
    await symlink(path.join(w.dir, "a.md"), path.join(w.dir, "b.md"));
    await writeFile(path.join(w.dir, "guides", "one.md"), note(5));
    await w.calledMoreThan(0);
    const before = w.calls();
    for (const link of ["guides/loop", "a.md", "b.md"]) await rm(path.join(w.dir, link));
    await writeFile(path.join(w.dir, "two.md"), note(6));
    await w.calledMoreThan(before);
  });

  test("changes that keep coming faster than the debounce still call it, within the maximum wait", async (t) => {
    const w = await watched(t, { debounceMs: 200, maxWaitMs: 400 });
    // Writes 20 ms apart would postpone a plain debounce forever; they stop only once the callback ran.
    for (let i = 0; w.calls() === 0; i++) {
      assert.ok(i < 2000, "the callback never ran while the writes kept coming");
      await writeFile(path.join(w.dir, "busy.md"), note(i));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(w.calls(), 1);
  });

  test("with polling (bind mounts, network file systems) a change is picked up too", async (t) => {
    const w = await watched(t, { pollIntervalMs: 100 });
    await writeFile(path.join(w.dir, "polled.md"), note(7));
    await w.calledMoreThan(0);
  });
});
