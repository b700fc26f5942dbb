/**
 * English irregular verbs, which a suffix stemmer cannot relate to their base ("said" is not "say" to
 * Porter). Search maps each form to its base; the hygiene check reads the past forms as a story told
 * in the past. A form marked `*` is also a common word of its own ("found", "left", "saw", "lay"), so
 * search leaves it as written.
 */

/** One verb per entry: base, simple past, past participle ("-" when it is the simple past). */
const VERBS = `
  be was* been*, have had* -, do did* done*, say said -, tell told -, speak spoke spoken, write wrote written,
  go went gone, come came come, make made -, take took taken, give gave given, begin began begun, know knew known,
  think thought -, hold held -, bring brought -, buy bought -, build built -, choose chose chosen, run ran run,
  meet met -, lead led -, win won -, lose lost -, pay paid -, send sent -, spend spent -, keep kept -, feel felt -,
  stand stood -, understand understood -, grow grew grown, draw drew drawn, fall fell fallen, rise rose risen,
  eat ate eaten, drive drove driven, fly flew flown, throw threw thrown, wear wore worn, break broke broken,
  forget forgot forgotten, freeze froze frozen, hide hid hidden, sell sold -, become became become, seek sought -,
  teach taught -, catch caught -, fight fought -, sing sang sung, swim swam swum, shake shook shaken, strike struck -,
  sleep slept -, leave left* -, mean meant -, hear heard -, set set set, get got gotten, see saw* seen, find found* -,
  lie lay* lain, sit sat* -, hang hung* -, put put put, steal stole* stolen, wake woke* woken`
  .split(",")
  .map((entry) => entry.trim().split(/\s+/) as [string, string, string]);

/** Present forms a stemmer gets wrong too: "says" is not "say" to Porter, "leaves" would become "leaf". */
const PRESENT: Record<string, string> = { says: "say", goes: "go", leaves: "leave", sets: "set" };

const plain = (form: string) => form.replace("*", "");

/** Irregular form → base, for search: every past form and participle that is no word of its own. */
export const IRREGULAR_FORMS: ReadonlyMap<string, string> = new Map([
  ...VERBS.flatMap(([base, past, participle]) =>
    [past, participle === "-" ? past : participle].filter((form) => !form.endsWith("*") && form !== base).map((form) => [form, base] as [string, string]),
  ),
  ...Object.entries(PRESENT),
]);

/**
 * Simple past forms of the irregular verbs, common words of their own included ("was", "saw", "left"),
 * but not those spelt like the base ("put", "set"): those are as often present tense.
 */
export const IRREGULAR_PAST: ReadonlySet<string> = new Set(["were", ...VERBS.filter(([base, past]) => plain(past) !== base).map(([, past]) => plain(past))]);
