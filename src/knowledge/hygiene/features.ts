/**
 * Narrative features of a unit: counts of pronouns, tenses, dialogue marks and the like, which the
 * narrative signals (signals.ts) and the document's voice (voice.ts) weigh. To add a feature: a field
 * here, how it adds up in COMBINE, and its count in features().
 */
import {
  ASIDE_WORDS,
  DETERMINERS,
  DIALOGUE_VERBS,
  FIRST_SINGULAR,
  GESTURE_VERBS,
  INDIRECT_OPENERS,
  INDIRECT_SPEECH_VERBS,
  NOT_PAST,
  OBJECT_PRONOUNS,
  REPORTING_VERBS,
  SECOND_PERSON,
  STOP,
  SUBJECT_PRONOUNS,
  THIRD_GENDERED,
} from "./lexicon.ts";
import { IRREGULAR_PAST } from "../../lexicon/verbs.ts";
import type { Unit, Word } from "./types.ts";
import { attributionAt } from "./units.ts";
import { isContraction } from "./words.ts";

export interface Features {
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
  /** A list item. */
  listed: boolean;
}

/** How a feature adds up over the units of a run: counts add, flags hold if any (or all) units have them, or the first unit's counts. */
const COMBINE: { [K in keyof Features]: Features[K] extends boolean ? "any" | "all" | "first" : "sum" } = {
  gendered: "sum",
  reportedGendered: "sum",
  firstNarration: "sum",
  attributed: "sum",
  dialogic: "any",
  firstPerson: "sum",
  pastTense: "sum",
  aside: "any",
  secondPerson: "sum",
  contractions: "sum",
  gesture: "sum",
  dialogue: "sum",
  reporting: "sum",
  conversationalQuote: "sum",
  mostlyQuote: "all",
  orphanStart: "first",
  question: "any",
  spliceEdge: "any",
  listed: "all",
};

/** Forms of "be" (and "get"): a participle after them is passive, no one's gesture. */
const BE_FORMS = new Set(["be", "is", "are", "was", "were", "been", "being", "am", "get", "gets", "got"]);

/** After "I", these tell what the speaker will, would or can do: plans, templates, offers, not narration. */
const MODALS = new Set(["will", "would", "can", "could", "shall", "should", "may", "might", "must"]);

/** Whether an offset of the unit lies inside parentheses. */
export function parenthesised(text: string, unit: Unit): (at: number) => boolean {
  if (!text.slice(unit.start, unit.end).includes("(")) return () => false;
  const inside: Array<[number, number]> = [];
  let open = -1;
  for (let i = unit.start; i < unit.end; i++) {
    if (text[i] === "(" && open < 0) open = i;
    else if (text[i] === ")" && open >= 0) {
      inside.push([open, i]);
      open = -1;
    }
  }
  // An aside opened and not closed in this unit runs to its end.
  if (open >= 0) inside.push([open, unit.end]);
  return (at) => inside.some(([from, to]) => from < at && at < to);
}

/** `said: “…`, `told reporters: "…`: a quotation introduced by a reporting verb. */
const INTRODUCED_QUOTE = /\b(?:said|says|told|added|stated|explained|wrote|writes|asked)\b[^"“”.!?]{0,40}:[ \t]*["“]|\b(?:paraphrase|paraphrasing|quote|quoting|in the words of)\b[^"“”.!?]{0,40}[,:][ \t]*["“]/;


/** The narrative features of one unit. */
export function features(unit: Unit, text: string): Features {
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
    listed: unit.inList,
  };
  let quoted = 0;
  let content = 0;
  let conversational = false;
  // Whether an "I" tells what it did rather than what it will, would or can do ("I will depart on [date]").
  let narrator = false;
  const aside = parenthesised(text, unit);
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
    // In parentheses the first person is an aside to the reader ("I know, I have been through it!").
    if (!unit.spoken && FIRST_SINGULAR.has(w.norm) && !aside(w.start)) {
      f.firstPerson++;
      if (/^i$|^i'(?:m|ve)$/.test(w.norm) && !MODALS.has(unit.words[i + 1]?.norm ?? "")) narrator = true;
    }
    if (!unit.spoken && SECOND_PERSON.has(w.norm)) f.secondPerson++;
    if (SECOND_PERSON.has(w.norm) || ASIDE_WORDS.has(w.norm)) f.aside = true;
    // "sponsored by" is a passive participle, "a retired headmaster" an adjective: not narrated events.
    const participle = unit.words[i + 1]?.norm === "by" || DETERMINERS.has(unit.words[i - 1]?.norm ?? "");
    // Irregular past tenses and -ed forms tell narration ("I remembered", "I saw") from an aside ("I recommend").
    if (IRREGULAR_PAST.has(w.norm) || (w.norm.length >= 5 && w.norm.endsWith("ed") && !NOT_PAST.has(w.norm) && !participle)) {
      f.pastTense++;
    }
    if (!unit.spoken && isContraction(w.norm)) f.contractions++;
    const prev = unit.words[i - 1];
    const subject = prev !== undefined && (SUBJECT_PRONOUNS.has(prev.norm) || (prev.capitalised && !STOP.has(prev.norm)));
    // Gesture verbs narrate whoever the subject is ("the elder sneered"); reporting prose has no use for them.
    // Not in the passive ("are frowned upon", "is generally frowned upon") nor in Title Case ("Frequently Asked Questions").
    const passive = BE_FORMS.has(prev?.norm ?? "") || (/ly$/.test(prev?.norm ?? "") && BE_FORMS.has(unit.words[i - 2]?.norm ?? ""));
    if (GESTURE_VERBS.has(w.norm) && !passive && !w.capitalised) f.gesture++;
    if (subject && DIALOGUE_VERBS.has(w.norm) && !passive && !w.capitalised && !indirectSpeech(unit.words, i)) f.dialogue++;
  });
  f.mostlyQuote = unit.words.length > 0 && quoted / unit.words.length > 0.6;
  const slice = text.slice(unit.start, unit.end);
  if (quoted === 0 && !unit.spoken && /\?["”’)]?$/.test(slice)) f.question = true;
  // A narrator telling in the past ("I was nine when…"), or beside a character ("I pretend not to see
  // her"), about something. Not a bare "I did not." (an aside), "I will depart on [date]" (a template
  // to fill in), or "What will I be measured on?": in a question, "I" is the reader asking.
  if (f.firstPerson > 0 && ((narrator && f.pastTense > 0) || f.gendered > 0) && content >= 2 && !f.question) f.firstNarration = f.firstPerson;
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

/** Features of units taken as one span. */
export function addFeatures(a: Features, b: Features): Features {
  const sum = { ...a } as Record<keyof Features, number | boolean>;
  for (const key of Object.keys(COMBINE) as Array<keyof Features>) {
    const how = COMBINE[key];
    if (how === "sum") sum[key] = (a[key] as number) + (b[key] as number);
    else if (how === "any") sum[key] = a[key] || b[key];
    else if (how === "all") sum[key] = a[key] && b[key];
  }
  return sum as unknown as Features;
}
