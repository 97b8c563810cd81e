import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { inTransaction, poolOf } from '../../common/sql.js';
import type { SessionPrincipalRow } from '../auth/auth.repository.js';

/** An instance whose heartbeat is older than this is taken for dead: its sockets no longer count. */
export const INSTANCE_TTL_SECONDS = 6;

export interface OpenResult {
  /** The token's session and subject, or undefined when there is no such session. */
  principal: SessionPrincipalRow | undefined;
  /** False: the subject already has the maximum of open sockets. */
  ok: boolean;
  /** The socket row was written (the session may open a socket, and there was room). */
  registered: boolean;
  lastSeq: number;
  staffReadSeq: number;
}

export interface OpenRequest {
  socketId: string;
  claims: { sid: string; sub: string; aud: 'staff' | 'guest' };
}

interface OpenRow {
  o_ord: number;
  o_subject_type: SessionPrincipalRow['subject_type'] | null;
  o_subject_id: string | null;
  o_ended: boolean | null;
  o_role: SessionPrincipalRow['role'];
  o_display_name: string | null;
  o_disabled: boolean | null;
  o_stay_status: SessionPrincipalRow['stay_status'];
  o_guest_name: string | null;
  o_room_number: string | null;
  o_conversation_id: string | null;
  o_ok: boolean;
  o_registered: boolean;
  o_last_seq: number | null;
  o_staff_read_seq: number | null;
}

function toOpenResult(r: OpenRow): OpenResult {
  const principal: SessionPrincipalRow | undefined =
    r.o_subject_type === null
      ? undefined
      : {
          subject_type: r.o_subject_type,
          subject_id: r.o_subject_id!,
          ended: r.o_ended!,
          role: r.o_role,
          display_name: r.o_display_name,
          disabled: r.o_disabled,
          stay_status: r.o_stay_status,
          guest_name: r.o_guest_name,
          room_number: r.o_room_number,
          conversation_id: r.o_conversation_id,
        };
  return { principal, ok: r.o_ok, registered: r.o_registered, lastSeq: r.o_last_seq ?? 0, staffReadSeq: r.o_staff_read_seq ?? 0 };
}

/** A read cursor: how far a reader has read a conversation. */
export interface CursorRow {
  conversationId: string;
  readerType: 'guest' | 'staff';
  readerId: string;
  seq: number;
  /** The connection that moved the cursor to `seq` (null: not known). */
  origin: string | null;
}

export interface SocketRow {
  id: string;
  subjectType: 'guest' | 'staff';
  subjectId: string;
}

/** The cluster-wide socket registry (tables realtime_instances and realtime_sockets). */
@Injectable()
export class RealtimeRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private get pool(): pg.Pool {
    return poolOf(this.ds);
  }

  /**
   * The database side of WebSocket handshakes, one round trip for all of them (the function
   * bellhop_open_sockets): for each, reads the token's session with its subject, and registers
   * the socket unless the session cannot open one or the subject already has `max` open on live
   * instances. For a guest, also answers its conversation's last seq and how far staff have read.
   * One result per request, in order.
   */
  async open(instanceId: string, requests: OpenRequest[], max: number): Promise<OpenResult[]> {
    const { rows } = await this.pool.query<OpenRow>({
      name: 'bh_open_sockets',
      text: 'SELECT * FROM bellhop_open_sockets($1, $2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6, $7)',
      values: [
        instanceId,
        requests.map((r) => r.socketId),
        requests.map((r) => r.claims.sid),
        requests.map((r) => (r.claims.aud === 'staff' ? 'staff' : 'guest')),
        requests.map((r) => r.claims.sub),
        Math.floor(max),
        INSTANCE_TTL_SECONDS,
      ],
    });
    const out: OpenResult[] = new Array<OpenResult>(requests.length);
    for (const r of rows) out[r.o_ord - 1] = toOpenResult(r);
    for (let i = 0; i < out.length; i++) if (!out[i]) throw new Error(`bellhop_open_sockets answered no row for request ${i + 1}`);
    return out;
  }

  /** Removes closed sockets' rows, in one statement. */
  async release(socketIds: string[]): Promise<void> {
    await this.pool.query({ name: 'bh_release_sockets', text: 'DELETE FROM realtime_sockets WHERE id = ANY($1::uuid[])', values: [socketIds] });
  }

  /**
   * Keeps this instance alive and removes dead instances with their sockets. Rows of this
   * instance are written by its handshakes and closes alone, except: `released` (sockets whose
   * row could not be deleted when they closed) are removed here, and when this instance's row was
   * gone (the database restarted, or took it for dead) its open sockets are registered again.
   */
  async heartbeat(instanceId: string, openSockets: () => SocketRow[], released: string[]): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(
        `DELETE FROM realtime_sockets s WHERE s.instance_id <> $1
           AND NOT EXISTS (SELECT 1 FROM realtime_instances i WHERE i.id = s.instance_id AND i.heartbeat_at > now() - make_interval(secs => $2))`,
        [instanceId, INSTANCE_TTL_SECONDS * 5],
      );
      await client.query('DELETE FROM realtime_instances WHERE id <> $1 AND heartbeat_at < now() - make_interval(secs => $2)', [instanceId, INSTANCE_TTL_SECONDS * 5]);
      const { rows } = await client.query<{ created: boolean }>(
        'INSERT INTO realtime_instances (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET heartbeat_at = now() RETURNING (xmax = 0) AS created',
        [instanceId],
      );
      if (released.length > 0) await client.query('DELETE FROM realtime_sockets WHERE instance_id = $1 AND id = ANY($2::uuid[])', [instanceId, released]);
      const sockets = rows[0].created ? openSockets() : [];
      if (sockets.length > 0) {
        await client.query(
          `INSERT INTO realtime_sockets (id, instance_id, subject_type, subject_id)
           SELECT u.id, $1, u.t, u.s FROM unnest($2::uuid[], $3::text[], $4::uuid[]) AS u(id, t, s)
           ON CONFLICT (id) DO NOTHING`,
          [instanceId, sockets.map((s) => s.id), sockets.map((s) => s.subjectType), sockets.map((s) => s.subjectId)],
        );
      }
    });
  }

  /** Staff members with an open socket on another live instance. */
  async remoteStaff(instanceId: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ subject_id: string }>({
      name: 'bh_remote_staff',
      text: `SELECT DISTINCT s.subject_id FROM realtime_sockets s JOIN realtime_instances i ON i.id = s.instance_id
             WHERE s.subject_type = 'staff' AND s.instance_id <> $1 AND i.heartbeat_at > now() - make_interval(secs => $2)`,
      values: [instanceId, INSTANCE_TTL_SECONDS],
    });
    return rows.map((r) => r.subject_id);
  }

  async unregisterInstance(instanceId: string): Promise<void> {
    await this.pool.query('DELETE FROM realtime_sockets WHERE instance_id = $1', [instanceId]);
    await this.pool.query('DELETE FROM realtime_instances WHERE id = $1', [instanceId]);
  }

  /** Conversations with activity since `since`, and their last seq (for catching up after a bus outage). */
  async activeSince(since: Date): Promise<{ id: string; lastSeq: number }[]> {
    const { rows } = await this.pool.query<{ id: string; last_seq: number }>(
      'SELECT id, last_seq FROM conversations WHERE last_activity_at > $1 AND last_seq > 0',
      [since],
    );
    return rows.map((r) => ({ id: r.id, lastSeq: r.last_seq }));
  }

  /** Those of `sessionIds` that have ended (for sockets whose `sessions.ended` a bus outage lost). */
  async endedSessions(sessionIds: string[]): Promise<string[]> {
    if (sessionIds.length === 0) return [];
    const { rows } = await this.pool.query<{ id: string }>('SELECT id FROM sessions WHERE id = ANY($1::uuid[]) AND ended_at IS NOT NULL', [sessionIds]);
    return rows.map((r) => r.id);
  }

  /** The displayName of each of these staff members (for sockets whose `staff.renamed` a bus outage lost). */
  async staffNames(staffIds: string[]): Promise<Map<string, string>> {
    if (staffIds.length === 0) return new Map();
    const { rows } = await this.pool.query<{ id: string; display_name: string }>('SELECT id, display_name FROM staff_users WHERE id = ANY($1::uuid[])', [staffIds]);
    return new Map(rows.map((r) => [r.id, r.display_name]));
  }

  /**
   * What changed since `since` besides messages, for catching up after a bus outage: the read
   * cursors that moved, and the conversations changed (checked in or out, status, assignee, new
   * messages) or read meanwhile.
   */
  async changedSince(since: Date): Promise<{ reads: CursorRow[]; conversationIds: string[] }> {
    const [reads, changed] = await Promise.all([
      this.pool.query<{ conversation_id: string; reader_type: 'guest' | 'staff'; reader_id: string; seq: number; origin: string | null }>(
        // The origin holds while the cursor is where that connection moved it (see ReadCursorOrigin).
        'SELECT conversation_id, reader_type, reader_id, seq, CASE WHEN origin_seq = seq THEN origin END AS origin FROM read_cursors WHERE updated_at > $1 ORDER BY updated_at',
        [since],
      ),
      this.pool.query<{ id: string }>('SELECT id FROM conversations WHERE updated_at > $1', [since]),
    ]);
    return {
      reads: reads.rows.map((r) => ({ conversationId: r.conversation_id, readerType: r.reader_type, readerId: r.reader_id, seq: r.seq, origin: r.origin })),
      conversationIds: [...new Set([...changed.rows.map((r) => r.id), ...reads.rows.map((r) => r.conversation_id)])],
    };
  }

  /** The first seq of a conversation created after `since` (null: none). */
  async firstSeqSince(conversationId: string, since: Date): Promise<number | null> {
    const { rows } = await this.pool.query<{ seq: number | null }>(
      'SELECT min(seq) AS seq FROM messages WHERE conversation_id = $1 AND created_at > $2',
      [conversationId, since],
    );
    return rows[0]?.seq ?? null;
  }
}
