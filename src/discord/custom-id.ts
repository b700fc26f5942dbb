/**
 * Button and modal custom ids. Buttons must keep working after a restart, so everything a press needs
 * travels in the id itself (what to show, who asked, which logged question it answers) or in the message
 * the button sits on (the question, in the embed footer; see `format.ts`). Nothing is kept in memory.
 */
import { LIMITS } from "./limits.ts";

export type ButtonAction =
  /** Show the page of results starting at `offset` (0-based) for the message's question. */
  | { kind: "page"; offset: number; askerId: string; logId?: number | undefined }
  /** Show the whole passage `key`; `offset` is the page it was listed on, for "Back to results". */
  | { kind: "full"; key: string; offset: number; askerId: string; logId?: number | undefined }
  /** 👍 or 👎 on the answer to logged question `logId`. */
  | { kind: "vote"; vote: "up" | "down"; logId: number }
  /** "Tell us what you were looking for": opens the feedback modal for logged question `logId`. */
  | { kind: "tell"; logId: number };

// A prefix of our own, so presses on buttons of other (older or foreign) formats are recognised as stale.
const PREFIX = "kb1";
const SNOWFLAKE = /^\d{1,20}$/;
const PASSAGE_KEY = /^[A-Za-z0-9_-]{1,16}$/;
const LOG_ID = /^[1-9]\d{0,14}$/;
const MAX_OFFSET = 10_000;

function checkLogId(logId: number | undefined): void {
  if (logId !== undefined && !LOG_ID.test(String(logId))) throw new Error(`encodeButton: logId ${logId} is not a whole number from 1 to 15 digits`);
}

/** The paging buttons carry the logged question too, so the vote buttons survive paging and "Full passage". */
const logSuffix = (logId: number | undefined) => (logId === undefined ? "" : `:${logId}`);

export function encodeButton(action: ButtonAction): string {
  checkLogId(action.logId);
  let id: string;
  if (action.kind === "vote") id = `${PREFIX}:vote:${action.vote}:${action.logId}`;
  else if (action.kind === "tell") id = `${PREFIX}:tell:${action.logId}`;
  else {
    if (!SNOWFLAKE.test(action.askerId)) throw new Error(`encodeButton: askerId ${JSON.stringify(action.askerId)} is not a Discord id`);
    if (!Number.isSafeInteger(action.offset) || action.offset < 0 || action.offset > MAX_OFFSET) {
      throw new Error(`encodeButton: offset ${action.offset} is not a whole number from 0 to ${MAX_OFFSET}`);
    }
    if (action.kind === "page") {
      id = `${PREFIX}:page:${action.offset}:${action.askerId}${logSuffix(action.logId)}`;
    } else {
      if (!PASSAGE_KEY.test(action.key)) throw new Error(`encodeButton: passage key ${JSON.stringify(action.key)} is not 1-16 of [A-Za-z0-9_-]`);
      id = `${PREFIX}:full:${action.offset}:${action.key}:${action.askerId}${logSuffix(action.logId)}`;
    }
  }
  // Cannot happen with the checks above (at most 3+5+5+16+20+15+5 chars); kept as the contract's guard.
  if (id.length > LIMITS.customId) throw new Error(`encodeButton: custom id is ${id.length} > ${LIMITS.customId} chars`);
  return id;
}

function logIdOf(part: string | undefined): number | undefined {
  return part !== undefined && LOG_ID.test(part) ? Number(part) : undefined;
}

/** The action of a custom id made by `encodeButton`, or undefined for anything else. */
export function decodeButton(customId: string): ButtonAction | undefined {
  const parts = customId.split(":");
  if (parts[0] !== PREFIX) return undefined;
  if (parts[1] === "vote" && parts.length === 4) {
    const logId = logIdOf(parts[3]);
    return logId !== undefined && (parts[2] === "up" || parts[2] === "down") ? { kind: "vote", vote: parts[2], logId } : undefined;
  }
  if (parts[1] === "tell" && parts.length === 3) {
    const logId = logIdOf(parts[2]);
    return logId === undefined ? undefined : { kind: "tell", logId };
  }
  const offset = Number(parts[2]);
  if (!/^\d{1,5}$/.test(parts[2] ?? "") || offset > MAX_OFFSET) return undefined;
  // The logged question's id is optional: buttons sent while the log was off have none.
  const optionalLogId = (at: number): { ok: boolean; logId?: number } => {
    if (parts.length === at) return { ok: true };
    const logId = parts.length === at + 1 ? logIdOf(parts[at]) : undefined;
    return logId === undefined ? { ok: false } : { ok: true, logId };
  };
  if (parts[1] === "page") {
    const askerId = parts[3] ?? "";
    const log = optionalLogId(4);
    return log.ok && SNOWFLAKE.test(askerId) ? { kind: "page", offset, askerId, ...(log.logId ? { logId: log.logId } : {}) } : undefined;
  }
  if (parts[1] === "full") {
    const key = parts[3] ?? "";
    const askerId = parts[4] ?? "";
    const log = optionalLogId(5);
    return log.ok && PASSAGE_KEY.test(key) && SNOWFLAKE.test(askerId)
      ? { kind: "full", key, offset, askerId, ...(log.logId ? { logId: log.logId } : {}) }
      : undefined;
  }
  return undefined;
}

/** The feedback modal's custom id: the logged question it is about. */
export function encodeFeedbackModal(logId: number): string {
  checkLogId(logId);
  return `${PREFIX}:told:${logId}`;
}

export function decodeFeedbackModal(customId: string): number | undefined {
  const parts = customId.split(":");
  return parts.length === 3 && parts[0] === PREFIX && parts[1] === "told" ? logIdOf(parts[2]) : undefined;
}
