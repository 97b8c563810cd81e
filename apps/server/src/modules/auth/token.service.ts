import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { JWT_ISSUER, JwtAudience, Limits } from '@bellhop/protocol';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { type AccessClaims, type AccessTokenSubject, parseAccessClaims } from './tokens.js';

/** Signs and verifies access tokens: HS256 only, iss/aud/exp checked with the protocol's leeway. */
@Injectable()
export class TokenService {
  private readonly jwt: JwtService;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    // A KeyObject, not a string: given a string, every verify first tries (and fails) to parse it as a public key.
    this.jwt = new JwtService({ secret: createSecretKey(Buffer.from(config.jwtSecret, 'utf8')) });
  }

  sign(subject: AccessTokenSubject, nowMs: number = Date.now()): { token: string; expiresAt: number } {
    const iat = Math.floor(nowMs / 1000);
    const exp = iat + Limits.accessTokenTtlSeconds;
    const token = this.jwt.sign(
      { sid: subject.sessionId, iat, exp },
      { algorithm: 'HS256', issuer: JWT_ISSUER, audience: subject.audience, subject: subject.subjectId },
    );
    return { token, expiresAt: exp * 1000 };
  }

  /** The verified claims, or null for any token that is not one of ours and current. */
  verify(token: string): AccessClaims | null {
    let payload: unknown;
    try {
      payload = this.jwt.verify(token, {
        // Pinned: refuses `none`, RS256-with-the-secret-as-key and every other algorithm.
        algorithms: ['HS256'],
        issuer: JWT_ISSUER,
        audience: [JwtAudience.Staff, JwtAudience.Guest],
        clockTolerance: Limits.jwtLeewaySeconds,
      });
    } catch {
      return null;
    }
    return parseAccessClaims(payload, Math.floor(Date.now() / 1000));
  }
}
