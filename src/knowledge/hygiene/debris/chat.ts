/** A chat log pasted into prose. */
import { matchRanges, type TextDetector } from "./detector.ts";

/** A line of a chat log: optional timestamp, then a nick in angle brackets: `[21:47] <nick> lol`. */
const CHAT_LINE = /(?<=^|\n)[ \t]*(?:\[\d{1,2}:\d{2}(?::\d{2})?\][ \t]*|\d{1,2}:\d{2}(?::\d{2})?[ \t]+)<[\w.|^@-]{1,32}>[^\n]*/g;

export const chatLine: TextDetector = {
  level: "text",
  id: "chat-line",
  signal: "chat log line",
  find: (text) => (text.includes("<") ? matchRanges(text, CHAT_LINE) : []),
};
