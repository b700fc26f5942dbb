/** File-path and format fragments glued to prose by a broken scrape. */
import { matchRanges, type TextDetector } from "./detector.ts";

/**
 * A path or format fragment glued to the end of a sentence: `eyes.rmat/jp`. The word before the full
 * stop is a plain word; in `_config.yml/collections` it is part of a file name, and `llms.txt/llms-full.txt`
 * ends in one.
 */
export const pathFragment: TextDetector = {
  level: "text",
  id: "path-fragment",
  signal: "path fragment",
  // A path going on to a file name (`llms.txt/llms-full.txt`) is one an author wrote.
  find: (text) => (text.includes("/") ? matchRanges(text, /(?<=(?:^|[\s("“])\p{Ll}+[.!?])[\w-]*\/[\w/-]*(?![\w./-])/gu) : []),
};
