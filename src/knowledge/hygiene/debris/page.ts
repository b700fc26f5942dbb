/** Web page furniture that scrapers keep around an article: navigation, share links, banners. Never its prose. */
import type { UnitDetector } from "./detector.ts";

/**
 * Links and labels around an article. "See also" and "Related" are no furniture alone: documentation
 * uses them for its own cross-references (see NAVIGATION_LIST); "Read more" is, as a label before a link.
 * "Sign up" and "Subscribe" are furniture alone or for the site's newsletter; documentation shows its own
 * sign-up buttons ("Sign up Read the docs").
 */
const BOILERPLATE =
  /^(?:advertisement|sponsored|read more(?:[ \t]*[:»›→…]|$)|share (?:on|this)\b|click here\b|(?:subscribe|sign up)(?:$|\b.{0,40}\b(?:newsletters?|our|briefing|digest|mailing list)\b)|follow us\b|print this\b|skip to (?:the )?(?:main )?(?:content|navigation)\b|back to top\b|you (?:may|might) also like\b|recommended for you\b|accept all\b|reject all\b|manage (?:cookies|preferences|settings)\b|cookie (?:settings|preferences)\b)/i;
/** A label followed by links between navigation separators: "Related: Best socks | Newsletter signup". */
const NAVIGATION_LIST = /^(?:related|see also|more)\b[^|·•]{0,80}[|·•]/i;
/**
 * A consent banner: the site speaks of its own cookies to the reader ("We use cookies…", "…our use of
 * cookies"). Documentation about cookies and consent describes them instead.
 */
const COOKIE_BANNER = /\b(?:we use|(?:this|our) (?:web)?site uses) cookies\b|\bour use of cookies\b/i;
const COOKIE_CONSENT = /\b(?:accept|agree|consent|continuing|preferences|settings|experience|browsing)\b/i;
/** A breadcrumb trail standing alone: "Home › Travel › Europe". */
const BREADCRUMB = /^(?:[\p{Lu}\d][\p{L}\p{N}&'’ -]{0,30}?[ \t]*[›»>|][ \t]*){2,}[\p{Lu}\d][\p{L}\p{N}&'’ -]{0,30}$/u;

const wordCount = (body: string) => body.split(/\s+/).length;
const endsSentence = (body: string) => /[.!?]["”’)]?$/.test(body);

/**
 * Breadcrumb separators opening a line ("/ Available on …"): navigation, not prose. After a sentence on
 * the same line a separator joins alternatives ("Why won't it load?" / "Why does it fail?").
 */
export const navigationFragment: UnitDetector = {
  level: "unit",
  id: "navigation-fragment",
  signal: "navigation fragment",
  matches: (body, unit) => unit.opensLine && /^[/|»][ \t]/.test(body),
};

/** Punctuation left over where text detectors carved markup out of a sentence belongs to that markup. */
export const markupLeftover: UnitDetector = {
  level: "unit",
  id: "markup-leftover",
  signal: "markup leftover",
  matches: (body, unit) => unit.carved && !/[\p{L}\p{N}]/u.test(body) && /[<>/=]/.test(body),
};

/** Page furniture of news sites standing alone: "Advertisement", "Read more: …", "Share on …". */
export const pageBoilerplate: UnitDetector = {
  level: "unit",
  id: "page-boilerplate",
  signal: "page boilerplate",
  matches: (body, unit) => unit.kind === "prose" && (BOILERPLATE.test(body) || NAVIGATION_LIST.test(body)) && !endsSentence(body) && wordCount(body) <= 10,
};

export const breadcrumbTrail: UnitDetector = {
  level: "unit",
  id: "breadcrumb-trail",
  signal: "breadcrumb trail",
  matches: (body, unit) => unit.kind === "prose" && BREADCRUMB.test(body),
};

export const cookieBanner: UnitDetector = {
  level: "unit",
  id: "cookie-banner",
  signal: "cookie banner",
  matches: (body) => COOKIE_BANNER.test(body) && COOKIE_CONSENT.test(body) && wordCount(body) <= 40,
};
