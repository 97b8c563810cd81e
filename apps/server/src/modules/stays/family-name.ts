// Letters that Unicode decomposition does not split into a base letter plus a mark.
const FOLDS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  ı: 'i',
  þ: 'th',
};

/**
 * The form family names are matched in (`stays.family_name_key`): no accents, lower case, no
 * surrounding spaces, inner runs of spaces as one. `  Müller-Lüdenscheidt ` and
 * `muller-ludenscheidt` fold alike.
 */
export function foldFamilyName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøđðłıþ]/g, (c) => FOLDS[c] ?? c)
    .replace(/\s+/g, ' ')
    .trim();
}
