/**
 * HTML pages (.html, .htm), such as a saved news article or an exported docs page. The main content is
 * found by Mozilla's Readability (Firefox Reader View) over a linkedom document, which leaves out the
 * page chrome: navigation, footers, cookie banners, share bars, related links. What it keeps becomes
 * blocks like Markdown's (html-blocks.ts). The title is the page's `og:title`, else its `<title>` (without
 * a site name after a separator, as Readability reads it); the
 * link is its `<link rel="canonical">`, else `og:url`, when that is an http(s) URL.
 *
 * linkedom rather than jsdom: a DOM complete enough for Readability at a fraction of the size and load
 * time (jsdom brings dozens of packages); both Readability and linkedom run on Node 20 and are kept up.
 */
// linkedom and Readability are typed against the DOM's lib, which this Node project leaves out, so their
// documents are unresolved types to the type-aware rules.
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unnecessary-type-assertion */
import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import type { ParsedDocument } from "./blocks.ts";
import { DocumentBuilder } from "./document-builder.ts";
import { htmlEvents } from "./html-blocks.ts";
import { collapseSpaces, titleFromPath } from "./normalize.ts";

function httpUrl(value: string | null | undefined): string | undefined {
  if (!value?.trim()) return undefined;
  try {
    const url = new URL(value.trim());
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Line numbers for blocks: where the block's first words occur in the page source, searching on from the previous block. */
function lineFinder(source: string): (text: string) => number {
  const lineStarts = [0];
  for (let i = source.indexOf("\n"); i >= 0; i = source.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  let from = 0;
  let line = 1;
  return (text) => {
    const words = text.replace(/^```.*\n/, "").replace(/^[-|\d.\s]+/, "").match(/[\p{L}\p{N}]+/gu)?.slice(0, 3);
    if (words?.length) {
      const pattern = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[^\\p{L}\\p{N}]+"), "gu");
      pattern.lastIndex = from;
      const at = pattern.exec(source);
      if (at) {
        const offset = at.index;
        from = offset;
        let lo = 0;
        let hi = lineStarts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
          else hi = mid - 1;
        }
        line = lo + 1;
      }
    }
    return line;
  };
}

export function parseHtml(source: string, path: string): ParsedDocument {
  const { document } = parseHTML(source);
  const meta = (property: string) => document.querySelector(`meta[property="${property}"], meta[name="${property}"]`)?.getAttribute("content");
  const ogTitle = meta("og:title");
  const url = httpUrl(document.querySelector('link[rel="canonical"]')?.getAttribute("href")) ?? httpUrl(meta("og:url"));
  // Readability changes the document it reads; the metadata above is taken first.
  const article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], { keepClasses: true, charThreshold: 0 }).parse();
  // Without og:title, Readability's reading of <title> drops a site name after a separator ("Lamp manual | Keepers").
  const title = collapseSpaces(ogTitle ?? article?.title ?? "").replace(/\n/g, " ") || undefined;
  // A fragment, or a page Readability finds no article in, is read whole (its head, scripts and navigation still show nothing).
  const content = article?.textContent?.trim() && article.content ? article.content : source;

  const builder = new DocumentBuilder();
  const lineOf = lineFinder(source);
  let shownTitle = title;
  for (const e of htmlEvents(content)) {
    if (e.type === "heading") {
      // The article's own headline repeats the page title (Readability turns it into an <h2>).
      if (!builder.blocks.length && !builder.sections.length && (shownTitle === undefined || e.text === shownTitle)) {
        shownTitle ??= e.text;
        builder.titleHeading(e.text);
      } else builder.heading(e.depth, e.text);
    } else if (e.type === "block") builder.add(e.kind, e.text, lineOf(e.text), [0], e.emphasis);
    else if (e.type === "open") builder.open({ ...e.meta, tag: e.tag });
    else builder.close(e.tag);
  }
  return { title: shownTitle ?? titleFromPath(path), ...(url ? { url } : {}), frontMatter: {}, sections: builder.sections, blocks: builder.blocks };
}
