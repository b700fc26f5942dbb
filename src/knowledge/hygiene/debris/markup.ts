/** HTML and CMS markup left in prose by a scraper: tags, attributes, entities, shortcodes. */
import type { Range } from "../types.ts";
import { matchRanges, type TextDetector } from "./detector.ts";

/** HTML element names; a stray or broken one in prose is scraping debris. */
const HTML_TAGS =
  "a|abbr|article|aside|audio|b|blockquote|br|button|center|div|em|figcaption|figure|font|footer|form|h[1-6]|header|hr|i|iframe|img|input|label|li|link|meta|nav|noscript|ol|p|path|picture|script|section|small|source|span|strong|style|sub|sup|svg|table|tbody|td|th|thead|tr|u|ul|video";
const WHOLE_TAG = new RegExp(`</?(?:${HTML_TAGS})(?:\\s[^<>]*)?/?>`, "gi");
const CUT_TAG = new RegExp(`</?(?:${HTML_TAGS})\\b[^<>]*$`, "gim");

const hasAngle = (text: string) => text.includes(">") || text.includes("<");

/** CMS shortcodes, before tags, so that their attributes are not reported one by one: `[caption id="…"]`, `[/caption]`. */
export const shortcode: TextDetector = {
  level: "text",
  id: "shortcode",
  signal: "shortcode",
  find: (text) => (text.includes("[") ? matchRanges(text, /\[\/[a-z_]+\]|\[[a-z_]+(?:\s+[\w-]+=["”][^"”\]]*["”])+\s*\]/g) : []),
};

/**
 * A whole tag left in prose. Not in Markdown: its parser takes real HTML out, so a tag still there was
 * written as text (`\<div\>`) or belongs to a component the parser does not know.
 */
export const strayTag: TextDetector = {
  level: "text",
  id: "stray-tag",
  signal: "stray HTML tag",
  formats: ["text"],
  find: (text) => (hasAngle(text) ? matchRanges(text, WHOLE_TAG) : []),
};

/** A tag the scraper cut off at the end of a line. */
export const cutTag: TextDetector = {
  level: "text",
  id: "cut-tag",
  signal: "cut-off HTML tag",
  find: (text) => (hasAngle(text) ? matchRanges(text, CUT_TAG) : []),
};

/**
 * The tail of an attribute with no `<` that opened it: `g">`, `class="x">`, `"400" />`. The quote
 * touches the `>`: with a space between, it is a quoted label in a path (`"General Information" > id`).
 */
export const brokenAttribute: TextDetector = {
  level: "text",
  id: "broken-attribute",
  signal: "broken attribute",
  *find(text): Generator<Range> {
    if (!text.includes(">")) return;
    for (const m of text.matchAll(/(?<=^|\s|[.!?,;])[^\s<>]*["”'’](?:\/?>|[ \t]+\/>)(?![=>])/g)) {
      const open = text.lastIndexOf("<", m.index);
      if (open >= 0 && text.indexOf(">", open) >= m.index) continue;
      yield { start: m.index, end: m.index + m[0].length };
    }
  },
};

/** An attribute standing in prose: `class="hero"`, `data-id='4'`. */
export const attribute: TextDetector = {
  level: "text",
  id: "attribute",
  signal: "HTML attribute",
  find: (text) => (text.includes("=") ? matchRanges(text, /\b(?:src|href|class|style|alt|width|height|data-[\w-]+)=["”'][^\s"”']*["”']?/g) : []),
};

/** Entities a scraper failed to decode: `&nbsp;`. */
export const entity: TextDetector = {
  level: "text",
  id: "entity",
  signal: "HTML entity",
  find: (text) => (text.includes("&") ? matchRanges(text, /&(?:nbsp|amp|quot|apos|lt|gt|mdash|ndash|hellip|#\d{2,5}|#x[\da-f]{2,4});/gi) : []),
};
