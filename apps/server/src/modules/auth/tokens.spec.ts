import { parseAccessClaims } from './tokens.js';

const now = 1_800_000_000;
const base = {
  iss: 'bellhop',
  aud: 'staff',
  sub: '7b0c3c9e-5f8e-4f3a-9d61-3f2d0f3e8a11',
  sid: '0d5e2b7c-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
  iat: now,
  exp: now + 900,
};

describe('parseAccessClaims', () => {
  it('accepts the claims the server mints', () => {
    expect(parseAccessClaims(base, now)).toEqual(base);
    expect(parseAccessClaims({ ...base, aud: 'guest' }, now)?.aud).toBe('guest');
  });

  it.each([
    ['another issuer', { iss: 'someone' }],
    ['an unknown audience', { aud: 'admin' }],
    ['a subject that is not an id', { sub: 'admin' }],
    ['no session id', { sid: undefined }],
    ['no exp', { exp: undefined }],
    ['a lifetime above 15 minutes', { exp: now + 901 }],
  ])('refuses %s', (_name, change) => {
    expect(parseAccessClaims({ ...base, ...change }, now)).toBeNull();
  });

  it('accepts a token without iat whose exp is at most 15 minutes (plus leeway) ahead', () => {
    const { iat: _iat, ...noIat } = base;
    expect(parseAccessClaims({ ...noIat, exp: now + 600 }, now)).toEqual({ ...noIat, exp: now + 600 });
    expect(parseAccessClaims({ ...noIat, exp: now + 930 }, now)).not.toBeNull();
    expect(parseAccessClaims({ ...noIat, exp: now + 931 }, now)).toBeNull();
  });

  it('refuses an exp further ahead than 15 minutes plus leeway, whatever iat says', () => {
    expect(parseAccessClaims({ ...base, iat: now + 3600, exp: now + 3600 + 60 }, now)).toBeNull();
  });

  it('refuses a payload that is not an object', () => {
    expect(parseAccessClaims('sub', now)).toBeNull();
    expect(parseAccessClaims(null, now)).toBeNull();
  });
});
