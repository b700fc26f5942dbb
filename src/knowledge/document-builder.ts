/**
 * Collects a parsed document's blocks and sections, for the Markdown and the HTML parsers alike: a
 * section path from the headings, anchors as GitHub and mdBook make them, and boxes (containers,
 * callouts, `<details>`, tabs) whose title leads into their first block ("Tip: …") and whose tab name
 * captions the code inside them.
 */
import type { Block } from "./blocks.ts";
import type { ContainerMeta } from "./markdown/containers.ts";
import { slugify } from "./normalize.ts";
import type { PassageKind } from "./types.ts";

interface Heading {
  depth: number;
  text: string;
  anchor: string;
}

interface Frame extends ContainerMeta {
  /** Line where it opened, for a title shown on its own. */
  line?: number;
  /** The HTML or component tag that opened it, so the matching close finds it. */
  tag?: string;
  /** A plain blockquote: its paragraphs are quotes, and its headings don't change the section. */
  quote?: boolean;
  saved?: Heading[];
}

/** A title as a lead-in: "Tip" → "Tip:", a title with its own closing punctuation as it is. */
function leadIn(titles: string[]): string {
  return titles.map((t) => (/[:.!?…]$/.test(t) ? t : `${t}:`)).join(" ");
}

export class DocumentBuilder {
  readonly blocks: Block[] = [];
  readonly sections: string[][] = [];
  private stack: Heading[] = [];
  private titleAnchor: string | undefined;
  private frames: Frame[] = [];
  private seen = new Map<string, number>();

  private anchorOf(heading: string): string {
    const base = slugify(heading);
    const count = this.seen.get(base) ?? 0;
    this.seen.set(base, count + 1);
    return count === 0 ? base : `${base}-${count}`;
  }

  /** The heading that is the document's title: not a section, but blocks before the first section link to it. */
  titleHeading(text: string): void {
    this.titleAnchor = this.anchorOf(text);
    this.stack = [];
  }

  /** A section heading; `id` is the author's own anchor for it, when the source gives one. */
  heading(depth: number, text: string, id?: string): void {
    if (!text) return;
    this.stack = this.stack.filter((h) => h.depth < depth);
    this.stack.push({ depth, text, anchor: id ?? this.anchorOf(text) });
    this.sections.push(this.stack.map((h) => h.text));
  }

  get section(): string[] {
    return this.stack.map((h) => h.text);
  }

  open(meta: ContainerMeta & { tag?: string; quote?: boolean; line?: number }): void {
    this.frames.push({ ...meta, ...(meta.quote ? { saved: this.stack } : {}) });
  }

  /**
   * Closes the innermost Markdown box (and any HTML element left open inside it), or with `tag` the
   * innermost box that tag opened; a close with nothing to close is ignored.
   */
  close(tag?: string): void {
    const at = this.frames.findLastIndex((f) => f.tag === tag);
    if (at < 0) return;
    for (const frame of this.frames.splice(at).reverse()) {
      // A titled box with nothing in it still shows its title.
      if (frame.lead && !frame.quote) this.emit("prose", frame.lead, frame.line ?? this.lastLine, [0]);
      if (frame.saved) this.stack = frame.saved;
    }
  }

  /** The name of the innermost tab, to caption code that has no name of its own. */
  get label(): string | undefined {
    return this.frames.findLast((f) => f.label)?.label;
  }

  /** Whether a paragraph here is a quotation (inside a blockquote that is not a callout). */
  get quoted(): boolean {
    return this.frames[this.frames.length - 1]?.quote ?? false;
  }

  private lastLine = 1;

  /** Adds a block; the titles of boxes it is the first block of lead into it. */
  add(kind: PassageKind, text: string, line: number, lineOffsets: number[], emphasis: string[] = []): void {
    if (!text.trim()) return;
    const titles = this.frames.filter((f) => f.lead).map((f) => f.lead as string);
    for (const f of this.frames) delete f.lead;
    if (titles.length) {
      const lead = leadIn(titles);
      if (kind === "prose" || kind === "quote") {
        const shift = lead.length + 1;
        this.emit(kind, `${lead} ${text}`, line, lineOffsets.map((o, i) => (i === 0 ? 0 : o + shift)), emphasis);
        return;
      }
      this.emit("prose", lead, line, [0]);
    }
    this.emit(kind, text, line, lineOffsets, emphasis);
  }

  private emit(kind: PassageKind, text: string, line: number, lineOffsets: number[], emphasis: string[] = []): void {
    this.lastLine = line;
    const deepest = this.stack[this.stack.length - 1];
    const anchor = deepest ? deepest.anchor : this.titleAnchor;
    const terms = [...new Set(emphasis.filter(Boolean))];
    this.blocks.push({ kind, text, line, lineOffsets, section: this.section, ...(anchor ? { anchor } : {}), ...(terms.length ? { emphasis: terms } : {}) });
  }
}
