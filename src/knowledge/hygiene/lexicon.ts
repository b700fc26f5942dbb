/** Word classes the check reads text by: closed classes of English grammar and register, not the vocabulary of any document. */
import { FUNCTION_WORDS } from "../../lexicon/stopwords.ts";

/** A set of words, given as space-separated strings (long lists span several). */
function wordSet(...parts: string[]): Set<string> {
  return new Set(parts.join(" ").split(" ").filter(Boolean));
}

/**
 * Words that are no part of a document's vocabulary: function words, and words that occur in any text
 * whatever its topic, so sharing them says nothing about belonging together.
 */
export const STOP: ReadonlySet<string> = new Set([
  ...FUNCTION_WORDS,
  ...wordSet("one never always like unless within without gets getting go goes going went gone make made makes"),
]);

/** Words that open a clause; capitalised right after a lowercase word with no punctuation, they mark a splice. */
export const CLAUSE_OPENERS = wordSet(
  "the a an this that these those it its since when while after before but and however although because there they we he ",
  "she you many some all each every our his her their what why how who where then so yet also both from during if as once ",
  "in on at for with by meanwhile moreover",
);

/** Lowercase abbreviations that end in a full stop inside a sentence. */
export const ABBREVIATIONS = wordSet(
  "etc approx incl excl esp resp min max sec hrs est dept govt misc vol nos ibid viz cont corp ltd bros avg ref refs eds trans abbr",
);
export const DETERMINERS = wordSet("the a an this that these those its his her their our my your some any each every");
export const PREPOSITIONS = wordSet("at in on of for with by from to into onto about over under after before during without within through");
export const COMPLEMENTIZERS = new Set(["that", "which", "who", "whom", "whose", "whether"]);
export const CONJUNCTIONS = new Set(["and", "but", "or", "nor", "so", "yet", "when", "while", "because", "as", "if", "since", "although", "though", "where", "until", "unless"]);
/** After these a capitalised word starts a name or a title ("in The Hague", "called The Times"), not a clause. */
export const NAME_LEAD_INS = new Set([...PREPOSITIONS, ...DETERMINERS, "and", "or", "nor", "as", "than", "called", "named", "titled"]);

export const THIRD_GENDERED = new Set(["he", "she", "him", "her", "his", "hers", "himself", "herself"]);
export const FIRST_SINGULAR = new Set(["i", "me", "my", "mine", "myself", "i'm", "i'd", "i'll", "i've"]);
export const SECOND_PERSON = new Set(["you", "your", "yours", "yourself", "yourselves", "you're", "you'll", "you've", "you'd"]);
export const SUBJECT_PRONOUNS = new Set(["he", "she", "i", "they", "we", "you"]);
export const CONTRACTED_IS = /^(let|it|that|what|there|who|he|she|here)'s$/;

export const NOT_PAST = new Set(["need", "seed", "speed", "feed", "bed", "red", "shed", "hundred", "indeed", "proceed", "exceed", "succeed", "breed", "embed", "based"]);
/** An author talking to the reader, not a narrator: "please consider supporting my work", "thanks to…". */
export const ASIDE_WORDS = new Set(["please", "thanks", "thank"]);

/** Verbs of bodily reaction that attribute dialogue in narrative; reporting prose does not use them. */
export const GESTURE_VERBS = wordSet(
  "nodded snorted sighed shrugged smiled grinned frowned laughed giggled chuckled sneered scoffed blushed winked glared ",
  "smirked gasped sobbed pouted groaned huffed beamed blinked stared glanced winced scowled grimaced",
);
/** Verbs that carry direct speech in narrative more than in reporting. */
export const DIALOGUE_VERBS = wordSet(
  "asked replied answered shouted whispered murmured muttered yelled exclaimed screamed cried retorted teased snapped pleaded begged growled hissed snarled grumbled stammered",
);
/** Reporting verbs: normal in news, only a weak hint after a closing quote with a pronoun subject. */
export const REPORTING_VERBS = wordSet("said says told added noted stated explained");
/** Speech verbs that also report speech indirectly ("asked for a delay", "replied that…"); then they are no dialogue. */
export const INDIRECT_SPEECH_VERBS = new Set(["asked", "answered", "replied", "pleaded", "begged"]);
/** Words that open reported speech or an object clause after a speech verb. */
export const INDIRECT_OPENERS = new Set(["for", "to", "that", "whether", "if", "about", "how", "why", "what", "when", "where", "who"]);
export const OBJECT_PRONOUNS = new Set(["him", "her", "them", "me", "us", "you", "it"]);

