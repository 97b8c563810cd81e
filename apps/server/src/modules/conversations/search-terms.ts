/**
 * Chinese, Japanese and Korean put no spaces between words, so the full-text parser takes a whole
 * run of such letters, with any Latin letters or digits next to them, for one word: 早餐 would
 * never find 你好，请问早餐几点？, nor 密码 find wifi密码. Such pieces of a search are looked for
 * as parts of the text instead (ILIKE), and the rest of it as whole words.
 *
 * The letters counted as East Asian are the same ranges as the database's `bellhop_has_cjk` and
 * `bellhop_cjk_grams` (migration SearchEastAsianGrams): Han, kana with the long-vowel mark ー,
 * Hangul. The index holds every pair of neighbouring letters of each run of them in a message; a
 * search asks the index for its runs' pairs, then checks the candidates' text. A run of one letter
 * has no pair: it is only checked in the text. The ranges hold no punctuation: 。、「」 split runs
 * as spaces do.
 */
export const EAST_ASIAN_LETTER =
  '\\u3005-\\u3007\\u303B\\u3041-\\u309F\\u30A1-\\u30FA\\u30FC-\\u30FF\\u31F0-\\u31FF\\u3400-\\u4DBF\\u4E00-\\u9FFF\\uF900-\\uFAFF\\uFF66-\\uFF9F' +
  '\\u{20000}-\\u{3134F}\\u1100-\\u11FF\\u3131-\\u318E\\uA960-\\uA97F\\uAC00-\\uD7A3\\uD7B0-\\uD7FF';

const EAST_ASIAN_RUN = new RegExp(`[${EAST_ASIAN_LETTER}]+`, 'gu');
/** A piece of the search between spaces and punctuation (letters, marks, digits) holding an East Asian letter. */
const PIECE_WITH_EAST_ASIAN = new RegExp(`[\\p{L}\\p{M}\\p{N}]*[${EAST_ASIAN_LETTER}][\\p{L}\\p{M}\\p{N}]*`, 'gu');

export interface SearchTerms {
  /** What to match as whole words (`plainto_tsquery`); empty when the search has none. */
  words: string;
  /** ILIKE patterns that must all match the text: one per piece of the search with East Asian letters. */
  fragments: string[];
  /** The index query for those pieces (a tsquery of letter pairs, all required); empty when they have no pair. */
  grams: string;
}

export function searchTerms(q: string): SearchTerms {
  // The pieces are letters, marks and digits only: no LIKE wildcard (%, _ or \) and no quote.
  const pieces = [...new Set(q.match(PIECE_WITH_EAST_ASIAN) ?? [])];
  const grams = new Set<string>();
  for (const piece of pieces) {
    for (const run of piece.match(EAST_ASIAN_RUN) ?? []) {
      const letters = [...run];
      for (let i = 0; i + 1 < letters.length; i++) grams.add(letters[i] + letters[i + 1]);
    }
  }
  const words = q.replace(PIECE_WITH_EAST_ASIAN, ' ').trim();
  return {
    words: /[\p{L}\p{N}]/u.test(words) ? words : '',
    fragments: pieces.map((piece) => `%${piece}%`),
    grams: [...grams].map((g) => `'${g}'`).join(' & '),
  };
}
