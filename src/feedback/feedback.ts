/**
 * The feedback module's front door: the store in DATA_DIR with the question log and the teach records on
 * it, as the adapters use them (the terminal now; Discord's buttons, /gaps and /teach later).
 */
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { QuestionLog } from "./question-log.ts";
import { FeedbackStore } from "./store.ts";
import { TeachRecords } from "./teach.ts";

export interface Feedback {
  store: FeedbackStore;
  questions: QuestionLog;
  teach: TeachRecords;
  close(): void;
}

/** Opens the feedback database (see FeedbackStore.open: never throws; problems are logged). */
export function openFeedback(config: Pick<Config, "dataDir" | "logRetentionDays">, logger: Logger, now: () => number = Date.now): Feedback {
  const store = FeedbackStore.open({ dir: config.dataDir, retentionDays: config.logRetentionDays, logger, now });
  if (store.available) logger.info(`question log: ${store.file}, questions kept ${config.logRetentionDays} days`);
  return { store, questions: new QuestionLog(store, now), teach: new TeachRecords(store, now), close: () => store.close() };
}
