/**
 * HTML elements as passage blocks, for HTML pages and for HTML blocks inside Markdown: paragraphs become
 * prose, `<pre>` code (in the passage fence grammar), lists "- " lines, tables "| a | b |" rows,
 * `<h1>`–`<h6>` section headings, `<blockquote>` quotes and `<details>` a box titled by its `<summary>`.
 * Inline elements keep their text (`<code>` in backticks); scripts, styles, forms and media show none.
 * Streams through htmlparser2, so an element left open (Markdown splits `<details>` around its
 * Markdown content) still gives what it holds, and its close may come in a later block.
 */
import { Parser } from "htmlparser2";
import type { ContainerMeta } from "./markdown/containers.ts";
import { codeBlockText } from "./fence.ts";
import type { PassageKind } from "./types.ts";

export type HtmlEvent =
  | { type: "block"; kind: PassageKind; text: string; offset: number; emphasis: string[] }
  | { type: "heading"; depth: number; text: string; offset: number }
  | { type: "open"; meta: ContainerMeta; tag: string; offset: number }
  | { type: "close"; tag: string };

/** Elements whose content a reader never sees as text. */
const HIDDEN = new Set(["script", "style", "noscript", "template", "svg", "math", "button", "select", "option", "textarea", "input", "iframe", "object", "canvas", "video", "audio", "head", "title", "nav", "form"]);
/** Elements that end a paragraph. */
const BLOCK = new Set(["p", "div", "section", "article", "main", "header", "footer", "aside", "figure", "figcaption", "address", "dl", "dt", "dd", "hr", "center", "fieldset", "caption", "body", "html", "summary"]);
const EMPHASIS = new Set(["strong", "b", "em", "i", "mark"]);

export interface HtmlOptions {
  /** Renders a run of text as passage text; Markdown passes its own inline syntax (links, template tags) through it. */
  inline?: (text: string) => string;
}

const collapse = (text: string) => text.replace(/\s+/g, " ").trim();

/** The events of an HTML fragment or page, in document order; offsets are into `html`. */
export function htmlEvents(html: string, options: HtmlOptions = {}): HtmlEvent[] {
  const inline = options.inline ?? ((t: string) => t);
  const events: HtmlEvent[] = [];
  let hidden = 0;
  let quote = 0;
  let text = "";
  let textAt = -1;
  let emphasis: string[] = [];
  const marks: number[] = [];
  let heading: { depth: number; offset: number } | undefined;
  let pre: { text: string; lang: string; offset: number } | undefined;
  const lists: { ordered: boolean; next: number }[] = [];
  let listLines: string[] = [];
  let listAt = 0;
  let table: { rows: string[][]; offset: number } | undefined;
  let cell: string[] | undefined;
  const details: { open: boolean; offset: number }[] = [];
  let summary = false;

  const takeText = (): string => {
    const out = collapse(inline(collapse(text)));
    text = "";
    textAt = -1;
    return out;
  };
  const flush = () => {
    if (!text.trim()) {
      text = "";
      return;
    }
    const offset = textAt;
    const shown = takeText();
    if (!shown) return;
    if (cell) cell.push(shown);
    else if (lists.length) {
      const last = listLines.length - 1;
      if (last >= 0 && /^\s*(?:-|\d+\.) $/.test(listLines[last] ?? "")) listLines[last] += shown;
      else listLines.push("  ".repeat(lists.length) + shown);
    } else {
      events.push({ type: "block", kind: quote ? "quote" : "prose", text: shown, offset, emphasis });
      emphasis = [];
    }
  };

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        const at = parser.startIndex;
        if (hidden || HIDDEN.has(name)) {
          hidden++;
          return;
        }
        if (pre) {
          if (name === "br") pre.text += "\n";
          else if (name === "code" && !pre.lang) pre.lang = /(?:language|lang)-([\w+#.-]+)/.exec(attribs.class ?? "")?.[1] ?? "";
          return;
        }
        if (/^h[1-6]$/.test(name)) {
          flush();
          heading = { depth: Number(name[1]), offset: at };
        } else if (name === "pre") {
          flush();
          pre = { text: "", lang: /(?:language|lang)-([\w+#.-]+)/.exec(attribs.class ?? "")?.[1] ?? "", offset: at };
        } else if (name === "ul" || name === "ol") {
          flush();
          if (!lists.length) {
            listLines = [];
            listAt = at;
          }
          lists.push({ ordered: name === "ol", next: Number(attribs.start ?? 1) || 1 });
        } else if (name === "li") {
          flush();
          const list = lists[lists.length - 1];
          const marker = list?.ordered ? `${list.next++}.` : "-";
          listLines.push(`${"  ".repeat(Math.max(0, lists.length - 1))}${marker} `);
        } else if (name === "table") {
          flush();
          table = { rows: [], offset: at };
        } else if (name === "tr") table?.rows.push([]);
        else if ((name === "td" || name === "th") && table) {
          flush();
          cell = [];
        } else if (name === "blockquote") {
          flush();
          quote++;
        } else if (name === "details") {
          flush();
          details.push({ open: false, offset: at });
        } else if (name === "summary") {
          flush();
          summary = true;
        } else if (name === "br") text += " ";
        else if (name === "code" || name === "kbd") {
          if (name === "code") text += "`";
        } else if (EMPHASIS.has(name)) marks.push(text.length);
        else if (BLOCK.has(name)) flush();
      },
      ontext(data) {
        if (hidden) return;
        if (pre) {
          pre.text += data;
          return;
        }
        if (textAt < 0 && data.trim()) textAt = parser.startIndex;
        text += data;
      },
      onclosetag(name, implied) {
        if (hidden) {
          hidden--;
          return;
        }
        if (pre) {
          if (name !== "pre") return;
          const code = codeBlockText(pre.text.replace(/^\n/, ""), pre.lang);
          if (code) events.push({ type: "block", kind: "code", text: code, offset: pre.offset, emphasis: [] });
          pre = undefined;
          return;
        }
        if (/^h[1-6]$/.test(name) && heading) {
          const shown = takeText();
          if (shown) events.push({ type: "heading", depth: heading.depth, text: shown, offset: heading.offset });
          heading = undefined;
        } else if (name === "ul" || name === "ol") {
          flush();
          lists.pop();
          if (!lists.length) {
            const lines = listLines.filter((l) => !/^\s*(?:-|\d+\.) $/.test(l));
            if (lines.length) events.push({ type: "block", kind: "list", text: lines.map((l) => l.trimEnd()).join("\n"), offset: listAt, emphasis });
            emphasis = [];
            listLines = [];
          }
        } else if (name === "li") flush();
        else if ((name === "td" || name === "th") && cell) {
          const shown = [...cell, takeText()].filter(Boolean).join(" ");
          table?.rows[table.rows.length - 1]?.push(shown.replace(/\|/g, "\\|"));
          cell = undefined;
        } else if (name === "table" && table) {
          const rows = table.rows.filter((r) => r.length);
          if (rows.length) {
            const width = Math.max(...rows.map((r) => r.length));
            const lines = rows.map((r) => "| " + [...r, ...new Array<string>(width - r.length).fill("")].join(" | ") + " |");
            lines.splice(1, 0, "|" + " --- |".repeat(width));
            events.push({ type: "block", kind: "table", text: lines.join("\n"), offset: table.offset, emphasis: [] });
          }
          table = undefined;
        } else if (name === "blockquote") {
          flush();
          quote = Math.max(0, quote - 1);
        } else if (name === "summary" && summary) {
          summary = false;
          const lead = takeText();
          const open = details[details.length - 1];
          if (open && !open.open) {
            open.open = true;
            events.push({ type: "open", meta: lead ? { lead } : {}, tag: "details", offset: open.offset });
          }
        } else if (name === "details") {
          // Closed only because the fragment ended: Markdown splits a details element around its Markdown content.
          if (implied) return;
          flush();
          const open = details.pop();
          if (!open || open.open) events.push({ type: "close", tag: "details" });
        } else if (name === "code") text += "`";
        else if (EMPHASIS.has(name)) {
          const start = marks.pop();
          const term = start === undefined ? "" : collapse(text.slice(start));
          if (term && term.length <= 60) emphasis.push(term);
        } else if (BLOCK.has(name)) flush();
      },
    },
    { decodeEntities: true, recognizeSelfClosing: true },
  );
  parser.end(html);
  flush();
  if (lists.length) {
    const lines = listLines.filter((l) => !/^\s*(?:-|\d+\.) $/.test(l));
    if (lines.length) events.push({ type: "block", kind: "list", text: lines.map((l) => l.trimEnd()).join("\n"), offset: listAt, emphasis });
  }
  return events;
}
