/**
 * Button custom ids. Buttons must keep working after a restart, so everything a press needs travels in the
 * id itself (what to show, and who asked) or in the message the button sits on (the question, in the embed
 * footer; see `format.ts`). Nothing is kept in memory.
 */
import { LIMITS } from "./limits.ts";

export type ButtonAction =
  /** Show the page of results starting at `offset` (0-based) for the message's question. */
  | { kind: "page"; offset: number; askerId: string }
  /** Show the whole passage `key`; `offset` is the page it was listed on, for "Back to results". */
  | { kind: "full"; key: string; offset: number; askerId: string };

// A prefix of our own, so presses on buttons of other (older or foreign) formats are recognised as stale.
const PREFIX = "kb1";
const SNOWFLAKE = /^\d{1,20}$/;
const PASSAGE_KEY = /^[A-Za-z0-9_-]{1,16}$/;
const MAX_OFFSET = 10_000;

export function encodeButton(action: ButtonAction): string {
  if (!SNOWFLAKE.test(action.askerId)) throw new Error(`encodeButton: askerId ${JSON.stringify(action.askerId)} is not a Discord id`);
  if (!Number.isSafeInteger(action.offset) || action.offset < 0 || action.offset > MAX_OFFSET) {
    throw new Error(`encodeButton: offset ${action.offset} is not a whole number from 0 to ${MAX_OFFSET}`);
  }
  let id: string;
  if (action.kind === "page") {
    id = `${PREFIX}:page:${action.offset}:${action.askerId}`;
  } else {
    if (!PASSAGE_KEY.test(action.key)) throw new Error(`encodeButton: passage key ${JSON.stringify(action.key)} is not 1-16 of [A-Za-z0-9_-]`);
    id = `${PREFIX}:full:${action.offset}:${action.key}:${action.askerId}`;
  }
  // Cannot happen with the checks above (at most 3+5+5+16+20+4 chars); kept as the contract's guard.
  if (id.length > LIMITS.customId) throw new Error(`encodeButton: custom id is ${id.length} > ${LIMITS.customId} chars`);
  return id;
}

/** The action of a custom id made by `encodeButton`, or undefined for anything else. */
export function decodeButton(customId: string): ButtonAction | undefined {
  const parts = customId.split(":");
  if (parts[0] !== PREFIX) return undefined;
  const offset = Number(parts[2]);
  if (!/^\d{1,5}$/.test(parts[2] ?? "") || offset > MAX_OFFSET) return undefined;
  if (parts[1] === "page" && parts.length === 4) {
    const askerId = parts[3] ?? "";
    return SNOWFLAKE.test(askerId) ? { kind: "page", offset, askerId } : undefined;
  }
  if (parts[1] === "full" && parts.length === 5) {
    const key = parts[3] ?? "";
    const askerId = parts[4] ?? "";
    return PASSAGE_KEY.test(key) && SNOWFLAKE.test(askerId) ? { kind: "full", key, offset, askerId } : undefined;
  }
  return undefined;
}
