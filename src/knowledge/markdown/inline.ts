import type { Token } from "markdown-it";
import { collapseSpaces } from "../normalize.ts";
import { literalTemplates } from "./code.ts";
import { inlineHtml } from "./components.ts";

/** Inline code as passage text: in backticks, a longer run when the code holds backticks; never escaped. */
export function inlineCode(code: string): string {
  const clean = literalTemplates(code);
  if (!clean.includes("`")) return "`" + clean + "`";
  const longest = Math.max(...(clean.match(/`+/g) ?? [""]).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  return `${fence} ${clean} ${fence}`;
}

/**
 * Plain text of inline tokens for display, with "\n" where the source had a line break: inline code
 * keeps its backticks; emphasis, links, images and inline HTML lose their syntax. Emphasised text is
 * also collected into `emphasis`: authors mark the terms they define that way.
 */
export function inlineText(tokens: readonly Token[] | null, emphasis?: string[]): string {
  if (!tokens) return "";
  let out = "";
  const open: number[] = [];
  for (const t of tokens) {
    switch (t.type) {
      case "text":
        out += t.content;
        break;
      case "code_inline":
        out += inlineCode(t.content);
        break;
      case "softbreak":
      case "hardbreak":
        out += "\n";
        break;
      case "em_open":
      case "strong_open":
      case "mark_open":
        open.push(out.length);
        break;
      case "em_close":
      case "strong_close":
      case "mark_close": {
        const start = open.pop();
        const inner = start === undefined ? "" : collapseSpaces(out.slice(start).replace(/\n/g, " "));
        if (emphasis && inner && inner.length <= 60) emphasis.push(inner);
        break;
      }
      case "image":
        // The alt text is not shown, but its line breaks still count for line numbers.
        out += "\n".repeat(t.children?.filter((c) => c.type === "softbreak").length ?? 0);
        break;
      case "html_inline":
        out += inlineHtml(t.content);
        break;
      default:
        // Links keep their text (the tokens between link_open and link_close); embeds are handled by the walker.
        break;
    }
  }
  return out;
}
