import { JOIN_CODE_ALPHABET, formatJoinCode, normalizeJoinCode } from '@bellhop/protocol';
import { generateJoinCode } from './join-code.js';

describe('join codes', () => {
  it('are 8 characters of the protocol alphabet', () => {
    for (let i = 0; i < 200; i++) {
      const code = generateJoinCode();
      expect(code).toMatch(/^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}$/);
    }
  });

  it('use the whole alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) for (const c of generateJoinCode()) seen.add(c);
    expect([...seen].sort().join('')).toBe([...JOIN_CODE_ALPHABET].sort().join(''));
  });

  it('are shown as ABCD-EFGH and read back in any case, with or without the dash', () => {
    const code = generateJoinCode();
    const shown = formatJoinCode(code);
    expect(shown).toMatch(/^.{4}-.{4}$/);
    for (const typed of [shown, shown.toLowerCase(), code, code.toLowerCase(), ` ${shown.toLowerCase()} `]) {
      expect(normalizeJoinCode(typed)).toBe(code);
    }
  });

  it('refuse what cannot be a code', () => {
    for (const typed of ['ABCD-EFG', 'ABCD-EFGHJ', 'ABCD-EFG0', 'ABCD-EFGI', 'ABCD_EFGH', '']) {
      expect(normalizeJoinCode(typed)).toBeNull();
    }
  });
});
