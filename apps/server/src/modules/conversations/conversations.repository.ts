import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ConversationSummary, Message } from '@bellhop/protocol';
import type pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { isoTime, MESSAGE_COLUMNS, toMessage, type MessageRow } from '../messages/message.mapper.js';
import { poolOf } from '../../common/sql.js';
import { searchTerms } from './search-terms.js';

interface SummaryRow {
  id: string;
  status: 'open' | 'resolved';
  assignee_id: string | null;
  last_seq: number;
  updated_at: Date;
  activity_key: string;
  stay_id: string;
  room_number: string;
  guest_name: string;
  family_name: string;
  check_out: string;
  stay_status: 'active' | 'checked_out';
  unread: number;
  guest_read_seq: number;
  lm_id: string | null;
  lm_seq: number | null;
  lm_client_msg_id: string | null;
  lm_sender_type: MessageRow['sender_type'] | null;
  lm_sender_id: string | null;
  lm_sender_name: string | null;
  lm_body: string | null;
  lm_created_at: string | null;
}

/** A summary and its keyset position in the activity order. */
export interface SummaryWithKey {
  summary: ConversationSummary;
  activityKey: string;
}

// `$1` is the staff member whose unread count is wanted (NULL: none, e.g. for a guest).
// Both read-cursor lookups are primary-key probes, so a page stays one cheap query.
const SUMMARY_SELECT = `
  SELECT c.id, c.status, c.assignee_id, c.last_seq, c.updated_at, c.last_activity_at::text AS activity_key,
         s.id AS stay_id, s.room_number, s.guest_name, s.family_name, to_char(s.check_out, 'YYYY-MM-DD') AS check_out, s.status AS stay_status,
         CASE WHEN $1::uuid IS NULL THEN 0 ELSE (
           SELECT count(*)::int FROM messages g
           WHERE g.conversation_id = c.id AND g.sender_type = 'guest'
             AND g.seq > coalesce((SELECT rc.seq FROM read_cursors rc WHERE rc.conversation_id = c.id AND rc.reader_type = 'staff' AND rc.reader_id = $1::uuid), 0)
         ) END AS unread,
         coalesce((SELECT gr.seq FROM read_cursors gr
                   WHERE gr.conversation_id = c.id AND gr.reader_type = 'guest' AND gr.reader_id = c.stay_id), 0) AS guest_read_seq,
         lm.id AS lm_id, lm.seq AS lm_seq, lm.client_msg_id AS lm_client_msg_id, lm.sender_type AS lm_sender_type,
         lm.sender_id AS lm_sender_id, lm.sender_name AS lm_sender_name, lm.body AS lm_body, ${isoTime('lm.created_at')} AS lm_created_at
  FROM conversations c
  JOIN stays s ON s.id = c.stay_id
  LEFT JOIN messages lm ON lm.id = c.last_message_id`;

function toSummary(r: SummaryRow): SummaryWithKey {
  const lastMessage: Message | null = r.lm_id
    ? toMessage({
        id: r.lm_id,
        conversation_id: r.id,
        seq: r.lm_seq!,
        client_msg_id: r.lm_client_msg_id!,
        sender_type: r.lm_sender_type!,
        sender_id: r.lm_sender_id,
        sender_name: r.lm_sender_name!,
        body: r.lm_body!,
        created_at: r.lm_created_at!,
      })
    : null;
  return {
    activityKey: r.activity_key,
    summary: {
      id: r.id,
      stay: { id: r.stay_id, roomNumber: r.room_number, guestName: r.guest_name, familyName: r.family_name, checkOut: r.check_out, status: r.stay_status },
      status: r.status,
      assigneeId: r.assignee_id,
      lastSeq: r.last_seq,
      lastMessage,
      unread: r.unread,
      guestReadSeq: r.guest_read_seq,
      updatedAt: r.updated_at.toISOString(),
    },
  };
}

export interface ConversationRef {
  id: string;
  stayId: string;
}

/** Conversations, read cursors, search and transcripts. */
@Injectable()
export class ConversationsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private get pool(): pg.Pool {
    return poolOf(this.ds);
  }

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  async find(id: string): Promise<ConversationRef | null> {
    const { rows } = await this.pool.query<{ id: string; stay_id: string }>({
      name: 'bh_conv_find',
      text: 'SELECT id, stay_id FROM conversations WHERE id = $1',
      values: [id],
    });
    return rows[0] ? { id: rows[0].id, stayId: rows[0].stay_id } : null;
  }

  /** Newest activity first, after the keyset position `after` when given. */
  async list(staffId: string | null, status: 'open' | 'resolved' | 'all', after: { at: string; id: string } | null, limit: number): Promise<SummaryWithKey[]> {
    const { rows } = await this.pool.query<SummaryRow>({
      name: 'bh_conv_list',
      text: `${SUMMARY_SELECT}
        WHERE ($2::text = 'all' OR c.status = $2::text)
          AND ($3::timestamptz IS NULL OR (c.last_activity_at, c.id) < ($3::timestamptz, $4::uuid))
        ORDER BY c.last_activity_at DESC, c.id DESC
        LIMIT $5`,
      values: [staffId, status, after?.at ?? null, after?.id ?? null, limit],
    });
    return rows.map(toSummary);
  }

  async summaries(staffId: string | null, ids: string[]): Promise<Map<string, ConversationSummary>> {
    if (ids.length === 0) return new Map();
    const { rows } = await this.pool.query<SummaryRow>({
      name: 'bh_conv_summaries',
      text: `${SUMMARY_SELECT} WHERE c.id = ANY($2::uuid[])`,
      values: [staffId, ids],
    });
    return new Map(rows.map((r) => [r.id, toSummary(r).summary]));
  }

  async summary(staffId: string | null, id: string, m?: EntityManager): Promise<ConversationSummary | null> {
    if (m) {
      const rows = (await m.query(`${SUMMARY_SELECT} WHERE c.id = $2::uuid`, [staffId, id])) as SummaryRow[];
      return rows[0] ? toSummary(rows[0]).summary : null;
    }
    return (await this.summaries(staffId, [id])).get(id) ?? null;
  }

  /** Unread counts of conversations for several staff members at once: conversation id → staff id → count. */
  async unreadFor(conversationIds: string[], staffIds: string[]): Promise<Map<string, Map<string, number>>> {
    const { rows } = await this.pool.query<{ conversation_id: string; staff_id: string; unread: number }>({
      name: 'bh_conv_unread_for',
      text: `SELECT c.id AS conversation_id, u.staff_id,
               (SELECT count(*)::int FROM messages g WHERE g.conversation_id = c.id AND g.sender_type = 'guest' AND g.seq > coalesce(rc.seq, 0)) AS unread
             FROM unnest($1::uuid[]) AS c(id)
             CROSS JOIN unnest($2::uuid[]) AS u(staff_id)
             LEFT JOIN read_cursors rc ON rc.conversation_id = c.id AND rc.reader_type = 'staff' AND rc.reader_id = u.staff_id`,
      values: [conversationIds, staffIds],
    });
    const out = new Map<string, Map<string, number>>();
    for (const r of rows) {
      let perStaff = out.get(r.conversation_id);
      if (!perStaff) out.set(r.conversation_id, (perStaff = new Map()));
      perStaff.set(r.staff_id, r.unread);
    }
    return out;
  }

  async lockForUpdate(m: EntityManager, id: string): Promise<{ status: string; assignee_id: string | null } | null> {
    const rows = (await m.query('SELECT status, assignee_id FROM conversations WHERE id = $1 FOR UPDATE', [id])) as { status: string; assignee_id: string | null }[];
    return rows[0] ?? null;
  }

  async isActiveStaff(m: EntityManager, staffId: string): Promise<boolean> {
    const rows = (await m.query('SELECT 1 FROM staff_users WHERE id = $1 AND NOT disabled FOR SHARE', [staffId])) as unknown[];
    return rows.length > 0;
  }

  async update(m: EntityManager, id: string, status: string, assigneeId: string | null): Promise<void> {
    await m.query('UPDATE conversations SET status = $2, assignee_id = $3, updated_at = now() WHERE id = $1', [id, status, assigneeId]);
  }

  /**
   * Moves a read cursor forward, clamped to the conversation's last seq, and notes the connection
   * that moved it (`origin`); the new seq, or null when nothing moved.
   */
  async moveCursor(m: EntityManager, conversationId: string, readerType: 'guest' | 'staff', readerId: string, seq: number, origin: string | null): Promise<number | null> {
    const rows = (await m.query(
      `INSERT INTO read_cursors (conversation_id, reader_type, reader_id, seq, updated_at, origin, origin_seq)
       SELECT c.id, $2, $3, least($4::int, c.last_seq), now(), $5::uuid, least($4::int, c.last_seq) FROM conversations c WHERE c.id = $1 AND least($4::int, c.last_seq) > 0
       ON CONFLICT (conversation_id, reader_type, reader_id)
       DO UPDATE SET seq = EXCLUDED.seq, updated_at = now(), origin = EXCLUDED.origin, origin_seq = EXCLUDED.seq WHERE read_cursors.seq < EXCLUDED.seq
       RETURNING seq`,
      [conversationId, readerType, readerId, seq, origin],
    )) as { seq: number }[];
    return rows[0]?.seq ?? null;
  }

  /**
   * Matches newest first, after the keyset position `after`: whole words (`simple` configuration),
   * and pieces with Chinese, Japanese or Korean letters as parts of the text, found through the
   * index of their letter pairs (see searchTerms, migration SearchEastAsianGrams).
   */
  async search(q: string, after: { at: string; id: string } | null, limit: number): Promise<{ message: Message; key: string }[]> {
    const statement = searchStatement(q, after, limit);
    // Nothing to look for (punctuation alone): nothing found, as a whole-word search finds nothing.
    if (!statement) return [];
    const { rows } = await this.pool.query<MessageRow & { created_key: string }>(statement);
    return rows.map((r) => ({ message: toMessage(r), key: r.created_key }));
  }

  async allMessages(conversationId: string): Promise<Message[]> {
    const { rows } = await this.pool.query<MessageRow>({
      name: 'bh_transcript',
      text: `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.conversation_id = $1 ORDER BY m.seq`,
      values: [conversationId],
    });
    return rows.map(toMessage);
  }
}

/**
 * The statement of a search, or null when it has nothing to look for. Whole words go through the
 * full-text index; pieces with East Asian letters through the index of letter pairs when they have
 * pairs, and ILIKE. A search of single East Asian letters alone reads the messages newest first.
 */
export function searchStatement(q: string, after: { at: string; id: string } | null, limit: number): pg.QueryConfig | null {
  const { words, fragments, grams } = searchTerms(q);
  if (!words && fragments.length === 0) return null;
  const conditions: string[] = [];
  const values: unknown[] = [after?.at ?? null, after?.id ?? null, limit];
  if (words) {
    values.push(words);
    conditions.push(`m.body_tsv @@ plainto_tsquery('simple', $${values.length})`);
  }
  if (grams) {
    // bellhop_has_cjk as the partial index has it: the planner may then use that index.
    values.push(grams);
    conditions.push(`bellhop_has_cjk(m.body) AND bellhop_cjk_grams(m.body) @@ $${values.length}::tsquery`);
  }
  if (fragments.length > 0) {
    values.push(fragments);
    conditions.push(`m.body ILIKE ALL ($${values.length}::text[])`);
  }
  return {
    name: `bh_search${words ? '_words' : ''}${grams ? '_pairs' : ''}${fragments.length > 0 ? '_text' : ''}`,
    text: `SELECT ${MESSAGE_COLUMNS}, m.created_at::text AS created_key FROM messages m
           WHERE ${conditions.join(' AND ')}
             AND ($1::timestamptz IS NULL OR (m.created_at, m.id) < ($1::timestamptz, $2::uuid))
           ORDER BY m.created_at DESC, m.id DESC
           LIMIT $3`,
    values,
  };
}
