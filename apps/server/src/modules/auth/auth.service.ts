import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  type GuestAuthResponse,
  type JoinRequest,
  JwtAudience,
  Limits,
  type LoginRequest,
  type RefreshResponse,
  type StaffAuthResponse,
  normalizeJoinCode,
} from '@bellhop/protocol';
import type { Actor } from '../../common/actor.js';
import { foldFamilyName } from '../stays/family-name.js';
import { AuthException } from './auth.exception.js';
import { AuthRepository, type GuestStayRow, type SessionPrincipalRow, type StaffCredentialsRow, type SubjectType } from './auth.repository.js';
import { PasswordService } from './password.service.js';
import { REFRESH_TOKEN_TTL_SECONDS } from './refresh-cookie.js';
import { SessionEndReason, SessionsService } from './sessions.service.js';
import { ThrottleKind } from './throttle.js';
import { ThrottleService } from './throttle.service.js';
import { TokenService } from './token.service.js';
import type { AccessClaims } from './tokens.js';

/** One message for a wrong password, an unknown user and a disabled account alike. */
const LOGIN_FAILED = 'invalid username or password';
const JOIN_FAILED = 'no active stay matches this code, or this room and name';

/** A response body and the refresh token to set as the cookie. */
export interface Issued<T> {
  body: T;
  refreshToken: string;
}

function hashRefreshToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function toStaffUser(row: StaffCredentialsRow): StaffAuthResponse['user'] {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    disabled: row.disabled,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** The session's subject as read with the rotation (undefined when it no longer exists). */
type RefreshedSubject = { type: 'staff'; user: StaffCredentialsRow | undefined } | { type: 'guest'; stay: GuestStayRow | undefined };

type RefreshOutcome =
  | { kind: 'ok'; sessionId: string; subject: RefreshedSubject; refreshToken: string }
  | { kind: 'refused' };

@Injectable()
export class AuthService {
  constructor(
    private readonly repo: AuthRepository,
    private readonly passwords: PasswordService,
    private readonly tokens: TokenService,
    private readonly sessions: SessionsService,
    private readonly throttle: ThrottleService,
  ) {}

  /**
   * Verifies an access token and reads its session and subject from the database. Throws an
   * AuthException (unauthorized) for anything not acceptable; database errors pass through.
   */
  async authenticateAccessToken(token: string): Promise<{ actor: Actor; expiresAt: number }> {
    return this.authenticateClaims(this.verifyAccessToken(token));
  }

  /** The actor of verified claims, its session read from the database; as authenticateAccessToken. */
  async authenticateClaims(claims: AccessClaims): Promise<{ actor: Actor; expiresAt: number }> {
    return this.actorFromPrincipal(claims, await this.repo.findSessionPrincipal(claims.sid));
  }

  /** The claims of a valid, current access token; else throws unauthorized. */
  verifyAccessToken(token: string): AccessClaims {
    const claims = this.tokens.verify(token);
    if (!claims) throw AuthException.unauthorized('invalid or expired access token');
    return claims;
  }

  /**
   * The actor of a verified token, given its session as read from the database (the view
   * `session_principals`); throws unauthorized for an ended session, a disabled staff member or a
   * checked-out stay.
   */
  actorFromPrincipal(claims: AccessClaims, p: SessionPrincipalRow | undefined): { actor: Actor; expiresAt: number } {
    if (!p || p.ended || p.subject_type !== claims.aud || p.subject_id !== claims.sub) {
      throw AuthException.unauthorized('the session has ended');
    }
    const expiresAt = claims.exp * 1000;
    if (p.subject_type === 'staff') {
      if (p.role === null || p.disabled !== false) throw AuthException.unauthorized('the session has ended');
      return { actor: { type: 'staff', id: p.subject_id, sessionId: claims.sid, role: p.role, name: p.display_name ?? '' }, expiresAt };
    }
    if (p.stay_status !== 'active' || !p.conversation_id) throw AuthException.unauthorized('the stay is checked out');
    return {
      actor: {
        type: 'guest',
        id: p.subject_id,
        sessionId: claims.sid,
        name: p.guest_name ?? '',
        roomNumber: p.room_number ?? '',
        conversationId: p.conversation_id,
      },
      expiresAt,
    };
  }

  async login(input: LoginRequest, address: string): Promise<Issued<StaffAuthResponse>> {
    const keys: Array<[ThrottleKind, string]> = [
      [ThrottleKind.LoginUsername, input.username],
      [ThrottleKind.LoginAddress, address],
    ];
    await this.throttle.assertOpen(keys);
    const user = await this.repo.findStaffByUsername(input.username);
    const ok = user ? await this.passwords.verify(user.password_hash, input.password) : await this.passwords.verifyNothing(input.password);
    if (!user || !ok || user.disabled) {
      await this.throttle.recordFailure(keys);
      throw AuthException.unauthorized(LOGIN_FAILED);
    }
    await this.throttle.clear(ThrottleKind.LoginUsername, input.username);
    const { sessionId, refreshToken } = await this.startSession('staff', user.id);
    return { body: this.staffResponse(user, sessionId), refreshToken };
  }

  async join(input: JoinRequest, address: string): Promise<Issued<GuestAuthResponse>> {
    const keys: Array<[ThrottleKind, string]> = [[ThrottleKind.JoinAddress, address]];
    await this.throttle.assertOpen(keys);
    let stay: GuestStayRow | undefined;
    if ('code' in input) {
      const code = normalizeJoinCode(input.code);
      stay = code ? await this.repo.findActiveStayByCode(code) : undefined;
    } else {
      stay = await this.repo.findActiveStayByRoomAndName(input.roomNumber, foldFamilyName(input.familyName));
    }
    if (!stay) {
      await this.throttle.recordFailure(keys);
      throw AuthException.unauthorized(JOIN_FAILED);
    }
    const { sessionId, refreshToken } = await this.startSession('guest', stay.id);
    return { body: this.guestResponse(stay, sessionId), refreshToken };
  }

  /**
   * Exchanges a refresh token for a new one and a new access token. A token already exchanged is
   * refused; when that exchange is older than the grace period, the token was stolen or replayed
   * and the whole session ends.
   */
  async refresh(refreshToken: string | undefined): Promise<Issued<RefreshResponse>> {
    if (!refreshToken) throw AuthException.unauthorized('no refresh token');
    const tokenHash = hashRefreshToken(refreshToken);
    // The transaction commits in every case (a revocation must stick); the refusal is thrown after.
    const outcome = await this.repo.transaction(async (tx): Promise<RefreshOutcome> => {
      const row = await this.repo.lockRefreshToken(tx, tokenHash);
      if (!row || row.session_ended) return { kind: 'refused' };
      if (row.rotated_seconds_ago !== null) {
        if (row.rotated_seconds_ago > Limits.refreshReuseGraceSeconds) {
          await this.sessions.endSessions([row.session_id], SessionEndReason.RefreshReuse, tx);
        }
        return { kind: 'refused' };
      }
      if (row.expired) return { kind: 'refused' };
      const next = newRefreshToken();
      await this.repo.markRotated(tx, tokenHash, row.session_id);
      await this.repo.insertRefreshToken(tx, hashRefreshToken(next), row.session_id, REFRESH_TOKEN_TTL_SECONDS);
      // Read with the rotation, not after its COMMIT: a failed read then would leave the client
      // without the new token while its old one counts as used.
      const subject =
        row.subject_type === 'staff'
          ? { type: 'staff' as const, user: await this.repo.findStaffById(row.subject_id, tx) }
          : { type: 'guest' as const, stay: await this.repo.findStay(row.subject_id, tx) };
      return { kind: 'ok', sessionId: row.session_id, subject, refreshToken: next };
    });
    if (outcome.kind === 'refused') throw AuthException.unauthorized('invalid refresh token');

    const { subject } = outcome;
    if (subject.type === 'staff') {
      if (!subject.user || subject.user.disabled) throw AuthException.unauthorized('invalid refresh token');
      return { body: this.staffResponse(subject.user, outcome.sessionId), refreshToken: outcome.refreshToken };
    }
    if (!subject.stay || subject.stay.status !== 'active') throw AuthException.unauthorized('the stay is checked out');
    return { body: this.guestResponse(subject.stay, outcome.sessionId), refreshToken: outcome.refreshToken };
  }

  /** Ends the session of the refresh cookie and/or of the bearer token; succeeds when there is none. */
  async logout(refreshToken: string | undefined, accessToken: string | undefined): Promise<void> {
    const ids = new Set<string>();
    if (refreshToken) {
      const sessionId = await this.repo.findRefreshTokenSession(hashRefreshToken(refreshToken));
      if (sessionId) ids.add(sessionId);
    }
    if (accessToken) {
      const claims = this.tokens.verify(accessToken);
      if (claims) ids.add(claims.sid);
    }
    await this.sessions.endSessions([...ids], SessionEndReason.Logout);
  }

  private async startSession(subjectType: SubjectType, subjectId: string): Promise<{ sessionId: string; refreshToken: string }> {
    const refreshToken = newRefreshToken();
    const sessionId = await this.repo.transaction(async (tx) => {
      const id = await this.repo.createSession(tx, subjectType, subjectId);
      await this.repo.insertRefreshToken(tx, hashRefreshToken(refreshToken), id, REFRESH_TOKEN_TTL_SECONDS);
      return id;
    });
    return { sessionId, refreshToken };
  }

  private staffResponse(user: StaffCredentialsRow, sessionId: string): StaffAuthResponse {
    const access = this.tokens.sign({ audience: JwtAudience.Staff, subjectId: user.id, sessionId });
    return { accessToken: access.token, expiresAt: new Date(access.expiresAt).toISOString(), user: toStaffUser(user) };
  }

  private guestResponse(stay: GuestStayRow, sessionId: string): GuestAuthResponse {
    const access = this.tokens.sign({ audience: JwtAudience.Guest, subjectId: stay.id, sessionId });
    return {
      accessToken: access.token,
      expiresAt: new Date(access.expiresAt).toISOString(),
      guest: { id: stay.id, name: stay.guest_name, roomNumber: stay.room_number },
      conversationId: stay.conversation_id,
    };
  }
}
