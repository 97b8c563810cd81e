import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import { DataSource } from 'typeorm';

/** An instance whose heartbeat is older than this is taken for dead: its sockets no longer count. */
export const INSTANCE_TTL_SECONDS = 6;

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
    return (this.ds.driver as unknown as { master: pg.Pool }).master;
  }

  /**
   * Registers a socket unless its subject already has `max` open ones on live instances.
   * The advisory lock serialises concurrent handshakes of one subject across instances.
   */
  async reserve(instanceId: string, socket: SocketRow, max: number): Promise<boolean> {
    const client = await this.pool.connect();
    let discard: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`ws:${socket.subjectType}:${socket.subjectId}`]);
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM realtime_sockets s JOIN realtime_instances i ON i.id = s.instance_id
         WHERE s.subject_type = $1 AND s.subject_id = $2 AND i.heartbeat_at > now() - make_interval(secs => $3)`,
        [socket.subjectType, socket.subjectId, INSTANCE_TTL_SECONDS],
      );
      if (rows[0].n >= max) {
        await client.query('ROLLBACK');
        return false;
      }
      // The instance row is the heartbeat's alone: touching it here could deadlock with it.
      await client.query('INSERT INTO realtime_sockets (id, instance_id, subject_type, subject_id) VALUES ($1, $2, $3, $4)', [
        socket.id,
        instanceId,
        socket.subjectType,
        socket.subjectId,
      ]);
      await client.query('COMMIT');
      return true;
    } catch (err) {
      discard = err as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release(discard);
    }
  }

  async release(socketId: string): Promise<void> {
    await this.pool.query('DELETE FROM realtime_sockets WHERE id = $1', [socketId]);
  }

  /**
   * Keeps this instance alive, removes dead instances and rows of sockets this instance no longer
   * holds (`reservedIds`: handshakes in progress, whose rows their own transaction writes), and
   * re-registers its open sockets if the rows were lost (e.g. the database restarted).
   */
  async heartbeat(instanceId: string, sockets: SocketRow[], reservedIds: string[]): Promise<void> {
    const client = await this.pool.connect();
    let discard: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query(
        `DELETE FROM realtime_sockets s WHERE s.instance_id <> $1
           AND NOT EXISTS (SELECT 1 FROM realtime_instances i WHERE i.id = s.instance_id AND i.heartbeat_at > now() - make_interval(secs => $2))`,
        [instanceId, INSTANCE_TTL_SECONDS * 5],
      );
      await client.query('DELETE FROM realtime_instances WHERE id <> $1 AND heartbeat_at < now() - make_interval(secs => $2)', [instanceId, INSTANCE_TTL_SECONDS * 5]);
      await client.query('INSERT INTO realtime_instances (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()', [instanceId]);
      await client.query('DELETE FROM realtime_sockets WHERE instance_id = $1 AND NOT (id = ANY($2::uuid[]))', [instanceId, [...sockets.map((s) => s.id), ...reservedIds]]);
      if (sockets.length > 0) {
        await client.query(
          `INSERT INTO realtime_sockets (id, instance_id, subject_type, subject_id)
           SELECT u.id, $1, u.t, u.s FROM unnest($2::uuid[], $3::text[], $4::uuid[]) AS u(id, t, s)
           ON CONFLICT (id) DO NOTHING`,
          [instanceId, sockets.map((s) => s.id), sockets.map((s) => s.subjectType), sockets.map((s) => s.subjectId)],
        );
      }
      await client.query('COMMIT');
    } catch (err) {
      discard = err as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release(discard);
    }
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
