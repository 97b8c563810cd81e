import { formatJoinCode, normalizeJoinCode } from './join-code.js';

describe('join codes', () => {
  it.each(['ABCD-EFGH', 'abcdefgh', ' abcd-efgh ', 'AbCd EfGh'])('normalises %j', (input) => {
    expect(normalizeJoinCode(input)).toBe('ABCDEFGH');
  });
  it.each(['ABCD-EFG', 'ABCD-EFGHJ', 'ABCD-EFG0', 'ABCD-EFG1', 'OOOO-IIII', ''])('refuses %j', (input) => {
    expect(normalizeJoinCode(input)).toBeNull();
  });
  it('formats with a dash', () => {
    expect(formatJoinCode('ABCDEFGH')).toBe('ABCD-EFGH');
  });
});
