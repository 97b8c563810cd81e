import { foldFamilyName } from './family-name.js';

describe('foldFamilyName', () => {
  it.each([
    ['Müller', 'muller'],
    ['  MÜLLER  ', 'muller'],
    ['Muller', 'muller'],
    ['Jiménez', 'jimenez'],
    ['Ångström', 'angstrom'],
    ['Straße', 'strasse'],
    ['Łukasiewicz', 'lukasiewicz'],
    ['Ødegård', 'odegard'],
    ['van  der   Berg', 'van der berg'],
    ['Nguyễn', 'nguyen'],
    ['O’Brien', 'o’brien'],
  ])('%s → %s', (input, folded) => {
    expect(foldFamilyName(input)).toBe(folded);
  });

  it('folds precomposed and decomposed accents alike', () => {
    expect(foldFamilyName('Mu\u0308ller')).toBe(foldFamilyName('M\u00fcller'));
  });

  it('keeps different names apart', () => {
    expect(foldFamilyName('Müller')).not.toBe(foldFamilyName('Miller'));
  });
});
