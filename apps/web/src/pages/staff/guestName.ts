// Han, kana and Hangul: names written family name first, with no space between.
const EAST_ASIAN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * A guest's full name as it is written: "Mei Zhang", but 王伟 for a name in Chinese, Japanese or
 * Korean script (family name first). The guest name alone from a server that does not send the
 * family name.
 */
export function guestFullName(stay: { guestName: string; familyName?: string }): string {
  if (!stay.familyName) return stay.guestName;
  if (EAST_ASIAN.test(stay.guestName) && EAST_ASIAN.test(stay.familyName)) return `${stay.familyName}${stay.guestName}`;
  return `${stay.guestName} ${stay.familyName}`;
}
