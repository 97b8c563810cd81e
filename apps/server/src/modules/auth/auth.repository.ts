import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import type { StaffRole } from '@bellhop/protocol';
import { poolOf, queryRows } from '../../common/sql.js';
import type { ThrottleKind } from './throttle.js';

export type SubjectType = 'staff' | 'guest';

export interface StaffCredentialsRow {
  id: string;
  username: string;
  display_name: string;
  role: StaffRole;
  disabled: boolean;
  password_hash: string;
  created_at: Date;
}

export interface GuestStayRow {
  id: string;
  guest_name: string;
  room_number: string;
  status: 'active' | 'checked_out';
  conversation_id: string;
}

/** A session with its subject as the database holds it now (never as a token claims it). */
/** A session with its subject (the view session_principals). */
export interface SessionPrincipalRow {
  subject_type: SubjectType;
  subject_id: string;
  ended: boolean;
  role: StaffRole | null;
  display_name: string | null;
  disabled: boolean | null;
  stay_status: 'active' | 'checked_out' | null;
  guest_name: string | null;
  room_number: string | null;
  conversation_id: string | null;
}

export interface RefreshTokenRow {
  session_id: string;
  subject_type: SubjectType;
  subject_id: string;
  session_ended: boolean;
  expired: boolean;
  /** Seconds since this token was exchanged, by the database clock; null when it never was. */
  rotated_seconds_ago: number | null;
}

const STAFF_COLUMNS = 'id, username, display_name, role, disabled, password_hash, created_at';
const GUEST_COLUMNS = 's.id, s.guest_name, s.room_number, s.status, c.id AS conversation_id';

@Injectable()
export class AuthRepository {
  constructor(private readonly ds: DataSource) {}

  private get pool(): pg.Pool {
    // TypeORM's Postgres driver keeps its pg.Pool here.
    return poolOf(this.ds);
  }

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  async findStaffByUsername(username: string): Promise<StaffCredentialsRow | undefined> {
    const rows = await queryRows<StaffCredentialsRow>(
      this.ds.manager,
      `SELECT ${STAFF_COLUMNS} FROM staff_users WHERE lower(username) = lower($1)`,
      [username],
    );
    return rows[0];
  }

  async findStaffById(id: string, tx: EntityManager = this.ds.manager): Promise<StaffCredentialsRow | undefined> {
    const rows = await queryRows<StaffCredentialsRow>(tx, `SELECT ${STAFF_COLUMNS} FROM staff_users WHERE id = $1`, [id]);
    return rows[0];
  }

  async findActiveStayByCode(code: string): Promise<GuestStayRow | undefined> {
    const rows = await queryRows<GuestStayRow>(
      this.ds.manager,
      `SELECT ${GUEST_COLUMNS} FROM stays s JOIN conversations c ON c.stay_id = s.id
        WHERE s.join_code = $1 AND s.status = 'active'`,
      [code],
    );
    return rows[0];
  }

  async findActiveStayByRoomAndName(roomNumber: string, familyNameKey: string): Promise<GuestStayRow | undefined> {
    const rows = await queryRows<GuestStayRow>(
      this.ds.manager,
      `SELECT ${GUEST_COLUMNS} FROM stays s JOIN conversations c ON c.stay_id = s.id
        WHERE lower(s.room_number) = lower($1) AND s.family_name_key = $2 AND s.status = 'active'`,
      [roomNumber, familyNameKey],
    );
    return rows[0];
  }

  async findStay(id: string, tx: EntityManager = this.ds.manager): Promise<GuestStayRow | undefined> {
    const rows = await queryRows<GuestStayRow>(
      tx,
      `SELECT ${GUEST_COLUMNS} FROM stays s JOIN conversations c ON c.stay_id = s.id WHERE s.id = $1`,
      [id],
    );
    return rows[0];
  }

  async createSession(tx: EntityManager, subjectType: SubjectType, subjectId: string): Promise<string> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `INSERT INTO sessions (subject_type, subject_id) VALUES ($1, $2) RETURNING id`,
      [subjectType, subjectId],
    );
    return rows[0].id;
  }

  /** Read on every request: a named statement straight on the pool, planned once per connection. */
  async findSessionPrincipal(sessionId: string): Promise<SessionPrincipalRow | undefined> {
    const { rows } = await this.pool.query<SessionPrincipalRow>({
      name: 'bh_session_principal',
      text: `SELECT subject_type, subject_id, ended, role, display_name, disabled, stay_status, guest_name, room_number, conversation_id
               FROM session_principals WHERE session_id = $1`,
      values: [sessionId],
    });
    return rows[0];
  }

  /** Ends the open sessions among `ids`; returns those it ended. */
  async endSessionsById(tx: EntityManager, ids: string[], reason: string): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await queryRows<{ id: string }>(
      tx,
      `UPDATE sessions SET ended_at = now(), end_reason = $2 WHERE id = ANY($1::uuid[]) AND ended_at IS NULL RETURNING id`,
      [ids, reason],
    );
    return rows.map((r) => r.id);
  }

  /** Ends every open session of a subject; returns those it ended. */
  async endSessionsOfSubject(tx: EntityManager, subjectType: SubjectType, subjectId: string, reason: string): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `UPDATE sessions SET ended_at = now(), end_reason = $3
        WHERE subject_type = $1 AND subject_id = $2 AND ended_at IS NULL RETURNING id`,
      [subjectType, subjectId, reason],
    );
    return rows.map((r) => r.id);
  }

  async insertRefreshToken(tx: EntityManager, tokenHash: Buffer, sessionId: string, ttlSeconds: number): Promise<void> {
    await tx.query(
      `INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`,
      [tokenHash, sessionId, ttlSeconds],
    );
  }

  /** The token and its session, locked so that concurrent refreshes with one token run one after the other. */
  async lockRefreshToken(tx: EntityManager, tokenHash: Buffer): Promise<RefreshTokenRow | undefined> {
    const rows = await queryRows<RefreshTokenRow>(
      tx,
      `SELECT rt.session_id, se.subject_type, se.subject_id, se.ended_at IS NOT NULL AS session_ended,
              rt.expires_at <= now() AS expired,
              EXTRACT(EPOCH FROM now() - rt.rotated_at)::float8 AS rotated_seconds_ago
         FROM refresh_tokens rt JOIN sessions se ON se.id = rt.session_id
        WHERE rt.token_hash = $1
          FOR UPDATE OF rt`,
      [tokenHash],
    );
    return rows[0];
  }

  async findRefreshTokenSession(tokenHash: Buffer): Promise<string | undefined> {
    const rows = await queryRows<{ session_id: string }>(
      this.ds.manager,
      `SELECT session_id FROM refresh_tokens WHERE token_hash = $1`,
      [tokenHash],
    );
    return rows[0]?.session_id;
  }

  async markRotated(tx: EntityManager, tokenHash: Buffer, sessionId: string): Promise<void> {
    await tx.query(`UPDATE refresh_tokens SET rotated_at = now() WHERE token_hash = $1`, [tokenHash]);
    await tx.query(`UPDATE sessions SET last_used_at = now() WHERE id = $1`, [sessionId]);
  }

  /** Failure times (ms) of a key within the last `windowMs`, most recent first, at most `limit`. */
  async recentFailures(kind: ThrottleKind, key: string, windowMs: number, limit: number): Promise<number[]> {
    const rows = await queryRows<{ at: Date }>(
      this.ds.manager,
      `SELECT at FROM auth_failures
        WHERE kind = $1 AND key = $2 AND at > now() - make_interval(secs => $3)
        ORDER BY at DESC LIMIT $4`,
      [kind, key, windowMs / 1000, limit],
    );
    return rows.map((r) => new Date(r.at).getTime());
  }

  async recordFailures(entries: Array<{ kind: ThrottleKind; key: string }>): Promise<void> {
    if (entries.length === 0) return;
    await this.ds.query(
      `INSERT INTO auth_failures (kind, key) SELECT * FROM unnest($1::text[], $2::text[])`,
      [entries.map((e) => e.kind), entries.map((e) => e.key)],
    );
  }

  async clearFailures(kind: ThrottleKind, key: string): Promise<void> {
    await this.ds.query(`DELETE FROM auth_failures WHERE kind = $1 AND key = $2`, [kind, key]);
  }

  /**
   * Housekeeping: failures past every window, and sessions ended or unused (so with every token
   * expired) for `staleDays`; their refresh tokens cascade.
   */
  async prune(failureWindowMs: number, staleDays: number): Promise<{ failures: number; sessions: number }> {
    const failures = await queryRows<{ n: number }>(
      this.ds.manager,
      `WITH d AS (DELETE FROM auth_failures WHERE at < now() - make_interval(secs => $1) RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [failureWindowMs / 1000],
    );
    const sessions = await queryRows<{ n: number }>(
      this.ds.manager,
      `WITH d AS (
         DELETE FROM sessions
          WHERE ended_at < now() - make_interval(days => $1)
             OR (ended_at IS NULL AND last_used_at < now() - make_interval(days => $1))
         RETURNING 1)
       SELECT count(*)::int AS n FROM d`,
      [staleDays],
    );
    return { failures: failures[0].n, sessions: sessions[0].n };
  }
}
