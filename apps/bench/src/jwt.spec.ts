import { mintAccessToken, verifyAccessToken } from './jwt.js';

const secret = 'x'.repeat(48);

describe('access tokens', () => {
  it('round-trips the claims the gateway reads', () => {
    const now = 1_800_000_000;
    const token = mintAccessToken(secret, 'guest', '6f1c5a8e-1111-4222-8333-444455556666', 'a1b2c3d4-1111-4222-8333-444455556666', now);
    const claims = verifyAccessToken(secret, token, now + 10);
    expect(claims).toMatchObject({ iss: 'bellhop', aud: 'guest', sub: '6f1c5a8e-1111-4222-8333-444455556666' });
    expect(claims!.exp - now).toBeLessThanOrEqual(900);
  });

  it('refuses another secret, a tampered payload and an expired token', () => {
    const now = 1_800_000_000;
    const token = mintAccessToken(secret, 'staff', 's', 'sid', now);
    expect(verifyAccessToken('y'.repeat(48), token, now)).toBeUndefined();
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ iss: 'bellhop', aud: 'staff', sub: 'other', exp: now + 100 })).toString('base64url');
    expect(verifyAccessToken(secret, `${h}.${forged}.${s}`, now)).toBeUndefined();
    expect(verifyAccessToken(secret, token, now + 2000)).toBeUndefined();
  });
});
