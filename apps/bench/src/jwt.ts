import { createHmac, timingSafeEqual } from 'node:crypto';
import { JWT_ISSUER, Limits, type JwtAudience } from '@bellhop/protocol';

export interface AccessClaims {
  iss: string;
  aud: JwtAudience;
  sub: string;
  sid: string;
  iat: number;
  exp: number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** An HS256 access token as the server issues them (iss bellhop, aud, sub, sid, exp ≤ 15 min). */
export function mintAccessToken(secret: string, aud: JwtAudience, sub: string, sid: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const claims: AccessClaims = {
    iss: JWT_ISSUER,
    aud,
    sub,
    sid,
    iat: nowSeconds,
    // A little under the limit so a clock step never makes it "too far ahead".
    exp: nowSeconds + Limits.accessTokenTtlSeconds - 10,
  };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url');
  return `${HEADER}.${payload}.${signature}`;
}

/** Verifies an HS256 token (signature, iss, exp); returns its claims or undefined. */
export function verifyAccessToken(secret: string, token: string, nowSeconds = Math.floor(Date.now() / 1000)): AccessClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts;
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const h = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string };
    if (h.alg !== 'HS256') return undefined;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as AccessClaims;
    if (claims.iss !== JWT_ISSUER || typeof claims.exp !== 'number' || claims.exp + Limits.jwtLeewaySeconds <= nowSeconds) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}
