import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Message } from '@bellhop/protocol';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { poolOf } from '../../common/sql.js';
import { BUS_CHANNEL } from '../../common/event-bus.js';
import type { SessionPrincipalRow } from '../auth/auth.repository.js';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from './message.mapper.js';

/** One `message.send` waiting in a group commit. */
export interface SendRequest {
  conversationId: string;
  clientMsgId: string;
  body: string;
  sender: { type: 'guest' | 'staff'; id: string; name: string };
  /** The sending connection, if any (it gets the ack instead of `message.new`). */
  origin?: string;
}

export type SendOutcome =
  | { kind: 'stored'; message: Message }
  | { kind: 'duplicate'; message: Message }
  | { kind: 'not_found' }
  | { kind: 'forbidden' };

// One round trip per batch: the database function of migration SendBatchFunction does the
// locking, classification, seq allocation, writes and bus notifications in one implicit
// transaction, which that of SendBatchDeadline refuses to commit past the batch's deadline. A
// named statement: parsed and planned once per pooled connection.
const SEND_BATCH = {
  name: 'bh_send_batch_by',
  text: 'SELECT * FROM bellhop_send_batch($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9, $10::timestamptz)',
};

interface SendBatchRow {
  o_outcome: 'stored' | 'duplicate' | 'not_found' | 'forbidden';
  o_id: string | null;
  o_seq: number | null;
  o_created_at: Date | null;
  o_sender_type: Message['sender']['type'] | null;
  o_sender_id: string | null;
  o_sender_name: string | null;
  o_body: string | null;
}

const UNIQUE_CLIENT_MSG = 'messages_conversation_client_msg_key';

/** Name of the transaction advisory lock held while one connection merges the search index. */
export const SEARCH_INDEX_MERGE_LOCK = 'bellhop:search-index-merge';

/** Thrown when another writer stored the same clientMsgId first; the whole batch is retried. */
export class DuplicateRaceError extends Error {}

/** The messages table: the group commit and history reads (raw SQL on the hot path). */
@Injectable()
export class MessagesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private get pool(): pg.Pool {
    return poolOf(this.ds);
  }

  /**
   * Moves the search indexes' pending entries into the indexes proper, in bulk (see
   * SearchIndexJobs): the full-text one, and the one of East Asian letter pairs. Answers how many
   * pending-list pages it freed, or null when another connection holds the merge (PostgreSQL
   * would make this one wait for it).
   */
  async mergeSearchIndexPendingList(): Promise<number | null> {
    const { rows } = await this.pool.query<{ pages: string | null }>(
      `SELECT CASE WHEN pg_try_advisory_xact_lock(hashtextextended($1, 0))
                   THEN gin_clean_pending_list('messages_body_tsv_idx'::regclass)
                        + coalesce(gin_clean_pending_list(to_regclass('messages_body_cjk_idx')), 0) END AS pages`,
      [SEARCH_INDEX_MERGE_LOCK],
    );
    return rows[0].pages === null ? null : Number(rows[0].pages);
  }

  /** The database's clock, in ms since the epoch. */
  async databaseNow(): Promise<number> {
    const { rows } = await this.pool.query<{ ms: number }>({ name: 'bh_clock', text: 'SELECT extract(epoch FROM clock_timestamp()) * 1000 AS ms' });
    return Number(rows[0].ms);
  }

  /**
   * Stores a batch of sends in one transaction and answers each in request order: stored (with
   * its seq), a duplicate of what is already stored under that clientMsgId (a retry, or a repeat
   * within the batch), not_found, or forbidden (the stay is checked out). Committed messages reach
   * every instance through the bus, only once the transaction commits. The database refuses to
   * commit it after `deadline` (its own clock): SQLSTATE BH001, nothing stored.
   */
  async commitBatch(requests: SendRequest[], deadline: Date): Promise<SendOutcome[]> {
    let rows: SendBatchRow[];
    try {
      ({ rows } = await this.pool.query<SendBatchRow>({
        ...SEND_BATCH,
        values: [
          requests.map((r) => r.conversationId),
          requests.map((r) => r.clientMsgId),
          // Time-ordered ids: each batch adds to the right edge of the primary key instead of a
          // random leaf of it, so fewer pages are touched and written in full after a checkpoint.
          requests.map(() => uuidv7()),
          requests.map((r) => r.sender.type),
          requests.map((r) => r.sender.id),
          requests.map((r) => r.sender.name),
          requests.map((r) => r.body),
          requests.map((r) => r.origin ?? null),
          BUS_CHANNEL,
          deadline,
        ],
      }));
    } catch (err) {
      const e = err as { code?: string; constraint?: string };
      if (e.code === '23505' && e.constraint === UNIQUE_CLIENT_MSG) throw new DuplicateRaceError('clientMsgId stored concurrently');
      throw err;
    }
    if (rows.length !== requests.length) throw new Error(`bellhop_send_batch answered ${rows.length} rows for ${requests.length} requests`);
    return rows.map((row, i): SendOutcome => {
      if (row.o_outcome === 'not_found' || row.o_outcome === 'forbidden') return { kind: row.o_outcome };
      const r = requests[i];
      const message: Message = {
        id: row.o_id!,
        conversationId: r.conversationId,
        seq: row.o_seq!,
        clientMsgId: r.clientMsgId,
        sender: { type: row.o_sender_type!, id: row.o_sender_id ?? '', name: row.o_sender_name! },
        body: row.o_body!,
        createdAt: row.o_created_at!.toISOString(),
      };
      return { kind: row.o_outcome, message };
    });
  }

  /**
   * A history page — the `limit` newest messages before `beforeSeq` (or the newest), ascending, and
   * whether older ones exist — and the caller's session, read in one statement (the session is read
   * on every request, see AuthService.actorFromPrincipal). `principal` is undefined without such a
   * session; `page` is null when the conversation does not exist or is not the guest's own (nothing
   * of it is read then).
   */
  async pageForSession(
    sessionId: string,
    conversationId: string,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<{ principal: SessionPrincipalRow | undefined; page: { messages: Message[]; hasMore: boolean } | null }> {
    const { rows } = await this.pool.query<(MessageRow | { id: null }) & { principal: string | null; found: boolean }>({
      name: 'bh_history',
      // The principal travels once, on the newest message's row (or the only row).
      text: `SELECT CASE WHEN p.rn IS NULL OR p.rn = 1 THEN row_to_json(sp)::text END AS principal, c.id IS NOT NULL AS found, p.*
               FROM (SELECT $4::uuid AS session_id) q
               LEFT JOIN session_principals sp ON sp.session_id = q.session_id
               LEFT JOIN conversations c ON c.id = $1 AND (sp.subject_type = 'staff' OR sp.conversation_id = c.id)
               LEFT JOIN LATERAL (
                 SELECT row_number() OVER (ORDER BY m.seq DESC) AS rn, ${MESSAGE_COLUMNS} FROM messages m
                  WHERE m.conversation_id = c.id AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3
               ) p ON true`,
      values: [conversationId, beforeSeq ?? 2 ** 31 - 1, limit + 1, sessionId],
    });
    const head = rows.find((r) => r.principal !== null);
    const principal = head ? (JSON.parse(head.principal!) as SessionPrincipalRow) : undefined;
    if (!rows[0].found) return { principal, page: null };
    const messages = rows.filter((r): r is MessageRow & { principal: string | null; found: boolean } => r.id !== null).sort((a, b) => a.seq - b.seq);
    const hasMore = messages.length > limit;
    return { principal, page: { messages: (hasMore ? messages.slice(1) : messages).map(toMessage), hasMore } };
  }

  /** Messages after `afterSeq`, ascending, and whether more follow. */
  async after(conversationId: string, afterSeq: number, limit: number): Promise<{ messages: Message[]; hasMore: boolean }> {
    const { rows } = await this.pool.query<MessageRow>({
      name: 'bh_sync',
      text: `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.conversation_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3`,
      values: [conversationId, afterSeq, limit + 1],
    });
    return { messages: rows.slice(0, limit).map(toMessage), hasMore: rows.length > limit };
  }

  /** Messages of one conversation in a seq range (inclusive), ascending. */
  async range(conversationId: string, fromSeq: number, toSeq: number): Promise<Message[]> {
    const { rows } = await this.pool.query<MessageRow>({
      name: 'bh_range',
      text: `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.conversation_id = $1 AND m.seq BETWEEN $2 AND $3 ORDER BY m.seq`,
      values: [conversationId, fromSeq, toSeq],
    });
    return rows.map(toMessage);
  }

  async byIds(ids: string[]): Promise<Message[]> {
    const { rows } = await this.pool.query<MessageRow>({
      name: 'bh_by_ids',
      text: `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = ANY($1::uuid[])`,
      values: [ids],
    });
    return rows.map(toMessage);
  }
}
