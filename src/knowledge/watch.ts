import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import { watch, type FSWatcher } from "chokidar";
import type { Logger } from "../log.ts";
import { HYGIENE_CONFIG_FILE } from "./hygiene-config.ts";
import { SYNONYMS_FILE } from "./synonyms.ts";

export interface KnowledgeWatcher {
  /** Resolves once the first look at the folder is done: changes from then on are seen (while it exists). */
  ready: Promise<void>;
  close(): void;
}

export interface WatchOptions {
  /** Quiet time after the last change before `onChange` runs: editors save in bursts. */
  debounceMs?: number;
  /** Longest wait from the first change of a burst: changes that keep coming still reload this often. */
  maxWaitMs?: number;
  /** How often to check that the folder is still there and readable, and, while it is not, whether it is back. */
  checkMs?: number;
  /** Poll the files at this interval instead of using file-system events (bind mounts, network file systems). */
  pollIntervalMs?: number | undefined;
  logger: Logger;
}

/** Hidden files and folders (like the index snapshot the bot writes itself) and node_modules are not knowledge; the settings files `.hygiene.json` and `.synonyms.txt` are. */
function ignoredIn(dir: string): (file: string) => boolean {
  return (file) => {
    const relative = path.relative(dir, file);
    if (relative === "" || relative === HYGIENE_CONFIG_FILE || relative === SYNONYMS_FILE) return false;
    return relative.split(path.sep).some((part) => part.startsWith(".") || part === "node_modules");
  };
}

/** The folder's identity when it can be watched, or why it cannot. */
async function probe(dir: string): Promise<{ id: string } | { reason: string }> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) return { reason: "not a folder" };
    await access(dir, constants.R_OK | constants.X_OK);
    return { id: `${info.dev}:${info.ino}` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { reason: code === "ENOENT" ? "not found" : code === "EACCES" || code === "EPERM" ? "not readable" : (error as Error).message };
  }
}

/**
 * Calls `onChange` once a burst of changes under `dir` has settled, or `maxWaitMs` after it began. Uses
 * chokidar (file-system events, or polling with `pollIntervalMs`). The folder itself is checked every
 * `checkMs`: when it is deleted, moved away or made unreadable, that is logged and watching stops; when it
 * is back (or replaced by another folder at the same path), that is logged, watching starts again and
 * `onChange` runs, since whatever is there now should be loaded.
 */
export function watchKnowledge(dir: string, onChange: () => void, options: WatchOptions): KnowledgeWatcher {
  const { logger } = options;
  const debounceMs = options.debounceMs ?? 300;
  const maxWaitMs = options.maxWaitMs ?? 2000;
  const checkMs = options.checkMs ?? 2000;
  let watcher: FSWatcher | undefined;
  /** The folder being watched (device and inode), or undefined while it is gone. */
  let watching: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let burstStarted: number | undefined;
  let closed = false;
  let gone = false;

  const fire = () => {
    timer = undefined;
    burstStarted = undefined;
    if (!closed) onChange();
  };
  const schedule = () => {
    const now = performance.now();
    burstStarted ??= now;
    clearTimeout(timer);
    timer = setTimeout(fire, Math.max(0, Math.min(debounceMs, burstStarted + maxWaitMs - now)));
  };

  const stop = () => {
    void watcher?.close();
    watcher = undefined;
    watching = undefined;
  };

  const start = (id: string): Promise<void> => {
    watching = id;
    const started = watch(dir, {
      ignoreInitial: true,
      ignored: ignoredIn(dir),
      usePolling: options.pollIntervalMs !== undefined,
      ...(options.pollIntervalMs !== undefined ? { interval: options.pollIntervalMs, binaryInterval: options.pollIntervalMs } : {}),
    });
    watcher = started;
    started.on("all", schedule);
    started.on("error", (error) => logger.warn(`knowledge: while watching ${dir}: ${error instanceof Error ? error.message : String(error)}`));
    return new Promise((resolve) => started.once("ready", resolve));
  };

  const check = async () => {
    const found = await probe(dir);
    if (closed) return;
    if ("reason" in found) {
      if (watching !== undefined || !gone) logger.warn(`knowledge: ${dir} is ${found.reason}; still answering from the last good knowledge, and watching for the folder to come back`);
      gone = true;
      stop();
    } else if (found.id !== watching) {
      const again = gone || watching !== undefined;
      if (again) logger.info(`knowledge: ${dir} is ${gone ? "back" : "another folder now"}; watching it again and reloading`);
      stop();
      gone = false;
      const started = start(found.id);
      if (again) schedule();
      await started;
    }
  };

  let checking: NodeJS.Timeout | undefined;
  const loop = () => {
    checking = setTimeout(() => void check().finally(() => closed || loop()), checkMs);
    // Watching must not keep a finished process alive; chokidar's own handles do that while it watches.
    checking.unref();
  };
  const ready = check().finally(() => closed || loop());

  return {
    ready,
    close() {
      closed = true;
      clearTimeout(timer);
      clearTimeout(checking);
      stop();
    },
  };
}
