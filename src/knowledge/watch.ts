import { watch, type FSWatcher } from "node:fs";
import type { Logger } from "../log.ts";
import { HYGIENE_CONFIG_FILE } from "./hygiene-config.ts";

export interface KnowledgeWatcher {
  close(): void;
}

export interface WatchOptions {
  /** Quiet time after the last change before `onChange` runs: editors save in bursts. */
  debounceMs?: number;
  /** How long to wait before watching again after the folder went away. */
  retryMs?: number;
  logger: Logger;
}

/**
 * Calls `onChange` once a burst of changes under `dir` has settled. Hidden files (like the index
 * snapshot the bot writes itself) are ignored, except the folder's `.hygiene.json` settings. If the folder disappears, watching resumes once it is back.
 */
export function watchKnowledge(dir: string, onChange: () => void, options: WatchOptions): KnowledgeWatcher {
  const debounceMs = options.debounceMs ?? 300;
  const retryMs = options.retryMs ?? 2000;
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;

  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) onChange();
    }, debounceMs);
  };

  const start = () => {
    if (closed) return;
    try {
      watcher = watch(dir, { recursive: true, persistent: true }, (_event, filename) => {
        const name = filename?.toString() ?? "";
        if (name !== HYGIENE_CONFIG_FILE && name.split(/[\\/]/).some((part) => part.startsWith("."))) return;
        schedule();
      });
      watcher.on("error", (error) => {
        options.logger.warn(`knowledge: stopped watching ${dir}: ${error.message}; retrying`);
        watcher?.close();
        watcher = undefined;
        schedule();
        retry = setTimeout(start, retryMs);
      });
    } catch (error) {
      options.logger.warn(`knowledge: cannot watch ${dir}: ${(error as Error).message}; retrying in ${retryMs} ms`);
      retry = setTimeout(() => {
        start();
        // It came back: whatever is there now should be loaded.
        if (watcher) schedule();
      }, retryMs);
    }
  };
  start();

  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (retry) clearTimeout(retry);
      watcher?.close();
    },
  };
}
