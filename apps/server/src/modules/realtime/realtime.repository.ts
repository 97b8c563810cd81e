import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { inTransaction, poolOf } from '../../common/sql.js';

/** An instance whose heartbeat is older than this is taken for dead: its sockets no longer count. */
export const INSTANCE_TTL_SECONDS = 6;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
   * Registers a socket unless its subject already has `max` open ones on live instances, in one
   * round trip: the statements of one simple query run as one transaction, and in it the
   * advisory lock serialises concurrent handshakes of one subject across instances, and the count
   * after it reads with a snapshot taken once the lock is held. For a guest, also answers its
   * conversation's last seq.
   */
  async reserve(instanceId: string, socket: SocketRow, max: number, conversationId?: string): Promise<{ ok: boolean; lastSeq: number }> {
    for (const id of [instanceId, socket.id, socket.subjectId, ...(conversationId ? [conversationId] : [])]) {
      // Inlined below (a simple query has no parameters): only well-formed ids get there.
      if (!UUID.test(id)) throw new Error(`not a uuid: ${id}`);
    }
    const type = socket.subjectType === 'staff' ? 'staff' : 'guest';
    const text = `SELECT pg_advisory_xact_lock(hashtextextended('ws:${type}:${socket.subjectId}', 0));
      WITH n AS (
        SELECT count(*) AS n FROM realtime_sockets s JOIN realtime_instances i ON i.id = s.instance_id
         WHERE s.subject_type = '${type}' AND s.subject_id = '${socket.subjectId}' AND s.id <> '${socket.id}'
           AND i.heartbeat_at > now() - make_interval(secs => ${INSTANCE_TTL_SECONDS})
      ), ins AS (
        INSERT INTO realtime_sockets (id, instance_id, subject_type, subject_id)
        SELECT '${socket.id}', '${instanceId}', '${type}', '${socket.subjectId}' FROM n WHERE n.n < ${Math.floor(max)}
        ON CONFLICT (id) DO NOTHING
      )
      SELECT n.n < ${Math.floor(max)} AS ok,
             ${conversationId ? `(SELECT last_seq FROM conversations WHERE id = '${conversationId}')` : '0'} AS last_seq
        FROM n`;
    const results = (await this.pool.query(text)) as unknown as pg.QueryResult<{ ok: boolean; last_seq: number | null }>[];
    const row = results[results.length - 1].rows[0];
    return { ok: row.ok, lastSeq: row.last_seq ?? 0 };
  }

  async release(socketId: string): Promise<void> {
    await this.pool.query('DELETE FROM realtime_sockets WHERE id = $1', [socketId]);
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

  /** The first seq of a conversation created after `since` (null: none). */
  async firstSeqSince(conversationId: string, since: Date): Promise<number | null> {
    const { rows } = await this.pool.query<{ seq: number | null }>(
      'SELECT min(seq) AS seq FROM messages WHERE conversation_id = $1 AND created_at > $2',
      [conversationId, since],
    );
    return rows[0]?.seq ?? null;
  }
}
