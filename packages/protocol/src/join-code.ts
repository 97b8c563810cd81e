/** Join codes: 8 characters from this alphabet (no 0/O, 1/I), shown as `ABCD-EFGH`. */
export const JOIN_CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const JOIN_CODE_LENGTH = 8;

const CANONICAL = new RegExp(`^[${JOIN_CODE_ALPHABET}]{${JOIN_CODE_LENGTH}}$`);

/** `abcd-efgh`, `ABCDEFGH`, ` abcd efgh ` → `ABCDEFGH`; null when it cannot be a join code. */
export function normalizeJoinCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  return CANONICAL.test(code) ? code : null;
}

/** `ABCDEFGH` → `ABCD-EFGH`. */
export function formatJoinCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
