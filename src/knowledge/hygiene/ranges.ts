/** Offsets in a block's text: ranges, a fast set of them, and the stretches no rule may look inside. */
import type { Range } from "./types.ts";

export function overlaps(ranges: Range[], start: number, end: number): boolean {
  for (const range of ranges) if (range.start < end && start < range.end) return true;
  return false;
}

/** Sorted, possibly overlapping ranges with a fast membership test (binary search over merged ranges). */
export class RangeSet {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  constructor(ranges: Range[]) {
    for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
      const last = this.ends.length - 1;
      if (last >= 0 && r.start <= this.ends[last]!) this.ends[last] = Math.max(this.ends[last]!, r.end);
      else {
        this.starts.push(r.start);
        this.ends.push(r.end);
      }
    }
  }
  has(at: number): boolean {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! > at) hi = mid - 1;
      else if (this.ends[mid]! <= at) lo = mid + 1;
      else return true;
    }
    return false;
  }
}

export const NO_RANGES = new RangeSet([]);

/** One attribute of an attribute list or a tag: `#id`, `.class`, `key=value`, `key="value"`. */
const ATTRIBUTE = String.raw`(?:[#.][\w-]+|[\w:-]+=(?:"[^"\n]*"|'[^'\n]*'|[^\s}]+))`;
/** `{ #id .class width="300" }`, `{: .note }`: attribute lists of Markdown dialects (kramdown, Pandoc, MkDocs). */
const ATTRIBUTE_LIST = new RegExp(String.raw`\{:?[ \t]*${ATTRIBUTE}(?:[ \t]+${ATTRIBUTE})*[ \t]*\}`, "g");

/**
 * Inline code, links, addresses, HTML comments, and the markup of documentation dialects (template
 * tags, attribute lists, wikilinks, components with JSX expressions): never split, never read as
 * words or as debris. What an author wrote as markup is no scraping accident.
 */
export function protectedRanges(text: string): Range[] {
  const ranges: Range[] = [];
  const patterns: RegExp[] = [];
  // Cheap tests first: most sentences have none of these, and the regexes cost more than the scan.
  // A code span closes with a run of as many backticks as opened it (CommonMark): `` `code` `` is one span.
  if (text.includes("`")) patterns.push(/(?<!`)(`+)(?!`)[^\n]*?(?<!`)\1(?!`)/g);
  // Template tags: Hugo `{{< figure … >}}` and `{{% … %}}`, Liquid and Jinja `{% … %}`, `{{ value }}`.
  // A shortcode whose close the parser dropped runs to the end of the block.
  if (text.includes("{{") || text.includes("{%")) patterns.push(/\{\{[\s\S]{0,2000}?\}\}|\{%[\s\S]{0,2000}?%\}|\{\{[<%][\s\S]{0,2000}$|\{%[\s\S]{0,2000}$/g);
  // File paths: `/etc/portage/package.use/hugo`, `./src/main.rs`, `~/.config/app`.
  if (text.includes("/")) patterns.push(/(?<![\w./"'=])(?:~|\.{1,2})?\/[\w.@-]+(?:\/[\w.@-]*)+/g);
  if (text.includes("{")) patterns.push(ATTRIBUTE_LIST);
  // A component with a JSX expression in it: `<img width="300" style={{margin: 0}} />`.
  if (text.includes("={")) patterns.push(/<\/?[A-Za-z][\w.:-]*\s[^<>]*?=\{[^<>]*>/g);
  // Wikilinks and embeds: `[[Frequently asked questions]]`, `![[diagram.png]]`.
  if (text.includes("[[")) patterns.push(/!?\[\[[^\]\n]+\]\]/g);
  if (text.includes("://") || text.includes("www.") || text.includes("@")) patterns.push(/\bhttps?:\/\/\S+|\bwww\.\S+|[\w.+-]+@[\w-]+\.[\w.]+/g);
  if (text.includes("<!--")) patterns.push(/<!--[\s\S]*?-->/g);
  // Addresses written without a scheme ("deno.land/x", "eemeli.org/yaml"): a known or two-letter top-level domain.
  if (text.includes("/")) patterns.push(/\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|dev|app|land|js|edu|gov|info|xyz|sh|rs|ai|[a-z]{2})\/[^\s)\]]*/g);
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) ranges.push({ start: m.index, end: m.index + m[0].length });
  return ranges;
}

/** Quoted stretches (curly pairs, straight pairs); dialogue lives there, and so do quoted titles. */
export function quoteRanges(text: string, guarded: RangeSet): Range[] {
  const ranges: Range[] = [];
  let curly = -1;
  let straight = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "“") curly = i;
    else if (c === "”" && curly >= 0) {
      ranges.push({ start: curly, end: i + 1 });
      curly = -1;
    } else if (c === '"' && !guarded.has(i)) {
      if (straight < 0) straight = i;
      else {
        ranges.push({ start: straight, end: i + 1 });
        straight = -1;
      }
    }
  }
  // A paragraph that opens a quotation and never closes it: news goes on quoting in the next paragraph.
  if ((curly === 0 || straight === 0) && /^["“]\p{Lu}/u.test(text)) ranges.push({ start: 0, end: text.length });
  return ranges;
}

export function trimRange(text: string, start: number, end: number): Range | undefined {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return end > start ? { start, end } : undefined;
}
