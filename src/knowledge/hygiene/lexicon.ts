/** Word classes the check reads text by: closed classes of English grammar and register, not the vocabulary of any document. */

/** A set of words, given as space-separated strings (long lists span several). */
function wordSet(...parts: string[]): Set<string> {
  return new Set(parts.join(" ").split(" ").filter(Boolean));
}

export const STOP = wordSet(
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

/** Common irregular past tenses; with -ed forms they tell narration ("I remembered", "I saw") from an author's aside ("I recommend"). */
export const IRREGULAR_PAST = wordSet(
  "was were had did came went saw felt knew thought told said took gave found left got ran stood sat fell held heard kept lost ",
  "met paid put spoke wrote began brought caught drew drove ate forgot grew hid hung lay led meant rose sang sent shook slept ",
  "stole struck swam threw understood woke wore won",
);
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

