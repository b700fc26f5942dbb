/**
 * Links that documents declare (front matter `url`), made safe once for every place that shows them:
 * a Markdown link target in Discord (`[open](…)`), an embed's `url`, the terminal.
 *
 * A document's author is not the operator: a synced docs repository may hold
 * `url: "https://docs.example.com/guide)[Verify your account here](https://evil.example/login"`, which
 * `new URL` accepts (the `)[…](` lands in the path) and which, put in `[open](…)`, renders a second,
 * attacker-labelled link. So a URL must be what RFC 3986 allows in a link, parsed and re-serialised,
 * with the parentheses it may legitimately hold (`/wiki/Rust_(language)`) percent-encoded.
 */

/** Longest link kept; Discord refuses longer embed URLs, and no document link needs more. */
const MAX_LENGTH = 512;
// A host name (letters, digits, hyphens, dots, after IDNA), an IPv4 address, or a bracketed IPv6 address.
const HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?|\[[0-9a-f:.]+\])$/;
// Characters RFC 3986 never allows unencoded after the host (URL keeps some of them as they are).
const NOT_IN_URI = /[\s[\]<>"`{}|^\\]/;

/**
 * The absolute http(s) URL `raw` names, re-serialised, with `(` and `)` encoded so that it cannot end a
 * Markdown link; undefined for anything else (relative, another scheme, credentials, spaces, brackets
 * or Markdown outside the host, over 512 characters).
 */
export function linkTarget(raw: unknown): string | undefined {
  if (typeof raw !== "string") return undefined;
  const text = raw.trim();
  // Control characters and backslashes are checked on the raw text: URL would drop or convert them.
  // eslint-disable-next-line no-control-regex
  if (!text || text.length > 2 * MAX_LENGTH || /[\u0000-\u001f\u007f\\]/.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (url.username || url.password || !HOST.test(url.hostname)) return undefined;
  const rest = url.href.slice(url.origin.length);
  if (NOT_IN_URI.test(rest) || NOT_IN_URI.test(text.replace(/^[^/]*\/\/[^/?#]*/, ""))) return undefined;
  const href = url.origin + rest.replace(/\(/g, "%28").replace(/\)/g, "%29");
  return href.length <= MAX_LENGTH ? href : undefined;
}
