/**
 * Finds text that was spliced into a document from somewhere else (sentences of an unrelated novel,
 * scraped markup debris) so that the loader can keep it out of the index and out of every answer.
 *
 * Only general signals are used, because the articles checked in production are not the ones this
 * was tuned on:
 * - markup debris: broken tag or attribute fragments, path/format fragments glued to a sentence,
 *   breadcrumb separators opening a paragraph or trails standing alone, chat-log lines, cookie
 *   banners and other page furniture;
 * - lexical cohesion: the share of a span's content words (stemmed) found elsewhere in the document,
 *   leave-one-out and ignoring spans already flagged, so injected sentences cannot vouch for each other;
 * - narrative register: dialogue and its attribution, gesture verbs, he/she or first-person narration,
 *   contractions, questions, names found nowhere else. Each counts only in proportion to how rare it is
 *   in the document's own most cohesive sentences, so a story, a tutorial written to "you" or an
 *   interview full of "he said" is judged against its own voice.
 * A span is flagged only with a strong narrative signal (dialogue, first-person narration, repeated
 * he/she) *and* vocabulary the rest of the document does not share; real facts share vocabulary.
 * Reporting is told apart from narration: he/she in a sentence that carries a number, introduces a
 * person by name and role, or names someone the document names elsewhere is that person; quotations
 * attributed after, before ("said: “…”"), inverted (", said the mayor") or by the sentence or
 * paragraph before them are testimony; a transcript's speakers ("Ruiz: …", "Q:"/"A:") speak in the
 * first person; names found nowhere else count only when the rest of the sentence is foreign too. He/
 * she narration as the only sign needs clearly less shared vocabulary than the document's typical
 * sentence, and nothing shared at all inside a paragraph that is otherwise the document's own.
 * Splices are often mid-sentence, so sentences are first cut at splice marks ("——,", a capitalised
 * clause opener glued to a lowercase word, ". ,") and a sentence that still mixes both texts is
 * trimmed where its vocabulary turns foreign.
 */
import { stemmer } from "stemmer";
import { lineAt } from "./blocks.ts";
import { sentencePieces } from "./sentences.ts";
import type { FlaggedSpan, PassageKind } from "./types.ts";

export interface HygieneBlock {
  /** Block text, whitespace-normalised, hard-wrapped lines joined with single spaces. */
  text: string;
  /** 1-based line in the file where the block starts. */
  line: number;
  /** Offsets in `text` where each following source line begins (lineOffsets[0] = 0 is the first line), for exact line numbers of flagged spans; may be omitted, then every span gets `line`. */
  lineOffsets?: number[];
  /** Only prose, list and quote blocks are judged; code and tables are never touched. */
  kind: PassageKind;
  /** Heading path of the block's section; headings themselves are not passed as blocks. */
  section: string[];
}

export interface HygieneOptions {
  /** Text that operators want kept even if flagged: any flagged span that overlaps one of these substrings is kept. */
  keep?: string[];
  /** Turn the check off for this document. */
  disabled?: boolean;
}

export interface Removal {
  start: number;
  end: number;
  reason: string;
}

export interface BlockVerdict {
  /** The cleaned text (flagged spans removed, punctuation and spacing at the seams tidied); "" when the whole block was debris. */
  text: string;
  removed: Removal[];
  /** Flagged spans reported to the operator (line from lineOffsets, the removed text, the reason). */
  flagged: FlaggedSpan[];
}

// ---------------------------------------------------------------------------------------------
// Word classes: closed classes of English grammar and register, not the vocabulary of any document.

const STOP = wordSet(
  "a about above after again against all also although am among an and another any are as at be because been before being ",
  "below between both but by can cannot could did do does doing down during each either else even ever every few for from ",
  "further had has have having he her here hers herself him himself his how however i if in into is it its itself just ",
  "least less let like many may me might more most much must my myself neither no nor not now of off on once only or other ",
  "others our ours ourselves out over own per quite rather same shall she should since so some such than that the ",
  "their theirs them themselves then there these they this those though through thus to too toward towards under unless ",
  "until up upon us very via was we were what whatever when whenever where whether which while who whom whose why will with ",
  "within without would yet you your yours yourself yourselves one still never always often soon really anyway onto get got ",
  "gets getting go goes going went gone make made makes",
);

/** Words that open a clause; capitalised right after a lowercase word with no punctuation, they mark a splice. */
const CLAUSE_OPENERS = wordSet(
  "the a an this that these those it its since when while after before but and however although because there they we he ",
  "she you many some all each every our his her their what why how who where then so yet also both from during if as once ",
  "in on at for with by meanwhile moreover",
);

/** Lowercase abbreviations that end in a full stop inside a sentence. */
const ABBREVIATIONS = wordSet(
  "etc approx incl excl esp resp min max sec hrs est dept govt misc vol nos ibid viz cont corp ltd bros avg ref refs eds trans abbr",
);
const DETERMINERS = wordSet("the a an this that these those its his her their our my your some any each every");
const PREPOSITIONS = wordSet("at in on of for with by from to into onto about over under after before during without within through");
const COMPLEMENTIZERS = new Set(["that", "which", "who", "whom", "whose", "whether"]);
const CONJUNCTIONS = new Set(["and", "but", "or", "nor", "so", "yet", "when", "while", "because", "as", "if", "since", "although", "though", "where", "until", "unless"]);
/** After these a capitalised word starts a name or a title ("in The Hague", "called The Times"), not a clause. */
const NAME_LEAD_INS = new Set([...PREPOSITIONS, ...DETERMINERS, "and", "or", "nor", "as", "than", "called", "named", "titled"]);

const THIRD_GENDERED = new Set(["he", "she", "him", "her", "his", "hers", "himself", "herself"]);
const FIRST_SINGULAR = new Set(["i", "me", "my", "mine", "myself", "i'm", "i'd", "i'll", "i've"]);
const SECOND_PERSON = new Set(["you", "your", "yours", "yourself", "yourselves", "you're", "you'll", "you've", "you'd"]);
const SUBJECT_PRONOUNS = new Set(["he", "she", "i", "they", "we", "you"]);
const CONTRACTED_IS = /^(let|it|that|what|there|who|he|she|here)'s$/;

/** Common irregular past tenses; with -ed forms they tell narration ("I remembered", "I saw") from an author's aside ("I recommend"). */
const IRREGULAR_PAST = wordSet(
  "was were had did came went saw felt knew thought told said took gave found left got ran stood sat fell held heard kept lost ",
  "met paid put spoke wrote began brought caught drew drove ate forgot grew hid hung lay led meant rose sang sent shook slept ",
  "stole struck swam threw understood woke wore won",
);
const NOT_PAST = new Set(["need", "seed", "speed", "feed", "bed", "red", "shed", "hundred", "indeed", "proceed", "exceed", "succeed", "breed", "embed", "based"]);
/** An author talking to the reader, not a narrator: "please consider supporting my work", "thanks to…". */
const ASIDE_WORDS = new Set(["please", "thanks", "thank"]);

/** Verbs of bodily reaction that attribute dialogue in narrative; reporting prose does not use them. */
const GESTURE_VERBS = wordSet(
  "nodded snorted sighed shrugged smiled grinned frowned laughed giggled chuckled sneered scoffed blushed winked glared ",
  "smirked gasped sobbed pouted groaned huffed beamed blinked stared glanced winced scowled grimaced",
);
/** Verbs that carry direct speech in narrative more than in reporting. */
const DIALOGUE_VERBS = wordSet(
  "asked replied answered shouted whispered murmured muttered yelled exclaimed screamed cried retorted teased snapped pleaded begged growled hissed snarled grumbled stammered",
);
/** Reporting verbs: normal in news, only a weak hint after a closing quote with a pronoun subject. */
const REPORTING_VERBS = wordSet("said says told added noted stated explained");
/** Speech verbs that also report speech indirectly ("asked for a delay", "replied that…"); then they are no dialogue. */
const INDIRECT_SPEECH_VERBS = new Set(["asked", "answered", "replied", "pleaded", "begged"]);
/** Words that open reported speech or an object clause after a speech verb. */
const INDIRECT_OPENERS = new Set(["for", "to", "that", "whether", "if", "about", "how", "why", "what", "when", "where", "who"]);
const OBJECT_PRONOUNS = new Set(["him", "her", "them", "me", "us", "you", "it"]);

/** Web page furniture that scrapers keep: links and labels around an article, never its prose. */
const BOILERPLATE =
  /^(?:advertisement|sponsored|read more\b|related:|see also:|share (?:on|this)\b|click here\b|subscribe\b|sign up\b|follow us\b|print this\b|skip to (?:the )?(?:main )?(?:content|navigation)\b|back to top\b|you (?:may|might) also like\b|recommended for you\b|accept all\b|reject all\b|manage (?:cookies|preferences|settings)\b|cookie (?:settings|preferences)\b)/i;
/** A consent banner: cookies, the reader, and what the reader agrees to. Articles about cookie law do not talk to "you" like this. */
const COOKIE_BANNER = /\bcookies?\b/i;
const COOKIE_CONSENT = /\b(?:accept|agree|consent|continuing|preferences|settings|experience|browsing)\b/i;
const READER = /\b(?:you|your|we|our)\b/i;
/** A breadcrumb trail standing alone: "Home › Travel › Europe". */
const BREADCRUMB = /^(?:[\p{Lu}\d][\p{L}\p{N}&'’ -]{0,30}?[ \t]*[›»>|][ \t]*){2,}[\p{Lu}\d][\p{L}\p{N}&'’ -]{0,30}$/u;
/** A line of a chat log: optional timestamp, then a nick in angle brackets. */
const CHAT_LINE = /(?<=^|\n)[ \t]*(?:\[\d{1,2}:\d{2}(?::\d{2})?\][ \t]*|\d{1,2}:\d{2}(?::\d{2})?[ \t]+)<[\w.|^@-]{1,32}>[^\n]*/g;
/** A paragraph opened by "Name:", "Q:" — with the same label opening another paragraph, it is a transcript's speaker. */
const SPEAKER_LABEL = /^(\p{Lu}[\p{L}'’.-]*(?:[ \t]\p{Lu}[\p{L}'’.-]*){0,2}):[ \t]/u;

/** HTML element names; a stray or broken one in prose is scraping debris. */
const HTML_TAGS =
  "a|abbr|article|aside|audio|b|blockquote|br|button|center|div|em|figcaption|figure|font|footer|form|h[1-6]|header|hr|i|iframe|img|input|label|li|link|meta|nav|noscript|ol|p|path|picture|script|section|small|source|span|strong|style|sub|sup|svg|table|tbody|td|th|thead|tr|u|ul|video";

// ---------------------------------------------------------------------------------------------
// Tunables, in one place so the trade-off between catching injected text and keeping real content
// is visible. Checked by test/hygiene.test.ts and bench/hygiene.ts.

/** Pseudo-count of content words pulling the cohesion of short spans towards the document's typical value. */
const SHRINK = 2;
/** A narrative feature found in this share of the document's core sentences is the document's own voice. */
const VOICE_RATE = 0.2;
/** Share of sentences, ranked by cohesion, below the document's core (the top 40% are its core). */
const CORE_QUANTILE = 0.6;
/** A feature in this share of paragraphs is the document's voice; in this share or fewer it is rare. */
const PARAGRAPH_VOICE = 0.6;
const PARAGRAPH_RARE = 0.3;
/** Fewer other paragraphs than this say nothing about a voice. */
const MIN_PARAGRAPHS = 3;
/** Prior for that share, in sentences, so that a tiny document does not make every feature look rare. */
const VOICE_PRIOR = { sentences: 6, rate: 0.1 };
/** Strong narrative evidence a span needs before anything else is weighed. */
const MIN_STRONG = 0.75;
/** Flag when evidence × (1 − cohesion) reaches this: strong evidence needs less foreign vocabulary and vice versa. */
const FLAG_SCORE = 0.8;
/** How much a clause boundary counts when choosing where a mixed sentence is cut. */
const BOUNDARY_WEIGHT = 1.5;
/** How many words before (or after) the first narration a mixed sentence may be cut. */
const ANCHOR_REACH = 8;
/** First person counts at most this much more than first and second person together do (see narrativeEvidence). */
const AUTHOR_VOICE = 0.25;
/** How many sentences on either side stand for "the rest of the paragraph" (see paragraphOverlaps). */
const PARAGRAPH_REACH = 4;
/** A paragraph sharing at most this share of the document's typical cohesion is foreign to it. */
const FOREIGN_PARAGRAPH = 0.25;
/** He/she narration as the only strong signal: the span's cohesion must be at most this share of the document's typical. */
const HE_SHE_FOREIGN = 0.5;
/** Share of a span's words found elsewhere above which it needs overwhelming evidence to be flagged. */
const SHARED_HALF = 0.5;
/** Units with less than this share of document vocabulary may pool into a run. */
const WEAK_SHARE = 0.5;
/** Text longer than this is segmented in pieces: Intl.Segmenter slows down superlinearly on long strings. */
const SEGMENT_CHUNK = 2000;

// ---------------------------------------------------------------------------------------------

interface Range {
  start: number;
  end: number;
}

interface Word {
  start: number;
  end: number;
  /** Lowercase, apostrophes folded to ', possessive 's removed. */
  norm: string;
  stem: string;
  content: boolean;
  capitalised: boolean;
  /** Starts with a digit: a year, an amount, an age. */
  numeric: boolean;
  inQuote: boolean;
}

type Edge = "block" | "sentence" | "splice";

type FindingKind = "debris" | "narrative" | "run" | "splice" | "context";

/** Why a span was flagged; merged findings of neighbouring spans make one reason. */
interface Finding {
  kind: FindingKind;
  signals: string[];
  /** Content words found elsewhere in the document, of `total`. */
  found?: number;
  total?: number;
}

interface Unit {
  block: number;
  start: number;
  end: number;
  words: Word[];
  /** What separates this unit from its neighbours: a splice mark makes a mixed sentence likelier. */
  leftEdge: Edge;
  rightEdge: Edge;
  debris: boolean;
  flagged?: Finding;
  /** Overlaps an operator's `keep` text: never flagged. */
  keep: boolean;
  /** Part of an otherwise kept unit that was cut off as injected. */
  trim?: Range & { finding: Finding };
  inList: boolean;
  inQuoteBlock: boolean;
  /** Cached part of reportsOn: a number or a person introduced by name, or false. */
  introduces?: string | false;
  /** In a paragraph of a transcript or interview ("Ruiz: …", "A: …"): first person and questions are the speaker's. */
  spoken: boolean;
}

interface Features {
  gendered: number;
  /** He/she in a unit that reports on a person (see reportsOn), or as the subject of "said", "told". */
  reportedGendered: number;
  /** First person with a past tense or a he/she and some content of its own: a narrator, not an aside. */
  firstNarration: number;
  /** Quotations attributed to anyone (named or not), introduced with "said:", or continuing one that was. */
  attributed: number;
  /** A quotation that asks or addresses someone ("Are you hungry?"): talk between people, not testimony. */
  dialogic: boolean;
  firstPerson: number;
  /** Past-tense verbs outside quotes: narration is told in the past. */
  pastTense: number;
  /** Speaks to the reader (you, please, thanks): first person there is the author's aside. */
  aside: boolean;
  secondPerson: number;
  contractions: number;
  gesture: number;
  dialogue: number;
  reporting: number;
  conversationalQuote: number;
  mostlyQuote: boolean;
  orphanStart: boolean;
  question: boolean;
  /** Touches a splice mark ("——,", a clause glued on without punctuation). */
  spliceEdge: boolean;
}

/** `personal` is first or second person: an author talking to the reader uses both. */
type FeatureName = "gendered" | "firstPerson" | "secondPerson" | "personal" | "contractions" | "dialogue" | "question";
type Rarity = Record<FeatureName, number>;
const FEATURE_NAMES: FeatureName[] = ["gendered", "firstPerson", "secondPerson", "personal", "contractions", "dialogue", "question"];

interface Cohesion {
  share: number;
  types: number;
}

interface Evidence {
  score: number;
  strong: number;
  /** The part of `strong` that is he/she narration: alone, it needs more foreign vocabulary (see injected). */
  heShe: number;
  /** Weight of the signals other than he/she and names (dialogue, first person, questions, splice marks…). */
  other: number;
  /** Past tense outside quotes. */
  past: boolean;
  signals: string[];
}

const SENTENCES = new Intl.Segmenter("en", { granularity: "sentence" });
const WORDS = new Intl.Segmenter("en", { granularity: "word" });

const stemCache = new Map<string, string>();
function stemOf(word: string): string {
  let stem = stemCache.get(word);
  if (stem === undefined) {
    stem = /^[a-z]+$/.test(word) ? stemmer(word) : word;
    if (stemCache.size > 100_000) stemCache.clear();
    stemCache.set(word, stem);
  }
  return stem;
}

/** Same length as the input, so offsets stay valid. */
function foldQuotes(text: string): string {
  return text.replace(/[’‘`]/g, "'").replace(/[“”]/g, '"');
}

function normaliseWord(raw: string): string {
  const lower = foldQuotes(raw).toLowerCase();
  return lower.endsWith("'s") && lower.length > 3 && !CONTRACTED_IS.test(lower) ? lower.slice(0, -2) : lower;
}

function isContraction(norm: string): boolean {
  return /n't$|'(re|ve|ll|d|m)$/.test(norm) || CONTRACTED_IS.test(norm);
}

function isNumber(norm: string): boolean {
  return /^\p{N}/u.test(norm);
}

function overlaps(ranges: Range[], start: number, end: number): boolean {
  for (const range of ranges) if (range.start < end && start < range.end) return true;
  return false;
}

/** Sorted, possibly overlapping ranges with a fast membership test (binary search over merged ranges). */
class RangeSet {
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

const NO_RANGES = new RangeSet([]);

/** Inline code, links, addresses and HTML comments: never split, never read as words or as debris. */
function protectedRanges(text: string): Range[] {
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
function quoteRanges(text: string, guarded: RangeSet): Range[] {
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

interface Debris extends Range {
  signal: string;
}

const WHOLE_TAG = new RegExp(`</?(?:${HTML_TAGS})(?:\\s[^<>]*)?/?>`, "gi");
const CUT_TAG = new RegExp(`</?(?:${HTML_TAGS})\\b[^<>]*$`, "gim");

function findDebris(text: string, guarded: Range[]): Debris[] {
  const found: Debris[] = [];
  const add = (start: number, end: number, signal: string) => {
    if (!overlaps(guarded, start, end) && !overlaps(found, start, end)) found.push({ start, end, signal });
  };
  // A chat log line pasted into prose: `[21:47] <nick> lol`.
  if (text.includes("<")) for (const m of text.matchAll(CHAT_LINE)) add(m.index, m.index + m[0].length, "chat log line");
  // CMS shortcodes first, so that their attributes are not reported one by one: `[caption id="…"]`, `[/caption]`.
  if (text.includes("[")) for (const m of text.matchAll(/\[\/[a-z_]+\]|\[[a-z_]+(?:\s+[\w-]+=["”][^"”\]]*["”])+\s*\]/g)) add(m.index, m.index + m[0].length, "shortcode");
  const angle = text.includes(">") || text.includes("<");
  // A whole tag left in prose, or one cut off by the scraper.
  if (angle) for (const m of text.matchAll(WHOLE_TAG)) add(m.index, m.index + m[0].length, "stray HTML tag");
  if (angle) for (const m of text.matchAll(CUT_TAG)) add(m.index, m.index + m[0].length, "cut-off HTML tag");
  // The tail of an attribute with no `<` that opened it: `g">`, `class="x">`.
  if (text.includes(">")) for (const m of text.matchAll(/(?<=^|\s|[.!?,;])[^\s<>]*["”'’]\s*\/?>(?![=>])/g)) {
    const open = text.lastIndexOf("<", m.index);
    if (open >= 0 && text.indexOf(">", open) >= m.index) continue;
    add(m.index, m.index + m[0].length, "broken attribute");
  }
  if (text.includes("=")) for (const m of text.matchAll(/\b(?:src|href|class|style|alt|width|height|data-[\w-]+)=["”'][^\s"”']*["”']?/g)) add(m.index, m.index + m[0].length, "HTML attribute");
  // A path or format fragment glued to the end of a sentence: `eyes.rmat/jp`.
  if (text.includes("/")) for (const m of text.matchAll(/(?<=\p{Ll}[.!?])[\w-]*\/[\w./-]*/gu)) add(m.index, m.index + m[0].length, "path fragment");
  // Entities a scraper failed to decode: `&nbsp;`.
  if (text.includes("&")) for (const m of text.matchAll(/&(?:nbsp|amp|quot|apos|lt|gt|mdash|ndash|hellip|#\d{2,5}|#x[\da-f]{2,4});/gi)) add(m.index, m.index + m[0].length, "HTML entity");
  return found.sort((a, b) => a.start - b.start);
}

interface Cut {
  at: number;
  resume: number;
  edge: Edge;
}

/** Offsets where Intl.Segmenter starts a new sentence; long text is fed in pieces to keep it linear. */
function sentenceStarts(text: string, from: number, to: number, out: Cut[]): void {
  for (const piece of sentencePieces(text, from, to, SEGMENT_CHUNK)) {
    // A piece ends where a sentence surely ends.
    if (piece.end < to) out.push({ at: piece.end, resume: piece.end, edge: "sentence" });
    for (const seg of SENTENCES.segment(text.slice(piece.start, piece.end))) {
      if (seg.index > 0) out.push({ at: piece.start + seg.index, resume: piece.start + seg.index, edge: "sentence" });
    }
  }
}

/** Sentence ranges, cut further at marks where two texts were spliced. */
function splitUnits(text: string, guarded: RangeSet, quotes: Range[], quoted: RangeSet): Array<Range & { leftEdge: Edge; rightEdge: Edge }> {
  const cuts: Cut[] = [];
  // Lines of a list (and hard line breaks) are separate units.
  let lineStart = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && text[i] !== "\n") continue;
    sentenceStarts(text, lineStart, i, cuts);
    if (i < text.length) cuts.push({ at: i, resume: i + 1, edge: "sentence" });
    lineStart = i + 1;
  }
  // "time——, The": a doubled dash with an orphan comma.
  for (const m of text.matchAll(/[ \t]*(?:——|--)[ \t]*[,，;]?[ \t]*/g)) {
    if (!guarded.has(m.index)) cuts.push({ at: m.index, resume: m.index + m[0].length, edge: "splice" });
  }
  // "family,, The operator": a doubled comma, or a capitalised clause opener right after a comma.
  if (text.includes(",")) {
    for (const m of text.matchAll(/\p{Ll}((?:[ \t]*,[ \t]*,|,(?=[ \t]+\p{Lu}))[ \t]*)/gu)) {
      const at = m.index + m[0].length - (m[1]?.length ?? 0);
      const next = /^\p{Lu}\p{Ll}*/u.exec(text.slice(at + (m[1]?.length ?? 0), at + 40))?.[0] ?? "";
      const doubled = (m[1]?.match(/,/g) ?? []).length > 1;
      if (guarded.has(at) || quoted.has(at) || (!doubled && !CLAUSE_OPENERS.has(next.toLowerCase()))) continue;
      cuts.push({ at, resume: at + (m[1]?.length ?? 0), edge: "splice" });
    }
  }
  // "anyway. , I just": a sentence end followed by an orphan comma.
  for (const m of text.matchAll(/(?<=[.!?]["”’]?)[ \t]+[,;][ \t]*/g)) cuts.push({ at: m.index, resume: m.index + m[0].length, edge: "splice" });
  // "waited for the gates to break. by the end of next year": a full stop, then the interrupted sentence
  // goes on in lowercase. Not after abbreviations ("etc. and") or inside file names ("index.html and").
  if (text.includes(". ")) {
    for (const m of text.matchAll(/(?:^|[\s(])(\p{Ll}{3,})\.["”’]?([ \t]+)(?=\p{Ll}{2,}\b)/gu)) {
      const at = m.index + m[0].length - (m[2]?.length ?? 0);
      if (ABBREVIATIONS.has(m[1] ?? "") || guarded.has(at) || quoted.has(at)) continue;
      cuts.push({ at, resume: m.index + m[0].length, edge: "splice" });
    }
  }
  // "repair him Since its": a clause opener capitalised right after a lowercase word.
  for (const lead of text.matchAll(/\p{Ll}[ \t]+(\p{Lu}\p{Ll}*)(?=[\s,])/gu)) {
    // Shifted past the lowercase letter, so the match starts at the spacing as the cut does.
    const m = { index: lead.index + 1, 0: lead[0].slice(1), 1: lead[1] };
    const word = m[1] ?? "";
    if (!CLAUSE_OPENERS.has(word.toLowerCase()) || guarded.has(m.index) || quoted.has(m.index)) continue;
    // After a word that expects a noun phrase the capital starts a name ("in The Hague"); after a
    // capitalised word it is Title Case ("As Far As I Can Tell").
    const prev = /([\p{L}']+)$/u.exec(text.slice(Math.max(0, m.index - 30), m.index))?.[1] ?? "";
    if (NAME_LEAD_INS.has(prev.toLowerCase()) || /^\p{Lu}/u.test(prev)) continue;
    cuts.push({ at: m.index, resume: m.index + m[0].length - word.length, edge: "splice" });
  }
  // "worldBring": a lowercase word run into a capitalised one.
  if (/[a-z][A-Z]|\p{Ll}\p{Lu}/u.test(text)) {
    for (const m of text.matchAll(/(?:^|[^\p{L}])\p{Ll}{3,}(\p{Lu}\p{Ll}{2,})(?![\p{L}])/gu)) {
      const at = m.index + m[0].length - (m[1]?.length ?? 0);
      if (!guarded.has(at)) cuts.push({ at, resume: at, edge: "splice" });
    }
  }
  // `and “enough is enough.” Lan Xue nodded`: a quotation closing a sentence, attributed by the next
  // one, is a unit of its own so that the dialogue is judged apart from the narration before it.
  for (const q of quotes) {
    if (!/[\p{L}\d][ \t]$/u.test(text.slice(Math.max(0, q.start - 2), q.start))) continue;
    if (!/[.!?,]["”]$/.test(text.slice(q.start, q.end)) || !attributionAt(text, q.end)) continue;
    cuts.push({ at: q.start - 1, resume: q.start, edge: "splice" });
  }
  cuts.sort((a, b) => a.at - b.at || b.resume - a.resume);

  const raw: Array<Range & { leftEdge: Edge; rightEdge: Edge }> = [];
  let start = 0;
  let leftEdge: Edge = "block";
  for (const cut of cuts) {
    if (cut.at < start) {
      // Overlapping marks: the splice wins, the later resume wins.
      start = Math.max(start, cut.resume);
      if (cut.edge === "splice") leftEdge = "splice";
      continue;
    }
    raw.push({ start, end: cut.at, leftEdge, rightEdge: cut.edge });
    start = cut.resume;
    leftEdge = cut.edge;
  }
  raw.push({ start, end: text.length, leftEdge, rightEdge: "block" });

  const units: Array<Range & { leftEdge: Edge; rightEdge: Edge }> = [];
  for (const unit of raw) {
    const trimmed = trimRange(text, unit.start, unit.end);
    if (!trimmed) {
      // An empty piece between two marks: its edges pass on to the neighbours.
      const last = units[units.length - 1];
      if (last && unit.rightEdge === "splice") last.rightEdge = "splice";
      continue;
    }
    const last = units[units.length - 1];
    if (last && (last.rightEdge === "splice" || unit.leftEdge === "splice")) last.rightEdge = unit.leftEdge = "splice";
    units.push({ ...unit, ...trimmed });
  }
  return units;
}

function trimRange(text: string, start: number, end: number): Range | undefined {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return end > start ? { start, end } : undefined;
}

/** Subject and speech or gesture verb right after `at` (a closing quote): `” Lan Xue nodded`, `” she asked`. */
function attributionAt(text: string, at: number): { subject: string; verb: string } | undefined {
  const window = text.slice(at, at + 60);
  const m = /^[ \t,]*(\p{Lu}\p{Ll}+(?:[ \t]\p{Lu}\p{Ll}+)?|he|she|I)[ \t]+(?:\p{Ll}+ly[ \t]+)?(\p{Ll}+)\b/u.exec(window);
  const verb = m?.[2] ?? "";
  if (m && (GESTURE_VERBS.has(verb) || DIALOGUE_VERBS.has(verb) || REPORTING_VERBS.has(verb))) return { subject: m[1] ?? "", verb };
  // Inverted, as news writes it: `,” said the mayor`, `,” says Maria Olsen`.
  const inverted = /^[ \t,]*(\p{Ll}+)[ \t]+(the[ \t]+\p{Ll}+|\p{Lu}\p{Ll}+(?:[ \t]\p{Lu}\p{Ll}+)?|he|she)\b/u.exec(window);
  const before = inverted?.[1] ?? "";
  if (inverted && (REPORTING_VERBS.has(before) || DIALOGUE_VERBS.has(before))) return { subject: inverted[2] ?? "", verb: before };
  return undefined;
}

/** `said: “…`, `told reporters: "…`: a quotation introduced by a reporting verb. */
const INTRODUCED_QUOTE = /\b(?:said|says|told|added|stated|explained|wrote|writes|asked)\b[^"“”.!?]{0,40}:[ \t]*["“]/;

function carve(unit: Range, debris: Debris[]): Array<Range & { debris?: string }> {
  const pieces: Array<Range & { debris?: string }> = [];
  let at = unit.start;
  for (const d of debris) {
    if (d.end <= at || d.start >= unit.end) continue;
    const start = Math.max(d.start, at);
    const end = Math.min(d.end, unit.end);
    if (start > at) pieces.push({ start: at, end: start });
    pieces.push({ start, end, debris: d.signal });
    at = end;
  }
  if (at < unit.end) pieces.push({ start: at, end: unit.end });
  return pieces;
}

interface WordForm {
  norm: string;
  stem: string;
  content: boolean;
  capitalised: boolean;
  numeric: boolean;
}

/** Per surface form: the same few thousand words recur across every document of a load. */
const formCache = new Map<string, WordForm>();

function formOf(raw: string): WordForm {
  let form = formCache.get(raw);
  if (!form) {
    const norm = normaliseWord(raw);
    const content = norm.length >= 2 && !STOP.has(norm) && !isContraction(norm) && /\p{L}/u.test(norm);
    form = { norm, stem: content ? stemOf(norm.replace(/'/g, "")) : norm, content, capitalised: /^\p{Lu}\p{Ll}/u.test(raw), numeric: isNumber(norm) };
    if (formCache.size > 200_000) formCache.clear();
    formCache.set(raw, form);
  }
  return form;
}

function makeWord(text: string, raw: string, start: number, quotes: RangeSet): Word | undefined {
  const end = start + raw.length;
  const form = formOf(raw);
  // "I/O" is an abbreviation and "(he/him)" a note on someone's pronouns, not narration.
  if ((THIRD_GENDERED.has(form.norm) || FIRST_SINGULAR.has(form.norm)) && (text[end] === "/" || text[start - 1] === "/")) return undefined;
  return { start, end, norm: form.norm, stem: form.stem, content: form.content, capitalised: form.capitalised, numeric: form.numeric, inQuote: quotes.has(start) };
}

/** Scripts written without spaces between words: only a dictionary-based segmenter finds their words. */
const UNSPACED_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const SPACED_WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*/gu;

/**
 * Words of one unit. Intl.Segmenter where the script needs it; for space-separated scripts a regex
 * finds the same words several times faster, and this runs over every sentence of every load.
 */
function unitWords(text: string, range: Range, guarded: RangeSet, quotes: RangeSet): Word[] {
  const words: Word[] = [];
  const slice = text.slice(range.start, range.end);
  const push = (raw: string, start: number) => {
    if (guarded.has(start)) return;
    // "Wizlaw I, Prince of Rügen": a regnal numeral after a name inside the sentence, not the pronoun.
    const prev = words[words.length - 1];
    if (raw === "I" && words.length >= 2 && prev!.capitalised && !STOP.has(prev!.norm) && text.slice(prev!.end, start) === " ") {
      if (/^(?:[,.;:)]|$|[ \t]\p{Lu}|[ \t]of\b)/u.test(text.slice(start + 1, start + 4))) return;
    }
    const word = makeWord(text, raw, start, quotes);
    if (word) words.push(word);
  };
  if (UNSPACED_SCRIPT.test(slice)) {
    for (const seg of WORDS.segment(slice)) if (seg.isWordLike) push(seg.segment, range.start + seg.index);
  } else {
    for (const m of slice.matchAll(SPACED_WORD)) push(m[0], range.start + m.index);
  }
  return words;
}

/** Vocabulary of text that is never judged (code, tables, headings): it still vouches for prose. */
function plainWords(text: string): Word[] {
  return unitWords(text, { start: 0, end: text.length }, NO_RANGES, NO_RANGES);
}

/** Prefixes keeping capitalised forms (and those inside a sentence) apart from stems in one vocabulary. */
const NAME_KEY = "\u0000";
const MID_NAME_KEY = "\u0001";

/** Whether words[i] opens a sentence (first of its unit, or after a full stop or colon). */
function opensSentence(words: Word[], i: number, text: string): boolean {
  return i === 0 || /[.!?:]["”]?\s*$/.test(text.slice(words[i - 1]!.end, words[i]!.start));
}

class Vocabulary {
  private readonly counts = new Map<string, number>();
  add(key: string, by = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + by);
  }
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}

/** Words of the units flagged when it was taken, and which units those were. */
interface RemovedWords {
  words: Vocabulary;
  units: ReadonlySet<Unit>;
}

interface DocumentModel {
  blocks: HygieneBlock[];
  units: Unit[];
  /** Content stems of the whole document with their counts. */
  all: Vocabulary;
  /** Lowercase forms seen anywhere: a capitalised word that also occurs in lowercase is not a name. */
  lowerForms: Set<string>;
  capitalForms: Vocabulary;
  /** Capitalised words inside a sentence (not opening it): names, as far as capitals tell. */
  midNames: Vocabulary;
}

function judged(block: HygieneBlock): boolean {
  return block.kind === "prose" || block.kind === "list" || block.kind === "quote";
}

/** Prose blocks opened by a speaker label that opens at least one other block too. */
function speakerBlocks(blocks: HygieneBlock[]): Set<number> {
  const labels = blocks.map((block) => (block.kind === "prose" ? SPEAKER_LABEL.exec(block.text)?.[1] : undefined));
  const counts = new Map<string, number>();
  for (const label of labels) if (label) counts.set(label, (counts.get(label) ?? 0) + 1);
  const spoken = new Set<number>();
  labels.forEach((label, b) => {
    if (label && (counts.get(label) ?? 0) >= 2) spoken.add(b);
  });
  return spoken;
}

function buildModel(blocks: HygieneBlock[]): DocumentModel {
  const model: DocumentModel = { blocks, units: [], all: new Vocabulary(), lowerForms: new Set(), capitalForms: new Vocabulary(), midNames: new Vocabulary() };
  const speakers = speakerBlocks(blocks);
  const count = (words: Word[], text: string) => {
    words.forEach((w, i) => {
      if (w.content) model.all.add(w.stem);
      if (w.capitalised) model.capitalForms.add(w.norm);
      else model.lowerForms.add(w.norm);
      if (w.capitalised && w.content && !opensSentence(words, i, text)) model.midNames.add(w.norm);
    });
  };
  blocks.forEach((block, b) => {
    if (!judged(block)) {
      count(plainWords(block.text), block.text);
      return;
    }
    const text = block.text;
    const guardedRanges = protectedRanges(text);
    const guarded = new RangeSet(guardedRanges);
    const quoteList = quoteRanges(text, guarded);
    const quotes = new RangeSet(quoteList);
    const debris = findDebris(text, guardedRanges);
    for (const range of splitUnits(text, guarded, quoteList, quotes)) {
      const pieces = carve(range, debris);
      const carved = pieces.length > 1;
      for (const piece of pieces) {
        const trimmed = trimRange(text, piece.start, piece.end);
        if (!trimmed) continue;
        const body = text.slice(trimmed.start, trimmed.end);
        let signal = piece.debris;
        // Breadcrumb separators opening a sentence ("/ Available on …") are navigation, not prose.
        if (!signal && /^[/|»][ \t]/.test(body)) signal = "navigation fragment";
        // Leftover punctuation of a carved fragment belongs to it.
        if (!signal && carved && !/[\p{L}\p{N}]/u.test(body) && /[<>/=]/.test(body)) signal = "markup leftover";
        // Page furniture of news sites standing alone: "Advertisement", "Read more: …", "Share on …".
        if (!signal && block.kind === "prose" && BOILERPLATE.test(body) && !/[.!?]["”’)]?$/.test(body) && body.split(/\s+/).length <= 10) signal = "page boilerplate";
        if (!signal && block.kind === "prose" && BREADCRUMB.test(body)) signal = "breadcrumb trail";
        if (!signal && COOKIE_BANNER.test(body) && READER.test(body) && COOKIE_CONSENT.test(body) && body.split(/\s+/).length <= 40) signal = "cookie banner";
        const words = signal ? [] : unitWords(text, trimmed, guarded, quotes);
        count(words, text);
        model.units.push({
          block: b,
          ...trimmed,
          words,
          leftEdge: trimmed.start === range.start ? range.leftEdge : "splice",
          rightEdge: trimmed.end === range.end ? range.rightEdge : "splice",
          debris: signal !== undefined,
          keep: false,
          inList: block.kind === "list",
          inQuoteBlock: block.kind === "quote",
          spoken: speakers.has(b),
          ...(signal ? { flagged: { kind: "debris" as const, signals: [signal] } } : {}),
        });
      }
    }
  });
  for (const heading of new Set(blocks.flatMap((block) => block.section))) count(plainWords(heading), heading);
  return model;
}

function applyKeep(model: DocumentModel, keep: string[]): void {
  const needles = keep.map((k) => foldQuotes(k.replace(/\s+/g, " ").trim()).toLowerCase()).filter((k) => k.length > 0);
  if (needles.length === 0) return;
  const perBlock = model.blocks.map((block) => {
    // Length-preserving case fold, so offsets found in the folded text are offsets in the block.
    const hay = Array.from(foldQuotes(block.text).replace(/\s/g, " "), (c) => (c.toLowerCase().length === c.length ? c.toLowerCase() : c)).join("");
    const ranges: Range[] = [];
    for (const needle of needles) {
      for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) ranges.push({ start: at, end: at + needle.length });
    }
    return ranges;
  });
  for (const unit of model.units) {
    if (!overlaps(perBlock[unit.block] ?? [], unit.start, unit.end)) continue;
    unit.keep = true;
    delete unit.flagged;
  }
}

function features(unit: Unit, text: string): Features {
  const f: Features = {
    gendered: 0,
    reportedGendered: 0,
    firstNarration: 0,
    attributed: 0,
    dialogic: false,
    firstPerson: 0,
    pastTense: 0,
    aside: false,
    secondPerson: 0,
    contractions: 0,
    gesture: 0,
    dialogue: 0,
    reporting: 0,
    conversationalQuote: 0,
    mostlyQuote: false,
    orphanStart: false,
    question: false,
    spliceEdge: unit.leftEdge === "splice" || unit.rightEdge === "splice",
  };
  let quoted = 0;
  let content = 0;
  let conversational = false;
  unit.words.forEach((w, i) => {
    if (w.inQuote) {
      quoted++;
      if (FIRST_SINGULAR.has(w.norm) || SECOND_PERSON.has(w.norm) || isContraction(w.norm)) conversational = true;
      if (SECOND_PERSON.has(w.norm)) f.dialogic = true;
      return;
    }
    // A blockquote is someone else's voice by design: its pronouns say nothing about splicing.
    if (unit.inQuoteBlock) return;
    if (w.content) content++;
    // "He said the club…", "she told the court": reported speech, whoever tells it.
    if (THIRD_GENDERED.has(w.norm)) {
      if (REPORTING_VERBS.has(unit.words[i + 1]?.norm ?? "")) f.reportedGendered++;
      else f.gendered++;
    }
    // A transcript's speaker talks in the first person, to "you", in questions: that is speech, not narration.
    if (!unit.spoken && FIRST_SINGULAR.has(w.norm) && (w.norm !== "i" || text[w.start] === "I")) f.firstPerson++;
    if (!unit.spoken && SECOND_PERSON.has(w.norm)) f.secondPerson++;
    if (SECOND_PERSON.has(w.norm) || ASIDE_WORDS.has(w.norm)) f.aside = true;
    // "sponsored by" is a passive participle, "a retired headmaster" an adjective: not narrated events.
    const participle = unit.words[i + 1]?.norm === "by" || DETERMINERS.has(unit.words[i - 1]?.norm ?? "");
    if (IRREGULAR_PAST.has(w.norm) || (w.norm.length >= 5 && w.norm.endsWith("ed") && !NOT_PAST.has(w.norm) && !participle)) f.pastTense++;
    if (!unit.spoken && isContraction(w.norm)) f.contractions++;
    const prev = unit.words[i - 1];
    const subject = prev !== undefined && (SUBJECT_PRONOUNS.has(prev.norm) || (prev.capitalised && !STOP.has(prev.norm)));
    // Gesture verbs narrate whoever the subject is ("the elder sneered"); reporting prose has no use for them.
    if (GESTURE_VERBS.has(w.norm)) f.gesture++;
    if (subject && DIALOGUE_VERBS.has(w.norm) && !indirectSpeech(unit.words, i)) f.dialogue++;
  });
  // Told in the past, or a narrator beside a character ("I pretend not to see her"), about something:
  // a bare "I did not." is the author's aside.
  if (f.firstPerson > 0 && (f.pastTense > 0 || f.gendered > 0) && content >= 2) f.firstNarration = f.firstPerson;
  f.mostlyQuote = unit.words.length > 0 && quoted / unit.words.length > 0.6;
  const slice = text.slice(unit.start, unit.end);
  if (quoted === 0 && !unit.spoken && /\?["”’)]?$/.test(slice)) f.question = true;
  if (/[“"][^”"]*[?!][”"]/.test(slice)) conversational = true;
  if (quoted > 0 && slice.includes("?")) f.dialogic = true;
  if (conversational) f.conversationalQuote = 1;
  f.orphanStart = /^[,;.]/.test(slice);
  // `” she said`: reporting verb with a pronoun subject right after a closing quote.
  for (const m of slice.matchAll(/["”]/g)) {
    const attribution = attributionAt(slice, m.index + 1);
    if (attribution && REPORTING_VERBS.has(attribution.verb) && /^(he|she|I)$/i.test(attribution.subject)) f.reporting++;
    if (attribution) f.attributed++;
  }
  if (quoted > 0 && INTRODUCED_QUOTE.test(slice)) f.attributed++;
  return f;
}

/** "asked for a delay", "replied that…", "asked him to wait": speech reported, not dialogue. */
function indirectSpeech(words: Word[], i: number): boolean {
  if (!INDIRECT_SPEECH_VERBS.has(words[i]!.norm)) return false;
  const next = words[i + 1];
  const after = words[i + 2];
  if (!next) return false;
  if (INDIRECT_OPENERS.has(next.norm)) return true;
  return (OBJECT_PRONOUNS.has(next.norm) || next.capitalised) && after !== undefined && INDIRECT_OPENERS.has(after.norm);
}

function hasFeature(f: Features, name: FeatureName): boolean {
  if (name === "dialogue") return f.dialogue + f.gesture + f.conversationalQuote > 0;
  if (name === "personal") return f.firstPerson + f.secondPerson > 0;
  return Number(f[name]) > 0;
}

function addFeatures(a: Features, b: Features): Features {
  return {
    gendered: a.gendered + b.gendered,
    reportedGendered: a.reportedGendered + b.reportedGendered,
    firstNarration: a.firstNarration + b.firstNarration,
    attributed: a.attributed + b.attributed,
    dialogic: a.dialogic || b.dialogic,
    firstPerson: a.firstPerson + b.firstPerson,
    pastTense: a.pastTense + b.pastTense,
    aside: a.aside || b.aside,
    secondPerson: a.secondPerson + b.secondPerson,
    contractions: a.contractions + b.contractions,
    gesture: a.gesture + b.gesture,
    dialogue: a.dialogue + b.dialogue,
    reporting: a.reporting + b.reporting,
    conversationalQuote: a.conversationalQuote + b.conversationalQuote,
    mostlyQuote: a.mostlyQuote && b.mostlyQuote,
    orphanStart: a.orphanStart,
    question: a.question || b.question,
    spliceEdge: a.spliceEdge || b.spliceEdge,
  };
}

/**
 * Cohesion of units taken as one span: their words vouch neither for themselves nor for each other.
 * A unit's own words are taken out of `removed` only if they were counted into it: flags change
 * while `removed` stays the snapshot it was taken as.
 */
function cohesionOf(group: Unit[], all: Vocabulary, removed: RemovedWords, skip?: Set<string>): Cohesion | undefined {
  const own = new Map<string, number>();
  const ownRemoved = new Map<string, number>();
  for (const unit of group) {
    const counted = removed.units.has(unit);
    for (const w of unit.words) {
      if (!w.content || w.numeric || skip?.has(w.norm)) continue;
      own.set(w.stem, (own.get(w.stem) ?? 0) + 1);
      if (counted) ownRemoved.set(w.stem, (ownRemoved.get(w.stem) ?? 0) + 1);
    }
  }
  if (own.size === 0) return undefined;
  let present = 0;
  for (const [stem, n] of own) if (all.get(stem) - n - (removed.words.get(stem) - (ownRemoved.get(stem) ?? 0)) > 0) present++;
  return { share: present / own.size, types: own.size };
}

/**
 * Whether the rest of the group's paragraph (not flagged; in a long paragraph, the few sentences on
 * either side) shares at least the document's typical share of vocabulary.
 */
function paragraphOverlaps(group: Unit[], units: Unit[], unitIndex: Map<Unit, number>, all: Vocabulary, removed: RemovedWords, typical: number): boolean {
  const first = unitIndex.get(group[0]!)!;
  const last = unitIndex.get(group[group.length - 1]!)!;
  const block = group[0]!.block;
  const rest: Unit[] = [];
  for (let i = Math.max(0, first - PARAGRAPH_REACH); i <= Math.min(units.length - 1, last + PARAGRAPH_REACH); i++) {
    const unit = units[i]!;
    if ((i < first || i > last) && unit.block === block && !unit.flagged && !unit.debris) rest.push(unit);
  }
  if (rest.length === 0) return false;
  const c = cohesionOf(rest, all, removed);
  return c !== undefined && c.types >= 3 && c.share >= typical;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * How much each narrative feature counts for unit i: not at all when it is the document's own voice,
 * fully when the document never uses it. Two estimates, leaving unit i out: the share of the most
 * cohesive sentences that use the feature (injected sentences share few words, so they are rarely
 * among them), and the share of paragraphs that use it (a voice runs through a document, injected
 * text sits in a few places). Either one saying "rare" is enough: in a short article even the most
 * cohesive sentences can include injected ones.
 */
function voiceRarity(units: Unit[], feats: Features[], cohesion: Array<Cohesion | undefined>): (i: number) => Rarity {
  const shares = cohesion.filter((c, i): c is Cohesion => c !== undefined && c.types >= 3 && !units[i]!.flagged).map((c) => c.share);
  shares.sort((a, b) => a - b);
  const cut = shares[Math.floor(shares.length * CORE_QUANTILE)] ?? 0;
  const counts: Rarity = { gendered: 0, firstPerson: 0, secondPerson: 0, personal: 0, contractions: 0, dialogue: 0, question: 0 };
  const isCore = units.map((unit, i) => {
    const c = cohesion[i];
    return !unit.flagged && c !== undefined && c.types >= 3 && c.share >= cut;
  });
  let core = 0;
  isCore.forEach((yes, i) => {
    if (!yes) return;
    core++;
    for (const name of FEATURE_NAMES) if (hasFeature(feats[i]!, name)) counts[name]++;
  });
  // Paragraph spread: which prose blocks use each feature in a sentence not flagged.
  const blockUses = new Map<number, Set<FeatureName>>();
  units.forEach((unit, i) => {
    if (unit.inList || unit.inQuoteBlock || unit.debris) return;
    let uses = blockUses.get(unit.block);
    if (!uses) blockUses.set(unit.block, (uses = new Set()));
    if (unit.flagged) return;
    for (const name of FEATURE_NAMES) if (hasFeature(feats[i]!, name)) uses.add(name);
  });
  const blockCounts: Rarity = { gendered: 0, firstPerson: 0, secondPerson: 0, personal: 0, contractions: 0, dialogue: 0, question: 0 };
  for (const uses of blockUses.values()) for (const name of uses) blockCounts[name]++;
  const paragraphs = blockUses.size;

  return (i) => {
    const self = isCore[i] ? 1 : 0;
    const unit = units[i];
    const ownBlock = unit ? blockUses.get(unit.block) : undefined;
    const rarity = {} as Rarity;
    for (const name of FEATURE_NAMES) {
      const seen = counts[name] - (self && hasFeature(feats[i]!, name) ? 1 : 0);
      const rate = (seen + VOICE_PRIOR.sentences * VOICE_PRIOR.rate) / (core - self + VOICE_PRIOR.sentences);
      let value = Math.max(0, 1 - rate / VOICE_RATE);
      if (paragraphs - (ownBlock ? 1 : 0) >= MIN_PARAGRAPHS) {
        const others = paragraphs - (ownBlock ? 1 : 0);
        const spread = (blockCounts[name] - (ownBlock?.has(name) ? 1 : 0)) / others;
        value = Math.max(value, Math.min(1, Math.max(0, (PARAGRAPH_VOICE - spread) / (PARAGRAPH_VOICE - PARAGRAPH_RARE))));
      }
      rarity[name] = value;
    }
    return rarity;
  };
}

function narrativeEvidence(f: Features, rarity: Rarity, names: string[], nearInjected = false): Evidence {
  const evidence: Evidence = { score: 0, strong: 0, heShe: 0, other: 0, past: f.pastTense > 0, signals: [] };
  const add = (weight: number, signal: string, strong = false, other = true) => {
    if (weight <= 0.05) return;
    evidence.score += weight;
    if (other) evidence.other += weight;
    if (strong) evidence.strong += weight;
    evidence.signals.push(signal);
  };
  const dialogue = rarity.dialogue;
  // "Ask him to show you the video he laughed at": a gesture in a sentence to the reader is advice, not a scene.
  if (f.gesture) add((f.aside ? 1 : 2) * dialogue, "dialogue attributed with a gesture", !f.aside);
  if (f.dialogue) add(dialogue, "dialogue attribution", true);
  if (f.reporting) add(0.5 * dialogue, "quotation attributed to he/she");
  // A line of talk standing alone, attributed to nobody: news attributes every quote it prints.
  const unattributed = f.mostlyQuote && f.reporting + f.dialogue + f.gesture + f.attributed === 0;
  if (f.conversationalQuote) add((unattributed ? 1.5 : 1) * dialogue, unattributed ? "unattributed line of dialogue" : "conversational quotation", unattributed);
  if (f.gendered) {
    const weight = Math.min(1.5, 0.5 * f.gendered) * rarity.gendered;
    add(weight, "he/she narration", f.gendered >= 2, false);
    if (f.gendered >= 2 && weight > 0.05) evidence.heShe += weight;
  }
  if (f.reportedGendered) add(Math.min(0.5, 0.25 * f.reportedGendered) * rarity.gendered, "he/she about someone the document reports on", false, false);
  if (f.firstPerson) {
    const narration = (nearInjected || f.firstNarration > 0) && !f.aside;
    // A document whose author speaks in their own person, to "you" or as "I", throughout: one more "I" is that voice.
    const own = Math.min(rarity.firstPerson, rarity.personal + AUTHOR_VOICE);
    add((narration ? 1.5 : 0.5) * own, narration ? "first-person narration" : "first person", narration);
  }
  if (f.secondPerson) add(0.5 * rarity.secondPerson, "addresses someone as you");
  if (f.contractions) add(0.5 * rarity.contractions, "conversational contractions");
  if (f.question) add(0.5 * rarity.question, "question");
  if (f.orphanStart) add(0.5, "starts with orphan punctuation");
  // A splice mark says two texts meet here; with any narrative sign on this side, this is the injected one.
  if (f.spliceEdge) add(evidence.score >= 0.3 ? 0.75 : 0.5, "next to a splice mark", evidence.score >= 0.3);
  if (names.length > 0 && evidence.strong > 0) add(0.5, `names found nowhere else (${names.join(", ")})`, false, false);
  return evidence;
}

/** A full name introduced with a role or an apposition: "the schoolteacher Ada Brook", "Her neighbour, Liam Burke". */
const ROLE_BEFORE_NAME = /(?<![\p{L}'’])(\p{Ll}{3,}),?[ \t]+\p{Lu}\p{Ll}+(?:[ \t]\p{Lu}[\p{L}'’-]+)+/gu;
/** …or followed by an age or an apposition: "David Marsh, 58,", "Sunita Rao, a nurse", "Ada Brook, who". */
const APPOSITION_AFTER_NAME = /\p{Lu}\p{Ll}+(?:[ \t]\p{Lu}[\p{L}'’-]+)+,[ \t]+(?:\d{1,3},|(?:a|an|the|who|whose)[ \t])/u;

/**
 * Why a unit reads as reporting about real people rather than narration, if it does: it carries a
 * number (a year, an amount, an age), introduces a person by full name with a role or an apposition,
 * or names someone the rest of the document names too (outside flagged text). He/she there refers
 * to the person reported on.
 */
function reportsOn(unit: Unit, model: DocumentModel, removed: RemovedWords): string | undefined {
  const text = model.blocks[unit.block]!.text;
  if (unit.introduces === undefined) unit.introduces = introducesPerson(unit, text);
  if (unit.introduces) return unit.introduces;
  const counted = removed.units.has(unit);
  const own = new Map<string, number>();
  unit.words.forEach((w, k) => {
    if (w.capitalised && w.content && !opensSentence(unit.words, k, text)) own.set(w.norm, (own.get(w.norm) ?? 0) + 1);
  });
  for (const w of unit.words) {
    if (!w.capitalised || !w.content || w.inQuote || model.lowerForms.has(w.norm)) continue;
    const n = own.get(w.norm) ?? 0;
    if (model.midNames.get(w.norm) - n - (removed.words.get(MID_NAME_KEY + w.norm) - (counted ? n : 0)) > 0) return "names someone the document names";
  }
  return undefined;
}

/** The part of reportsOn that does not depend on what is flagged. */
function introducesPerson(unit: Unit, text: string): string | false {
  if (unit.words.some((w) => !w.inQuote && w.numeric)) return "carries a number";
  // Names need two capitalised words in a row.
  if (!unit.words.some((w, k) => w.capitalised && unit.words[k + 1]?.capitalised === true)) return false;
  const slice = text.slice(unit.start, unit.end);
  if (APPOSITION_AFTER_NAME.test(slice)) return "introduces a person";
  for (const m of slice.matchAll(ROLE_BEFORE_NAME)) {
    const role = m[1] ?? "";
    // A role is a noun: not a function word, a pronoun, a past tense or an adverb.
    if (!STOP.has(role) && !CONJUNCTIONS.has(role) && !THIRD_GENDERED.has(role) && !/(?:ed|ly)$/.test(role)) return "introduces a person";
  }
  return false;
}

/** Capitalised words, not opening a sentence, that the rest of the document never uses. */
function uniqueNames(group: Unit[], model: DocumentModel, removed: RemovedWords): string[] {
  const names: string[] = [];
  // Capitalised occurrences in the group, and those of them counted into `removed`.
  const own = new Map<string, number>();
  const ownRemoved = new Map<string, number>();
  for (const unit of group) {
    const counted = removed.units.has(unit);
    for (const w of unit.words) {
      if (!w.capitalised) continue;
      own.set(w.norm, (own.get(w.norm) ?? 0) + 1);
      if (counted) ownRemoved.set(w.norm, (ownRemoved.get(w.norm) ?? 0) + 1);
    }
  }
  for (const unit of group) {
    const text = model.blocks[unit.block]!.text;
    unit.words.forEach((w, i) => {
      if (!w.capitalised || !w.content || w.inQuote || model.lowerForms.has(w.norm)) return;
      const opening = opensSentence(unit.words, i, text);
      if (opening && unit.words[i + 1]?.capitalised !== true) return;
      const n = own.get(w.norm) ?? 0;
      if (model.capitalForms.get(w.norm) - n - (removed.words.get(NAME_KEY + w.norm) - (ownRemoved.get(w.norm) ?? 0)) > 0) return;
      const name = text.slice(w.start, w.end);
      if (!names.includes(name)) names.push(name);
    });
  }
  return names;
}

/**
 * Whether evidence and foreign vocabulary together make a span injected. He/she narration is the
 * weakest strong signal (biographies, obituaries and plot summaries are told that way): when it is the
 * only one, the span must share clearly less than the document's typical sentence, and if the rest of
 * its paragraph is the document's own it must share nothing at all and tell of past events.
 */
function injected(evidence: Evidence, cohesion: number | undefined, raw: Cohesion | undefined, typical: number, paragraphOverlaps: () => boolean): boolean {
  if (cohesion === undefined) return false;
  // A span that shares half its words with the document is the document's, unless the evidence is overwhelming.
  if (raw && raw.share >= SHARED_HALF && evidence.strong < 2) return false;
  if (evidence.strong < MIN_STRONG || evidence.score * (1 - cohesion) < FLAG_SCORE) return false;
  if (evidence.heShe > 0 && evidence.other < 0.05) {
    if (cohesion > HE_SHE_FOREIGN * typical) return false;
    const alien = raw !== undefined && raw.share === 0 && raw.types >= 4 && evidence.past;
    if (!alien && paragraphOverlaps()) return false;
  }
  return true;
}

/** Maximal runs (two or more) of unflagged prose units in one block that each carry little of the document's vocabulary. */
function weakRuns(units: Unit[], cohesion: Array<Cohesion | undefined>): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  const close = () => {
    if (run.length >= 2) runs.push(run);
    run = [];
  };
  units.forEach((unit, i) => {
    const c = cohesion[i];
    // List items are short and varied by nature; pooling them would only find noise.
    const weak = !unit.flagged && !unit.keep && !unit.inList && (c === undefined || c.types <= 2 || c.share < WEAK_SHARE);
    const last = run[run.length - 1];
    if (!weak || (last !== undefined && units[last]!.block !== unit.block)) close();
    if (weak) run.push(i);
  });
  close();
  return runs;
}

/** Judges one document's blocks together (cohesion needs the whole document). Pure and deterministic. */
export function checkDocument(blocks: HygieneBlock[], options: HygieneOptions = {}): BlockVerdict[] {
  const untouched = (block: HygieneBlock): BlockVerdict => ({ text: block.text, removed: [], flagged: [] });
  if (options.disabled || !blocks.some(judged)) return blocks.map(untouched);

  const model = buildModel(blocks);
  const { units, all } = model;
  applyKeep(model, options.keep ?? []);

  const feats = units.map((unit) => features(unit, blocks[unit.block]!.text));
  const unitIndex = new Map<Unit, number>(units.map((unit, i) => [unit, i]));
  const blockUnits = new Map<number, Unit[]>();
  /** Units per block that are not debris. */
  const proseUnits = new Map<number, number>();
  for (const unit of units) {
    const list = blockUnits.get(unit.block);
    if (list) list.push(unit);
    else blockUnits.set(unit.block, [unit]);
    if (!unit.debris) proseUnits.set(unit.block, (proseUnits.get(unit.block) ?? 0) + 1);
  }
  // A quotation whose next unit attributes it is dialogue, like its attribution.
  units.forEach((unit, i) => {
    const next = units[i + 1];
    if (!next || next.block !== unit.block || !feats[i]!.mostlyQuote) return;
    const attribution = attributionAt(blocks[unit.block]!.text, unit.end);
    if (!attribution) return;
    feats[i]!.attributed++;
    if (GESTURE_VERBS.has(attribution.verb)) feats[i]!.gesture++;
    else if (DIALOGUE_VERBS.has(attribution.verb)) feats[i]!.dialogue++;
    else if (/^(he|she|I)$/i.test(attribution.subject)) feats[i]!.reporting++;
  });
  // A paragraph opening with a quotation, right after a paragraph about a person or quoting one, goes
  // on in that person's voice: news quotes at length that way.
  let previous: number | undefined;
  units.forEach((unit, i) => {
    if (units[i - 1]?.block === unit.block) return;
    const prior = previous;
    previous = blocks[unit.block]!.kind === "prose" ? unit.block : undefined;
    const f = feats[i]!;
    if (prior === undefined || !f.mostlyQuote || !/^["“]/.test(blocks[unit.block]!.text) || f.attributed + f.reporting + f.dialogue + f.gesture > 0) return;
    const aboutPerson = (blockUnits.get(prior) ?? []).some((u) => {
      const p = feats[unitIndex.get(u)!]!;
      return p.gendered + p.reportedGendered + p.attributed + p.reporting > 0;
    });
    if (aboutPerson) f.attributed++;
  });
  const testimony = units.map((unit, i) => {
    const prev = units[i - 1];
    const f = feats[i]!;
    if (!prev || prev.block !== unit.block || !f.mostlyQuote || f.dialogic || f.attributed + f.reporting + f.dialogue + f.gesture > 0) return false;
    const p = feats[i - 1]!;
    return p.gendered + p.reportedGendered + p.attributed + p.reporting > 0;
  });
  // `“…,” she said. “I know it isn't easy.”`: a quotation right after an attributed one, or inside the
  // same quotation, goes on in the same voice, reported speech or dialogue.
  units.forEach((unit, i) => {
    const prev = units[i - 1];
    const f = feats[i]!;
    if (!prev || prev.block !== unit.block || !f.mostlyQuote || f.attributed + f.reporting + f.dialogue + f.gesture > 0) return;
    const p = feats[i - 1]!;
    const opens = /^["“]/.test(blocks[unit.block]!.text.slice(unit.start, unit.end)) || unit.words[0]?.inQuote === true;
    if (!opens || p.attributed + p.reporting + p.dialogue + p.gesture === 0) return;
    if (p.dialogue + p.gesture > 0) f.dialogue++;
    else f.attributed++;
  });

  const removedVocabulary = (): RemovedWords => {
    const words = new Vocabulary();
    const flagged = new Set<Unit>();
    for (const unit of units) {
      if (!unit.flagged) continue;
      flagged.add(unit);
      const text = blocks[unit.block]!.text;
      unit.words.forEach((w, k) => {
        if (w.content) words.add(w.stem);
        if (w.capitalised) words.add(NAME_KEY + w.norm);
        if (w.capitalised && w.content && !opensSentence(unit.words, k, text)) words.add(MID_NAME_KEY + w.norm);
      });
    }
    return { words, units: flagged };
  };

  let typical = 0.6;
  let rarity: (i: number) => Rarity = () => ({ gendered: 1, firstPerson: 1, secondPerson: 1, personal: 1, contractions: 1, dialogue: 1, question: 1 });
  for (let round = 0; round < 4; round++) {
    const removed = removedVocabulary();
    const cohesion = units.map((unit) => cohesionOf([unit], all, removed));
    typical = median(cohesion.filter((c): c is Cohesion => c !== undefined && c.types >= 3).map((c) => c.share)) ?? 0.6;
    const shrink = (c: Cohesion | undefined) => (c === undefined ? undefined : (c.share * c.types + SHRINK * typical) / (c.types + SHRINK));
    rarity = voiceRarity(units, feats, cohesion);
    // He/she in a unit that reports on a person is that person, not a character.
    const reportCache = new Map<number, string | undefined>();
    const reporting = (i: number): string | undefined => {
      if (!reportCache.has(i)) reportCache.set(i, units[i]!.debris ? undefined : reportsOn(units[i]!, model, removed));
      return reportCache.get(i);
    };
    const featsOf = (i: number): Features => {
      let f = feats[i]!;
      if (f.gendered > 0 && reporting(i)) f = { ...f, gendered: 0, reportedGendered: f.reportedGendered + f.gendered };
      // Testimony right after a sentence about its speaker ("She is less proud of… “We made a mistake.”")
      // is theirs, as long as that sentence is the document's own.
      if (testimony[i] && !units[i - 1]!.flagged) f = { ...f, attributed: f.attributed + 1 };
      return f;
    };
    // Names found nowhere else are a sign only for a span whose other words are foreign too: a new
    // person in a sentence about the document's subject is news.
    const namesOf = (group: Unit[], idx: number[]): string[] => {
      if (uniqueNames(group, model, removed).length === 0) return [];
      const names = uniqueNames(
        group.filter((_, k) => !reporting(idx[k]!)),
        model,
        removed,
      );
      if (names.length === 0) return names;
      const rest = cohesionOf(group, all, removed, new Set(names.map(normaliseWord)));
      return rest && rest.share >= typical ? [] : names;
    };
    // A whole paragraph told in the past, with a he/she or an I, sharing no word with a document whose
    // sentences otherwise do share words, and reporting on nobody: a passage from somewhere else.
    const foreignParagraph = (evidence: Evidence, group: Unit[], run: number[], f: Features, pooled: Cohesion | undefined, r: Rarity) => {
      if (!pooled || pooled.types < 8 || pooled.share > FOREIGN_PARAGRAPH * typical || f.pastTense < 2) return;
      if (group.length !== proseUnits.get(group[0]!.block) || run.some((i) => reporting(i))) return;
      const weight = Math.max(f.gendered > 0 ? r.gendered : 0, f.firstPerson > 0 ? r.firstPerson : 0);
      if (weight <= 0.05) return;
      evidence.score += weight;
      evidence.strong += weight;
      evidence.other += weight;
      evidence.signals.push("a paragraph of narration sharing no word with the document");
    };
    const overlaps = (group: Unit[]) => () => paragraphOverlaps(group, units, unitIndex, all, removed, typical);
    const before = units.map((unit) => unit.flagged?.kind);
    units.forEach((unit, i) => {
      if (unit.debris || unit.keep) return;
      const evidence = narrativeEvidence(featsOf(i), rarity(i), namesOf([unit], [i]));
      const c = cohesion[i];
      const verdict = injected(evidence, shrink(c), c, typical, overlaps([unit]));
      if (verdict) unit.flagged = { kind: "narrative", signals: evidence.signals, found: Math.round((c?.share ?? 0) * (c?.types ?? 0)), total: c?.types ?? 0 };
      else delete unit.flagged;
    });
    // Injected text often comes as several short sentences that each say little: judge the run as one span.
    for (const run of weakRuns(units, cohesion)) {
      const group = run.map((i) => units[i]!);
      const pooled = cohesionOf(group, all, removed);
      const f = run.map(featsOf).reduce(addFeatures);
      const evidence = narrativeEvidence(f, rarity(run[0]!), namesOf(group, run));
      foreignParagraph(evidence, group, run, f, pooled, rarity(run[0]!));
      const verdict = injected(evidence, shrink(pooled), pooled, typical, overlaps(group));
      if (!verdict) continue;
      // One finding object for the whole run, so that its counts are reported once.
      const finding: Finding = { kind: "run", signals: evidence.signals, found: Math.round((pooled?.share ?? 0) * (pooled?.types ?? 0)), total: pooled?.types ?? 0 };
      for (const unit of group) unit.flagged = finding;
    }
    // Each round depends only on what is flagged, so an unchanged round is the fixed point.
    if (units.every((unit, i) => unit.flagged?.kind === before[i])) break;
  }

  // A flagged sentence with a splice mark may be half real: keep the real half when the evidence
  // sits entirely on the spliced side.
  {
    const removed = removedVocabulary();
    units.forEach((unit, i) => {
      if (!unit.flagged || unit.debris || (unit.leftEdge !== "splice" && unit.rightEdge !== "splice")) return;
      const trim = trimMixed(unit, units[i - 1], units[i + 1], model, removed, rarity(i), true);
      if (!trim) return;
      delete unit.flagged;
      unit.trim = trim;
    });
  }

  // Splices are contiguous: settle the units right next to flagged ones.
  for (let pass = 0; pass < 3; pass++) {
    const removed = removedVocabulary();
    let changed = false;
    units.forEach((unit, i) => {
      if (unit.flagged || unit.keep || unit.trim) return;
      const trim = trimMixed(unit, units[i - 1], units[i + 1], model, removed, rarity(i));
      if (trim) {
        unit.trim = trim;
        changed = true;
      }
    });
    units.forEach((unit, i) => {
      if (unit.flagged || unit.keep) return;
      const finding = betweenInjected(unit, feats[i]!, units[i - 1], units[i + 1], rarity(i), all, removed, blockUnits.get(unit.block) ?? []);
      if (finding) {
        unit.flagged = finding;
        delete unit.trim;
        changed = true;
      }
    });
    if (!changed) break;
  }

  const byBlock: Unit[][] = blocks.map(() => []);
  for (const unit of units) byBlock[unit.block]!.push(unit);
  return blocks.map((block, b) => (judged(block) ? verdict(block, byBlock[b]!) : untouched(block)));
}

function flaggedAt(unit: Unit | undefined, self: Unit, side: "left" | "right"): boolean {
  if (!unit || unit.block !== self.block) return false;
  // Markup debris is no sign that the text beside it was injected: real sentences sit between tags.
  if (unit.flagged) return unit.flagged.kind !== "debris";
  // A neighbour trimmed on the edge that touches this unit is injected there.
  if (unit.trim) return side === "left" ? unit.trim.end === unit.end : unit.trim.start === unit.start;
  return false;
}

/**
 * A sentence that starts (or ends) in injected text and continues in the document's own words.
 * Scores each word (+1 foreign content word, −1.5 native one, plus he/she/I/you narration) and takes
 * the best-scoring prefix or suffix; ties go to the cut on a phrase boundary, so the rest reads on.
 * Next to injected text or a splice mark a little evidence is enough; elsewhere it takes a lot.
 */
function trimMixed(
  unit: Unit,
  prev: Unit | undefined,
  next: Unit | undefined,
  model: DocumentModel,
  removed: RemovedWords,
  rarity: Rarity,
  localise = false,
): (Range & { finding: Finding }) | undefined {
  const words = unit.words;
  if (words.length < 6 || unit.inQuoteBlock) return undefined;
  const contexts = localise
    ? { prefix: unit.leftEdge === "splice", suffix: unit.rightEdge === "splice" }
    : {
        prefix: unit.leftEdge === "splice" || flaggedAt(prev, unit, "left"),
        suffix: unit.rightEdge === "splice" || flaggedAt(next, unit, "right"),
      };
  // Without context only he/she or first-person narration can start a trim: a tutorial's closing
  // "you will see…" sentence introduces new words and addresses the reader, and that is fine.
  // Without context, he/she in a sentence that reports on a person is that person (see reportsOn);
  // a transcript's speaker says "I" and "you".
  let reported: boolean | undefined;
  const narration = (w: Word, strict: boolean) => {
    if (w.inQuote) return 0;
    if (THIRD_GENDERED.has(w.norm)) return strict && (reported ??= reportsOn(unit, model, removed) !== undefined) ? 0 : rarity.gendered;
    if (unit.spoken) return 0;
    if (FIRST_SINGULAR.has(w.norm)) return rarity.firstPerson;
    if (!strict && SECOND_PERSON.has(w.norm)) return rarity.secondPerson;
    return 0;
  };
  if (!contexts.prefix && !contexts.suffix && !words.some((w) => narration(w, true) > 0)) return undefined;

  const own = new Map<string, number>();
  for (const w of words) if (w.content) own.set(w.stem, (own.get(w.stem) ?? 0) + 1);
  // A flagged unit's own words are in `removed` too; count them once.
  const foreign = words.map((w) => {
    const mine = own.get(w.stem) ?? 0;
    return model.all.get(w.stem) - mine - (removed.words.get(w.stem) - (removed.units.has(unit) ? mine : 0)) <= 0;
  });
  const text = model.blocks[unit.block]!.text;

  for (const side of ["prefix", "suffix"] as const) {
    const context = side === "prefix" ? contexts.prefix : contexts.suffix;
    if (localise && !context) continue;
    const scores = words.map((w, i) => (w.content && !w.numeric ? (foreign[i] ? 1 : -1.5) : narration(w, !context)));
    const total = scores.reduce((s, x) => s + x, 0);
    const prefixSums: number[] = [0];
    for (const x of scores) prefixSums.push(prefixSums[prefixSums.length - 1]! + x);
    const scoreAt = (cut: number) => (side === "prefix" ? prefixSums[cut]! : total - prefixSums[cut]!);

    // Two candidate cuts: where the vocabulary turns foreign (best score, clause boundaries counting
    // for a word or so), and the clause boundary nearest the narration, for short articles whose own
    // sentences share too few words for the first to find the seam.
    const candidates: number[] = [];
    let best = -1;
    let bestValue = -Infinity;
    for (let cut = 1; cut < words.length; cut++) {
      const value = scoreAt(cut) + BOUNDARY_WEIGHT * boundaryScore(words, cut, text);
      if (value > bestValue + 1e-9) {
        best = cut;
        bestValue = value;
      }
    }
    if (best > 0) candidates.push(best);
    const narrated = words.map((w) => narration(w, !context) > 0);
    const anchor = side === "prefix" ? narrated.lastIndexOf(true) + 1 : narrated.indexOf(true);
    if (anchor > 0 && anchor < words.length) {
      let nearest = -1;
      let nearestBoundary = 0;
      const range = side === "prefix" ? [anchor, Math.min(words.length - 1, anchor + ANCHOR_REACH)] : [Math.max(1, anchor - ANCHOR_REACH), anchor];
      for (let cut = range[0]!; cut <= range[1]!; cut++) {
        const boundary = boundaryScore(words, cut, text);
        // Ties go to the cut nearest the narration.
        const closer = side === "suffix";
        if (boundary > nearestBoundary || (boundary === nearestBoundary && boundary > 0 && closer)) {
          nearest = cut;
          nearestBoundary = boundary;
        }
      }
      if (nearest > 0 && nearest !== best) candidates.push(nearest);
    }

    for (const cut of candidates) {
      const trim = acceptCut(side, cut, scoreAt(cut), context);
      if (trim) return trim;
    }
  }
  return undefined;

  function acceptCut(side: "prefix" | "suffix", cut: number, score: number, context: boolean): (Range & { finding: Finding }) | undefined {
    const [xFrom, xTo] = side === "prefix" ? [0, cut] : [cut, words.length];
    const [yFrom, yTo] = side === "prefix" ? [cut, words.length] : [0, cut];
    const stats = (from: number, to: number) => {
      const types = new Map<string, boolean>();
      let narrative = 0;
      let dialogue = false;
      for (let i = from; i < to; i++) {
        const w = words[i]!;
        if (w.content && !w.numeric) types.set(w.stem, foreign[i] === true);
        narrative += narration(w, !context);
        if (GESTURE_VERBS.has(w.norm) || DIALOGUE_VERBS.has(w.norm)) dialogue = true;
      }
      const n = types.size;
      const f = [...types.values()].filter(Boolean).length;
      return { n, f, share: n ? f / n : 0, narrative, dialogue };
    };
    const sx = stats(xFrom, xTo);
    const sy = stats(yFrom, yTo);
    const need = context ? { score: 1.25, types: 2, share: 0.6, narrative: 0.5 } : { score: 4, types: 4, share: 0.75, narrative: 1 };
    if (score < need.score - 1e-9 || sx.n < need.types || sx.share < need.share || sx.narrative < need.narrative) return undefined;
    // The rest must read as the document's own: shared vocabulary, or at least no narration and
    // clearly less foreign than the part cut off.
    if (sy.n < 4 || sy.narrative >= sx.narrative || sy.dialogue) return undefined;
    // Short articles share few words even between real sentences; then the narration, all on one
    // side of a clause boundary, is what tells the two texts apart.
    const boundary = boundaryScore(words, cut, text);
    const distinct = sy.share <= 0.35 || (sy.narrative === 0 && (sy.share <= sx.share - 0.3 || (sx.narrative >= 1.5 && boundary >= 1)));
    if (!distinct) return undefined;
    return {
      start: side === "prefix" ? unit.start : words[xFrom]!.start,
      end: side === "prefix" ? words[xTo - 1]!.end : unit.end,
      finding: { kind: "splice", signals: ["he/she/I/you narration"], found: sx.n - sx.f, total: sx.n },
    };
  }
}

/** Prefers cuts at punctuation, or between a finished phrase and one that opens. */
function boundaryScore(words: Word[], cut: number, text: string): number {
  const before = words[cut - 1];
  const after = words[cut];
  if (!before || !after) return 0;
  let score = 0;
  if (/[,;:—–()]/.test(text.slice(before.end, after.start))) score += 2;
  const opener = DETERMINERS.has(after.norm) || PREPOSITIONS.has(after.norm) || SUBJECT_PRONOUNS.has(after.norm) || CONJUNCTIONS.has(after.norm);
  // "said that | at the moment": a complementizer belongs to the clause before it.
  if (opener && COMPLEMENTIZERS.has(before.norm)) score += 1.5;
  else if (opener && before.content) score += 1;
  return score;
}

/** A short unit wedged against injected text, with nothing of the document's own to say. */
function betweenInjected(
  unit: Unit,
  f: Features,
  prev: Unit | undefined,
  next: Unit | undefined,
  rarity: Rarity,
  all: Vocabulary,
  removed: RemovedWords,
  paragraph: Unit[],
): Finding | undefined {
  const left = flaggedAt(prev, unit, "left");
  const right = flaggedAt(next, unit, "right");
  if (!left && !right) return undefined;
  const c = cohesionOf([unit], all, removed);
  const types = c?.types ?? 0;
  // Narration without pronouns ("Night fell over the valley.") still shares no word with the
  // document; a fact usually shares its topic, or carries a number. Boxed in between injected text
  // and a splice mark, or the last sentence of a paragraph otherwise injected, a longer sentence (or
  // one with a number) can be told that way too.
  const boxed = (left && unit.rightEdge === "splice") || (right && unit.leftEdge === "splice");
  const alone = paragraph.length > 1 && paragraph.every((u) => u === unit || u.debris || (u.flagged !== undefined && u.flagged.kind !== "debris"));
  const alien =
    c !== undefined && c.share === 0 && types >= 2 && types <= (boxed || alone ? 12 : 6) && (alone || !unit.words.some((w) => w.numeric)) && !f.mostlyQuote;
  if (alien && !unit.inList) return { kind: "context", signals: ["sentence next to injected text sharing no word with the document"] };
  const foreign = types <= 1 || (c !== undefined && c.share < 0.5);
  if (left && right && foreign && types <= 8) return { kind: "context", signals: ["fragment between injected spans"] };
  if (types > 8) return undefined;
  const { score: narrative, signals } = narrativeEvidence({ ...f, spliceEdge: false }, rarity, [], true);
  if (narrative >= (alone ? 0.3 : 0.6) && (foreign || f.mostlyQuote)) return { kind: "context", signals: ["narrative fragment next to injected text", ...signals] };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Output: cut the flagged spans out and mend the seams.

const KIND_LABEL: Record<FindingKind, string> = {
  debris: "markup debris",
  narrative: "narrative text unrelated to the document",
  run: "run of narrative sentences unrelated to the document",
  splice: "narrative text spliced into a sentence",
  context: "fragment next to injected text",
};

function describe(findings: Finding[]): string {
  const merged = new Map<FindingKind, Finding>();
  for (const finding of new Set(findings)) {
    const into = merged.get(finding.kind);
    if (!into) {
      merged.set(finding.kind, { ...finding, signals: [...finding.signals] });
      continue;
    }
    for (const s of finding.signals) if (!into.signals.includes(s)) into.signals.push(s);
    if (finding.total !== undefined) {
      into.found = (into.found ?? 0) + (finding.found ?? 0);
      into.total = (into.total ?? 0) + finding.total;
    }
  }
  return [...merged.values()]
    .map((f) => {
      const details = [...f.signals];
      if (f.total) details.push(`${f.found ?? 0} of ${f.total} content words found elsewhere in the document`);
      return details.length ? `${KIND_LABEL[f.kind]} (${details.join("; ")})` : KIND_LABEL[f.kind];
    })
    .join("; ");
}

function verdict(block: HygieneBlock, units: Unit[]): BlockVerdict {
  const text = block.text;
  const cuts: Array<Range & { findings: Finding[] }> = [];
  for (const unit of units) {
    if (unit.flagged) cuts.push({ start: unit.start, end: unit.end, findings: [unit.flagged] });
    else if (unit.trim) cuts.push({ start: unit.trim.start, end: unit.trim.end, findings: [unit.trim.finding] });
  }
  if (cuts.length === 0) return { text, removed: [], flagged: [] };
  cuts.sort((a, b) => a.start - b.start);

  // Neighbouring cuts with only spacing and punctuation between them are one span.
  const merged: Array<Range & { findings: Finding[] }> = [];
  for (const cut of cuts) {
    const last = merged[merged.length - 1];
    if (last && /^[\s\p{P}]*$/u.test(text.slice(last.end, cut.start))) {
      last.end = Math.max(last.end, cut.end);
      last.findings.push(...cut.findings);
    } else merged.push({ ...cut, findings: [...cut.findings] });
  }
  // Widen each cut over punctuation that would dangle at the seam.
  merged.forEach((cut, k) => {
    const floor = merged[k - 1]?.end ?? 0;
    // Never across a line break: list items and hard breaks keep their lines.
    const before = /[ \t,;:—–\-(“"‘]*$/.exec(text.slice(floor, cut.start))?.[0] ?? "";
    if (before.trim()) cut.start -= before.length;
    const ceiling = merged[k + 1]?.start ?? text.length;
    let after = /^[ \t,;:—–\-.”"’)]*/.exec(text.slice(cut.end, ceiling))?.[0] ?? "";
    // The text before may need the full stop: "… for the world and [cut]." keeps it.
    if (/^\s*[.!?]/.test(after) && !/[.!?]["”’)]?\s*$/.test(text.slice(0, cut.start))) after = "";
    if (after.trim()) cut.end += after.length;
  });

  let out = "";
  let at = 0;
  for (const cut of merged) {
    out = joinSeam(out, text.slice(at, cut.start));
    at = cut.end;
  }
  out = joinSeam(out, text.slice(at)).trim();
  // What is left around markup debris is navigation ("Share on Facebook | Tweet") unless it reads as a sentence.
  const aroundDebris =
    out !== "" && merged.some((cut) => cut.findings.some((f) => f.kind === "debris")) && out.split(/\s+/).length < 12 && !/[.!?]["”’)]?$/.test(out);
  // Nothing of substance left: the block was all debris or fiction.
  if (aroundDebris || (out.match(/\p{L}/gu) ?? []).length < 3) {
    const findings = merged.flatMap((cut) => cut.findings);
    if (aroundDebris) findings.push({ kind: "debris", signals: ["navigation text around markup"] });
    merged.splice(0, merged.length, { start: 0, end: text.length, findings });
    out = "";
  }

  const removed: Removal[] = merged.map((cut) => ({ start: cut.start, end: cut.end, reason: describe(cut.findings) }));
  const flagged: FlaggedSpan[] = removed.map((cut) => {
    // Report the words, not the seam punctuation that went with them.
    const trimmed = trimRange(text, cut.start, cut.end) ?? cut;
    let { start, end } = trimmed;
    while (start < end && /[,;:—–-]/.test(text[start]!)) start++;
    while (end > start && /[\s,:—–-]/.test(text[end - 1]!)) end--;
    const shown = trimRange(text, start, end) ?? trimmed;
    return { line: lineAt({ line: block.line, lineOffsets: block.lineOffsets ?? [] }, shown.start), text: text.slice(shown.start, shown.end), reason: cut.reason };
  });
  return { text: out, removed, flagged };
}

/** Appends `piece` after `out`, tidying spacing and case where text was cut out between them. */
function joinSeam(out: string, piece: string): string {
  const left = out.replace(/[ \t]+$/, "");
  let right = piece.replace(/^[ \t]+/, "");
  if (!left.trim()) return right.replace(/^\p{Ll}/u, (c) => c.toUpperCase());
  if (!right.trim()) return left;
  const lastWord = /([\p{L}']+)$/u.exec(left)?.[1]?.toLowerCase();
  const first = /^\p{Lu}\p{Ll}*/u.exec(right)?.[0];
  if (/[.!?]["”’)]?$/.test(left)) right = right.replace(/^\p{Ll}/u, (c) => c.toUpperCase());
  else if (lastWord && (COMPLEMENTIZERS.has(lastWord) || CONJUNCTIONS.has(lastWord) || PREPOSITIONS.has(lastWord) || DETERMINERS.has(lastWord))) {
    // "said that [cut] The SCO" → "said that the SCO": the sentence before is unfinished and goes on.
    if (first && CLAUSE_OPENERS.has(first.toLowerCase())) right = first.toLowerCase() + right.slice(first.length);
  } else if (first && /[\p{L}\p{N}]$/u.test(left)) {
    // "…firm Halvorsen Partners [cut] The deck rests": a finished clause before a new sentence.
    return `${left}. ${right}`;
  }
  if (/\n$/.test(left)) return left + right.replace(/^\n+/, "");
  return /^\n/.test(right) ? left + right : `${left} ${right}`;
}


/** A set of words, given as space-separated strings (long lists span several). */
function wordSet(...parts: string[]): Set<string> {
  return new Set(parts.join(" ").split(" ").filter(Boolean));
}
