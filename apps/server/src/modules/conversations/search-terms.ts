/**
 * Chinese, Japanese and Korean put no spaces between words, so the full-text parser takes a whole
 * run of such letters, with any Latin letters or digits next to them, for one word: 早餐 would
 * never find 你好，请问早餐几点？, nor 密码 find wifi密码. Such pieces of a search are looked for
 * as parts of the text instead (ILIKE), and the rest of it as whole words.
 *
 * The letters counted as East Asian are the same ranges as the database's `bellhop_has_cjk` and
 * `bellhop_cjk_grams` (migration SearchEastAsianGrams): Han, kana with the long-vowel mark ー,
 * Hangul. The index holds every pair of neighbouring characters in each run of such letters and
 * digits, ASCII or full-width, in a message (3楼 gives 3楼, 早餐 早餐); a search asks the index for
 * its runs' pairs, then checks the candidates' text. A run of one letter has no pair: it is only
 * checked in the text. The ranges hold no punctuation: 。、「」 split runs as spaces do.
 */
export const EAST_ASIAN_LETTER =
  '\\u3005-\\u3007\\u303B\\u3041-\\u309F\\u30A1-\\u30FA\\u30FC-\\u30FF\\u31F0-\\u31FF\\u3400-\\u4DBF\\u4E00-\\u9FFF\\uF900-\\uFAFF\\uFF66-\\uFF9F' +
  '\\u{20000}-\\u{3134F}\\u1100-\\u11FF\\u3131-\\u318E\\uA960-\\uA97F\\uAC00-\\uD7A3\\uD7B0-\\uD7FF';

const EAST_ASIAN = new RegExp(`[${EAST_ASIAN_LETTER}]`, 'u');
/** A run of East Asian letters and digits (ASCII or full-width) holding at least one such letter: 早餐, 3楼, ３階, 2024年3月. */
const PAIRED = `0-9\\uFF10-\\uFF19${EAST_ASIAN_LETTER}`;
const PAIRED_RUN = new RegExp(`[${PAIRED}]*[${EAST_ASIAN_LETTER}][${PAIRED}]*`, 'gu');
/** Letters, marks and digits: what a piece of text to find is made of (no LIKE wildcard, no quote). */
const PIECE = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * Every pair of neighbouring characters in the runs of `text` that the index holds, as the
 * database's `bellhop_cjk_grams` gives them (a run of one character has none).
 */
export function letterPairs(text: string): string[] {
  const pairs = new Set<string>();
  for (const run of text.match(PAIRED_RUN) ?? []) {
    const chars = [...run];
    for (let i = 0; i + 1 < chars.length; i++) pairs.add(chars[i] + chars[i + 1]);
  }
  return [...pairs];
}

export interface SearchTerms {
  /** What to match as whole words (`plainto_tsquery`); empty when the search has none. */
  words: string;
  /** ILIKE patterns that must all match the text: the pieces of the search's East Asian chunks. */
  fragments: string[];
  /** The index query for those pieces (a tsquery of character pairs, all required); empty when they have no pair. */
  grams: string;
}

/**
 * A chunk of the search (between spaces) with an East Asian letter in it is looked for as parts
 * of the text, all of it: its pieces between punctuation, Latin ones too. The full-text parser
 * reads such text differently from the search (3.5元 is one word to it, 3. another), so a chunk
 * sent there in part would miss what it was typed from. Other chunks are whole words.
 */
export function searchTerms(q: string): SearchTerms {
  const words: string[] = [];
  const fragments = new Set<string>();
  const pairs = new Set<string>();
  for (const chunk of q.split(/\s+/u)) {
    if (!EAST_ASIAN.test(chunk)) {
      words.push(chunk);
      continue;
    }
    for (const piece of chunk.match(PIECE) ?? []) {
      fragments.add(piece);
      for (const pair of letterPairs(piece)) pairs.add(pair);
    }
  }
  const rest = words.join(' ').trim();
  return {
    words: /[\p{L}\p{N}]/u.test(rest) ? rest : '',
    fragments: [...fragments].map((piece) => `%${piece}%`),
    grams: [...pairs].map((pair) => `'${pair}'`).join(' & '),
  };
}
