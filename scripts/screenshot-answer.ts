/**
 * The README's pictures of an answer in Discord: asks the engine a question, renders the reply exactly as
 * the bot would send it (src/discord/format.ts), draws that payload as a Discord-like message in HTML (the
 * embed's Markdown read by discord-markdown-parser, Discord's own rules on simple-markdown) and screenshots
 * it with headless Chromium. A tool for people, not for tests or CI.
 *
 *   npx tsx scripts/screenshot-answer.ts --knowledge DIR --out docs/answer-discord.png [--html page.html] "question"
 *
 * Needs Chromium (Debian: `apt-get install -y chromium`); CHROMIUM names another binary.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { parse } from "discord-markdown-parser";
import type { APIEmbed } from "discord.js";
import { AnswerEngine } from "../src/answer/engine.ts";
import { PAGE_SIZE, renderAnswer, renderNoMatch, type Reply } from "../src/discord/format.ts";
import { silentLogger } from "../src/log.ts";

const WIDTH = 640;

interface Node {
  type: string;
  content?: unknown;
  target?: string;
  lang?: string;
}

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const textOf = (content: unknown) => (typeof content === "string" ? content : "");

/** Discord Markdown to HTML, node by node as Discord's parser reads it. */
function toHtml(nodes: unknown): string {
  if (typeof nodes === "string") return escapeHtml(nodes);
  if (!Array.isArray(nodes)) return "";
  return (nodes as Node[])
    .map((node) => {
      const inner = () => toHtml(node.content);
      switch (node.type) {
        case "text":
          return escapeHtml(textOf(node.content));
        case "strong":
          return `<strong>${inner()}</strong>`;
        case "em":
          return `<em>${inner()}</em>`;
        case "underline":
          return `<u>${inner()}</u>`;
        case "strikethrough":
          return `<s>${inner()}</s>`;
        case "inlineCode":
          return `<code class="inline">${escapeHtml(textOf(node.content))}</code>`;
        case "codeBlock":
          return `<pre><code>${escapeHtml(textOf(node.content).replace(/\n$/, ""))}</code></pre>`;
        case "link":
        case "url":
        case "autolink":
          return `<a href="${escapeHtml(String(node.target))}">${inner()}</a>`;
        case "br":
        case "newline":
          return "\n";
        default:
          // Mentions, spoilers and the like: the bot never sends them live; show them plainly if it did.
          return `<span class="${escapeHtml(node.type)}">${inner()}</span>`;
      }
    })
    .join("");
}

// A code block is a block: the line break right after it only ends its line.
const markdown = (text: string | undefined) => (text ? toHtml(parse(text, "extended")).replace(/<\/pre>\n/g, "</pre>") : "");

function embedHtml(embed: APIEmbed): string {
  const colour = `#${(embed.color ?? 0x1e1f22).toString(16).padStart(6, "0")}`;
  const title = embed.title
    ? `<div class="title">${embed.url ? `<a href="${escapeHtml(embed.url)}">${markdown(embed.title)}</a>` : markdown(embed.title)}</div>`
    : "";
  const fields = (embed.fields ?? [])
    .map((field) => `<div class="field"><div class="name">${markdown(field.name)}</div><div class="value">${markdown(field.value)}</div></div>`)
    .join("");
  const footer = embed.footer ? `<div class="footer">${escapeHtml(embed.footer.text)}</div>` : "";
  return `<div class="embed" style="border-left-color:${colour}">${title}<div class="description">${markdown(embed.description)}</div>${fields}${footer}</div>`;
}

function page(reply: Reply, question: string): string {
  const buttons = reply.components
    .map(
      (row) =>
        `<div class="buttons">${row.components.map((button) => `<span class="button ${Number(button.style) === 1 ? "primary" : "secondary"}">${button.emoji?.name ? `${escapeHtml(button.emoji.name)} ` : ""}${escapeHtml(button.label ?? "")}</span>`).join("")}</div>`,
    )
    .join("");
  return `<!doctype html><html><head><meta charset="utf-8"><style>
  body { margin: 0; background: #313338; font-family: "Noto Sans", "Liberation Sans", "DejaVu Sans", sans-serif; color: #dbdee1; }
  .message { padding: 10px 16px 14px 72px; position: relative; width: ${WIDTH - 88}px; }
  .reply { font-size: 13px; color: #b5bac1; margin-bottom: 4px; }
  .reply b { color: #f2f3f5; font-weight: 500; }
  .reply code { font-family: "DejaVu Sans Mono", monospace; color: #c9cdfb; }
  .avatar { position: absolute; left: 16px; top: 32px; width: 40px; height: 40px; border-radius: 50%; background: #5865f2; color: white; font: 600 18px/40px sans-serif; text-align: center; }
  .header { font-size: 15px; margin-bottom: 4px; }
  .header .name { color: #f2f3f5; font-weight: 600; }
  .header .app { background: #5865f2; color: white; font-size: 10px; font-weight: 600; padding: 1px 4px; border-radius: 3px; margin: 0 4px; vertical-align: 2px; }
  .header .time { color: #949ba4; font-size: 12px; }
  .ephemeral { font-size: 12px; color: #949ba4; margin-top: 6px; }
  .embed { background: #2b2d31; border-left: 4px solid; border-radius: 4px; padding: 8px 16px 14px 12px; max-width: 520px; box-sizing: border-box; }
  .title { color: #f2f3f5; font-weight: 600; font-size: 15px; margin-top: 6px; }
  .description, .value { font-size: 14px; line-height: 1.375; white-space: pre-line; margin-top: 6px; overflow-wrap: anywhere; }
  .field { margin-top: 10px; }
  .field .name { font-size: 14px; font-weight: 600; color: #f2f3f5; white-space: pre-line; }
  .field .value { margin-top: 2px; }
  .footer { font-size: 12px; color: #b5bac1; margin-top: 10px; font-weight: 500; white-space: pre-line; }
  strong { color: #f2f3f5; font-weight: 700; }
  a { color: #00a8fc; text-decoration: none; }
  code.inline { font-family: "DejaVu Sans Mono", monospace; font-size: 0.85em; background: #1e1f22; border-radius: 3px; padding: 0 2px; }
  pre { background: #1e1f22; border: 1px solid #1e1f22; border-radius: 4px; padding: 7px; margin: 0; white-space: pre-wrap; font: 12.5px/1.35 "DejaVu Sans Mono", monospace; color: #dbdee1; tab-size: 4; }
  .buttons { margin-top: 8px; display: flex; gap: 8px; }
  .button { color: white; font-size: 14px; font-weight: 500; padding: 6px 16px; border-radius: 8px; }
  .primary { background: #5865f2; } .secondary { background: #4e5058; }
</style></head><body><div class="message">
  <div class="reply"><b>alice</b> used <code>/ask</code> <span>question: ${escapeHtml(question)}</span></div>
  <div class="avatar">K</div>
  <div class="header"><span class="name">Knowledge Bot</span><span class="app">APP</span><span class="time">Today at 14:02</span></div>
  ${reply.embeds.map(embedHtml).join("")}
  ${buttons}
  ${reply.ephemeral ? `<div class="ephemeral">Only you can see this</div>` : ""}
</div><script>document.title = String(document.body.scrollHeight);</script></body></html>`;
}

const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--hide-scrollbars",
];

function chromium(args: string[], profile: string): string {
  return execFileSync(process.env.CHROMIUM ?? "chromium", [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { knowledge: { type: "string" }, out: { type: "string" }, html: { type: "string" } },
  });
  const question = positionals.join(" ").trim();
  if (!values.knowledge || !values.out || !question) {
    process.stderr.write("Usage: npx tsx scripts/screenshot-answer.ts --knowledge DIR --out FILE.png [--html FILE.html] QUESTION\n");
    process.exit(2);
  }
  const engine = await AnswerEngine.open(values.knowledge, { logger: silentLogger });
  const answer = engine.ask(question, { top: PAGE_SIZE + 1 });
  const reply = answer.results.length ? renderAnswer(answer, { askerId: "1", offset: 0, state: { question }, ephemeral: false, logId: 1 }) : renderNoMatch(1);
  const html = page(reply, question);
  const work = mkdtempSync(path.join(os.tmpdir(), "kb-screenshot-"));
  try {
    const file = path.join(work, "answer.html");
    writeFileSync(file, html);
    if (values.html) writeFileSync(values.html, html);
    // First the page's height (the page writes it into its title), then a screenshot of exactly that.
    const dom = chromium(["--dump-dom", `file://${file}`], path.join(work, "profile-1"));
    const height = Number(/<title>(\d+)<\/title>/.exec(dom)?.[1] ?? 800);
    chromium([`--window-size=${WIDTH},${height}`, `--screenshot=${path.resolve(values.out)}`, `file://${file}`], path.join(work, "profile-2"));
    process.stdout.write(`${values.out}: ${WIDTH}×${height}, ${readFileSync(values.out).length} bytes (${answer.answered ? "answered" : answer.reason})\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
