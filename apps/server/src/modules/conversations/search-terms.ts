/**
 * Chinese, Japanese and Korean put no spaces between words, so the full-text parser takes a whole
 * run of such characters for one word: 早餐 would never find 你好，请问早餐几点？. Those runs of a
 * search are looked for as parts of the text instead, and the rest of it as whole words.
 */
const EAST_ASIAN_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;

export interface SearchTerms {
  /** What to match as whole words (`plainto_tsquery`); empty when the search has none. */
  words: string;
  /** LIKE patterns that must all match the text: one per East Asian run of the search. */
  fragments: string[];
}

export function searchTerms(q: string): SearchTerms {
  // The runs hold no LIKE wildcard (%, _ or \): they are made of East Asian letters only.
  const fragments = [...new Set(q.match(EAST_ASIAN_RUN) ?? [])].map((run) => `%${run}%`);
  const words = q.replace(EAST_ASIAN_RUN, ' ').trim();
  return { words: /[\p{L}\p{N}]/u.test(words) ? words : '', fragments };
}
