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

/** Inline code, links, addresses and HTML comments: never split, never read as words or as debris. */
export function protectedRanges(text: string): Range[] {
  const ranges: Range[] = [];
  const patterns: RegExp[] = [];
  // Cheap tests first: most sentences have none of these, and the regexes cost more than the scan.
  if (text.includes("`")) patterns.push(/`[^`\n]+`/g);
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
