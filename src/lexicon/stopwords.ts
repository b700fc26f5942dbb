/**
 * The English stop words, in one place for search and the hygiene check: words that carry no topic.
 *
 * Function words: pronouns, determiners, prepositions, conjunctions, auxiliaries and their contractions,
 * and adverbs of degree and time. Neither indexed nor searched, and no part of a document's vocabulary
 * to the hygiene check. ("unless" stays out: a condition changes what a question asks.)
 */
export const FUNCTION_WORDS: ReadonlySet<string> = words(
  `a about above after again against all am an and any are aren't as at be because been before being below
  between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
  few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself
  him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most
  mustn't my myself no nor not of off on once only or other ought our ours ourselves out over own same shan't
  she she'd she'll she's should shouldn't so some such than that that's the their theirs them themselves then
  there there's these they they'd they'll they're they've this those through to too under until up very was
  wasn't we we'd we'll we're we've were weren't what what's when when's where where's which while who who's
  whom why why's will with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves
  also just may might must shall us get got
  does there's s t d ll m re ve many much often although among another either
  else even ever every however least less neither now others per quite rather since though thus via whatever
  whenever whether whose yet onto let still soon really anyway towards toward upon`);

/**
 * Words people phrase a question with ("tell me", "I want to know", "what does it mean"): they say
 * what is asked for, not what about. Search drops them; in a document they are words like any other.
 */
export const QUESTION_WORDS: ReadonlySet<string> = words(`tell please anyone someone something thing things know want explain mean means`);

/** What search neither indexes nor searches. */
export const STOP_WORDS: ReadonlySet<string> = new Set([...FUNCTION_WORDS, ...QUESTION_WORDS]);

function words(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter(Boolean));
}
