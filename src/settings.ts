/**
 * The one reading of on/off settings, for every place they come from: the environment and `.env`
 * (config.ts), Markdown front matter and `.hygiene.json` (the hygiene check). Each accepts the same
 * spellings, in any case and with spaces around them, and YAML or JSON booleans and 0/1 numbers as well.
 */

const TRUE = ["true", "yes", "on", "1"];
const FALSE = ["false", "no", "off", "0"];

/** The spellings, for messages and documentation. */
export const BOOLEAN_SPELLINGS = `${TRUE.join("/")} or ${FALSE.join("/")}`;

/** true or false for any accepted spelling, undefined for anything else. */
export function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === 0 || value === 1) return value === 1;
  if (typeof value !== "string") return undefined;
  const lower = value.trim().toLowerCase();
  if (TRUE.includes(lower)) return true;
  if (FALSE.includes(lower)) return false;
  return undefined;
}

/** The message for a value that is no accepted spelling: `${prefix}: Expected ${name} to be true or false, got "sometimes"`. */
export function booleanError(prefix: string, name: string, value: unknown): string {
  return `${prefix}: Expected ${name} to be true or false, got ${JSON.stringify(value)}`;
}
