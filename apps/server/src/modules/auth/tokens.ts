import { JWT_ISSUER, JwtAudience, Limits } from '@bellhop/protocol';
import { z } from 'zod';

/** The claims of an access token after signature verification. */
export const accessClaimsSchema = z.object({
  iss: z.literal(JWT_ISSUER),
  aud: z.enum([JwtAudience.Staff, JwtAudience.Guest]),
  sub: z.guid(),
  sid: z.guid(),
  /** Optional: PROTOCOL.md names no `iat`; the server's own tokens carry it. */
  iat: z.number().int().optional(),
  exp: z.number().int(),
});
export type AccessClaims = z.infer<typeof accessClaimsSchema>;

/** What the server puts in a token besides iss/aud/sub/exp (set through the signer's options). */
export interface AccessTokenSubject {
  audience: JwtAudience;
  subjectId: string;
  sessionId: string;
}

/**
 * Checks the shape of verified claims and that `exp` is not further ahead than an access token may
 * live, from now and, when the token says when it was issued, from `iat` (a token not minted that
 * way is refused even with a valid signature). Returns null when unacceptable.
 */
export function parseAccessClaims(payload: unknown, nowSeconds: number): AccessClaims | null {
  const parsed = accessClaimsSchema.safeParse(payload);
  if (!parsed.success) return null;
  const claims = parsed.data;
  if (claims.iat !== undefined && claims.exp - claims.iat > Limits.accessTokenTtlSeconds) return null;
  if (claims.exp > nowSeconds + Limits.accessTokenTtlSeconds + Limits.jwtLeewaySeconds) return null;
  return claims;
}
