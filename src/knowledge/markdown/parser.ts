/**
 * The Markdown parser: markdown-it (CommonMark, GFM tables and strikethrough, a token stream with line
 * maps, tens of MB/s) with the dialects of the documentation tools people export from.
 */
import MarkdownIt from "markdown-it";
import type { MarkdownIt as Parser, Token } from "markdown-it";
import { componentLine, jsxTag, mdxExpression } from "./components.ts";
import { containersPlugin } from "./containers.ts";
import { inlineText } from "./inline.ts";
import { mystPlugin } from "./myst.ts";
import { obsidianPlugin } from "./obsidian.ts";
import { templatingPlugin } from "./templating.ts";

function create(mdx: boolean): Parser {
  // HTML is recognised so that it can be read for its text rather than shown as markup.
  const md = new MarkdownIt("default", { html: true, linkify: false, typographer: false });
  // MDX has no indented code: indentation there nests JSX.
  if (mdx) {
    md.disable("code");
    md.inline.ruler.before("text", "mdx_expression", mdxExpression);
    md.block.ruler.before("html_block", "component_line", componentLine, { alt: ["paragraph", "reference", "blockquote", "list"] });
  }
  md.inline.ruler.before("html_inline", "jsx_tag", jsxTag);
  md.use(templatingPlugin);
  md.use(obsidianPlugin);
  const title = (source: string, env: unknown) => inlineText(md.parseInline(source, env as Record<string, unknown>)[0]?.children ?? null).replace(/\s*\n\s*/g, " ").trim();
  md.use(containersPlugin, title);
  md.use(mystPlugin, title);
  return md;
}

const parsers = { md: create(false), mdx: create(true) };

export function parserFor(mdx: boolean): Parser {
  return mdx ? parsers.mdx : parsers.md;
}

export type { Token };
