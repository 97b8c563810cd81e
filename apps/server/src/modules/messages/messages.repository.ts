import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Message } from '@bellhop/protocol';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { inTransaction, poolOf } from '../../common/sql.js';
import { BUS_CHANNEL, encodeBusEvent, type CommittedMessage } from '../../common/event-bus.js';
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

interface LockedConversation {
  id: string;
  stay_id: string;
  status: 'open' | 'resolved';
  last_seq: number;
  stay_active: boolean;
  now: Date;
  /** clientMsgIds of this batch already stored in this conversation. */
  dups: string[];
}

// Named statements: parsed and planned once per pooled connection; values always travel as
// bind parameters, never inlined into SQL text.
// Locks each conversation and its stay, stay first as a check-out does (so the two cannot
// deadlock), in conversation id order (so concurrent batches cannot either). A locked row is
// re-read once its lock is granted, so a check-out that committed meanwhile is seen.
const LOCK_CONVERSATIONS = {
  name: 'bh_send_lock',
  text: `WITH d AS (
           SELECT m.conversation_id, array_agg(m.client_msg_id::text) AS dups
             FROM unnest($2::uuid[], $3::uuid[]) AS k(cid, cmid)
             JOIN messages m ON m.conversation_id = k.cid AND m.client_msg_id = k.cmid
            GROUP BY m.conversation_id
         )
         SELECT c.id, c.stay_id, c.status, c.last_seq, s.status = 'active' AS stay_active, clock_timestamp() AS now,
                coalesce(d.dups, '{}') AS dups
           FROM stays s JOIN conversations c ON c.stay_id = s.id
           LEFT JOIN d ON d.conversation_id = c.id
          WHERE c.id = ANY($1::uuid[])
          ORDER BY c.id
          FOR SHARE OF s FOR NO KEY UPDATE OF c`,
};
const EXISTING = {
  name: 'bh_send_existing',
  text: `SELECT ${MESSAGE_COLUMNS} FROM messages m
         JOIN unnest($1::uuid[], $2::uuid[]) AS k(cid, cmid) ON m.conversation_id = k.cid AND m.client_msg_id = k.cmid`,
};
// Everything a batch writes, in one round trip: the rows, the conversations, the senders' read
// cursors, and the bus notifications (in array order, which is seq order per conversation).
const WRITE_BATCH = {
  name: 'bh_send_write',
  text: `WITH ins AS (
           INSERT INTO messages (id, conversation_id, seq, client_msg_id, sender_type, sender_id, sender_name, body, created_at)
           SELECT u.*, $9::timestamptz FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::uuid[], $5::text[], $6::uuid[], $7::text[], $8::text[]) AS u
         ), upd AS (
           UPDATE conversations c
              SET last_seq = u.last_seq, last_message_id = u.last_message_id, last_activity_at = $9, updated_at = $9,
                  status = CASE WHEN u.reopen THEN 'open' ELSE c.status END
             FROM unnest($10::uuid[], $11::int[], $12::uuid[], $13::bool[]) AS u(id, last_seq, last_message_id, reopen)
            WHERE c.id = u.id
         ), cur AS (
           INSERT INTO read_cursors (conversation_id, reader_type, reader_id, seq, updated_at)
           SELECT u.cid, u.rtype, u.rid, u.seq, $9 FROM unnest($14::uuid[], $15::text[], $16::uuid[], $17::int[]) AS u(cid, rtype, rid, seq)
           ON CONFLICT (conversation_id, reader_type, reader_id)
           DO UPDATE SET seq = GREATEST(read_cursors.seq, EXCLUDED.seq), updated_at = EXCLUDED.updated_at
         )
         SELECT count(pg_notify($18, n.payload)) AS n FROM unnest($19::text[]) WITH ORDINALITY AS n(payload, i)`,
};

const UNIQUE_CLIENT_MSG = 'messages_conversation_client_msg_key';

/** Thrown when another writer stored the same clientMsgId first; the whole batch is retried. */
export class DuplicateRaceError extends Error {}

/** The messages table: the group-commit transaction and history reads (raw SQL on the hot path). */
@Injectable()
export class MessagesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private get pool(): pg.Pool {
    return poolOf(this.ds);
  }

  /**
   * Stores a batch of sends in one transaction: locks the conversations (in id order, so
   * concurrent batches cannot deadlock), answers retries with the original, allocates each
   * conversation's seq range, and writes the rows, conversations, senders' read cursors and bus
   * notifications in one statement before COMMIT. Outcomes are in request order.
   */
  async commitBatch(requests: SendRequest[]): Promise<SendOutcome[]> {
    try {
      return await inTransaction(this.pool, (client) => this.runBatch(client, requests));
    } catch (err) {
      const e = err as { code?: string; constraint?: string };
      if (e.code === '23505' && e.constraint === UNIQUE_CLIENT_MSG) throw new DuplicateRaceError('clientMsgId stored concurrently');
      throw err;
    }
  }

  private async runBatch(client: pg.PoolClient, requests: SendRequest[]): Promise<SendOutcome[]> {
    const conversationIds = [...new Set(requests.map((r) => r.conversationId))].sort();
    const locked = await client.query<LockedConversation>({
      name: LOCK_CONVERSATIONS.name,
      text: LOCK_CONVERSATIONS.text,
      values: [conversationIds, requests.map((r) => r.conversationId), requests.map((r) => r.clientMsgId)],
    });
    const conversations = new Map(locked.rows.map((c) => [c.id, { ...c }]));

    const existing = new Map<string, Message>();
    const dupKeys = locked.rows.flatMap((c) => c.dups.map((cmid) => [c.id, cmid] as const));
    if (dupKeys.length > 0) {
      const found = await client.query<MessageRow>({ ...EXISTING, values: [dupKeys.map((k) => k[0]), dupKeys.map((k) => k[1])] });
      for (const row of found.rows) existing.set(`${row.conversation_id}/${row.client_msg_id}`, toMessage(row));
    }

    const outcomes: SendOutcome[] = [];
    const stored: CommittedMessage[] = [];
    const reopened = new Set<string>();
    const cursors = new Map<string, { cid: string; type: string; id: string; seq: number }>();
    const now = locked.rows[0]?.now;
    const createdAt = now?.toISOString() ?? '';
    for (const r of requests) {
      const conversation = conversations.get(r.conversationId);
      // A guest writes only into its own stay's conversation; anything else looks like no conversation at all.
      if (!conversation || (r.sender.type === 'guest' && conversation.stay_id !== r.sender.id)) {
        outcomes.push({ kind: 'not_found' });
        continue;
      }
      const key = `${r.conversationId}/${r.clientMsgId}`;
      const original = existing.get(key);
      if (original) {
        outcomes.push({ kind: 'duplicate', message: original });
        continue;
      }
      if (!conversation.stay_active) {
        outcomes.push({ kind: 'forbidden' });
        continue;
      }
      conversation.last_seq += 1;
      const message: Message = {
        id: randomUUID(),
        conversationId: r.conversationId,
        seq: conversation.last_seq,
        clientMsgId: r.clientMsgId,
        sender: { type: r.sender.type, id: r.sender.id, name: r.sender.name },
        body: r.body,
        createdAt,
      };
      existing.set(key, message);
      outcomes.push({ kind: 'stored', message });
      stored.push({ message, id: message.id, conversationId: message.conversationId, seq: message.seq, origin: r.origin });
      if (r.sender.type === 'guest' && conversation.status === 'resolved') {
        conversation.status = 'open';
        reopened.add(conversation.id);
      }
      cursors.set(`${r.conversationId}/${r.sender.type}/${r.sender.id}`, { cid: r.conversationId, type: r.sender.type, id: r.sender.id, seq: message.seq });
    }
    if (stored.length === 0) return outcomes;

    const rows = stored.map((s) => s.message!);
    const lastOf = new Map<string, Message>();
    for (const m of rows) lastOf.set(m.conversationId, m);
    const touched = [...lastOf.values()];
    const moved = [...cursors.values()];
    const payloads = encodeBusEvent({ type: 'messages.committed', items: stored });
    for (const conversationId of reopened) payloads.push(...encodeBusEvent({ type: 'conversation.changed', conversationId }));
    await client.query({
      name: WRITE_BATCH.name,
      text: WRITE_BATCH.text,
      values: [
        rows.map((m) => m.id),
        rows.map((m) => m.conversationId),
        rows.map((m) => m.seq),
        rows.map((m) => m.clientMsgId),
        rows.map((m) => m.sender.type),
        rows.map((m) => m.sender.id),
        rows.map((m) => m.sender.name),
        rows.map((m) => m.body),
        now!,
        touched.map((m) => m.conversationId),
        touched.map((m) => m.seq),
        touched.map((m) => m.id),
        touched.map((m) => reopened.has(m.conversationId)),
        moved.map((c) => c.cid),
        moved.map((c) => c.type),
        moved.map((c) => c.id),
        moved.map((c) => c.seq),
        BUS_CHANNEL,
        payloads,
      ],
    });
    return outcomes;
  }

  /** The `limit` newest messages before `beforeSeq` (or the newest), ascending, and whether older ones exist. */
  async page(conversationId: string, beforeSeq: number | undefined, limit: number): Promise<{ messages: Message[]; hasMore: boolean }> {
    const { rows } = await this.pool.query<MessageRow>({
      name: 'bh_history',
      text: `SELECT ${MESSAGE_COLUMNS} FROM messages m
             WHERE m.conversation_id = $1 AND ($2::int IS NULL OR m.seq < $2) ORDER BY m.seq DESC LIMIT $3`,
      values: [conversationId, beforeSeq ?? null, limit + 1],
    });
    const hasMore = rows.length > limit;
    return { messages: rows.slice(0, limit).reverse().map(toMessage), hasMore };
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
