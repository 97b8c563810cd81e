import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import type { StayStatus } from '@bellhop/protocol';
import { answeredWithin, inTransaction, poolOf, queryRows } from '../../common/sql.js';
import { NO_ANSWER_LIMIT } from '../../database/data-source.js';

export interface StayRow {
  id: string;
  guest_name: string;
  family_name: string;
  room_number: string;
  /** `YYYY-MM-DD`: selected as text, so no time zone ever shifts it. */
  check_in: string;
  check_out: string;
  status: StayStatus;
  conversation_id: string;
}

/** A stay as listed: with its canonical join code (`ABCDEFGH`), for reprinting the guest's card. */
export interface ListedStayRow extends StayRow {
  join_code: string;
}

export interface NewStayRow {
  guestName: string;
  familyName: string;
  familyNameKey: string;
  roomNumber: string;
  checkIn: string;
  checkOut: string;
  joinCode: string;
}

/** The partial unique index allowing one active stay per room. */
export const ACTIVE_ROOM_KEY = 'stays_active_room_key';

const STAY_COLUMNS = `s.id, s.guest_name, s.family_name, s.room_number, s.check_in::text AS check_in,
  s.check_out::text AS check_out, s.status, c.id AS conversation_id`;

@Injectable()
export class StaysRepository {
  constructor(private readonly ds: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  async roomHasActiveStay(tx: EntityManager, roomNumber: string): Promise<boolean> {
    const rows = await queryRows<{ exists: boolean }>(
      tx,
      `SELECT EXISTS (SELECT 1 FROM stays WHERE lower(room_number) = lower($1) AND status = 'active') AS exists`,
      [roomNumber],
    );
    return rows[0].exists;
  }

  /** Inserts the stay; undefined when the join code is already taken (draw another). */
  async insertStay(tx: EntityManager, stay: NewStayRow): Promise<string | undefined> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `INSERT INTO stays (guest_name, family_name, family_name_key, room_number, check_in, check_out, join_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (join_code) DO NOTHING
       RETURNING id`,
      [stay.guestName, stay.familyName, stay.familyNameKey, stay.roomNumber, stay.checkIn, stay.checkOut, stay.joinCode],
    );
    return rows[0]?.id;
  }

  async insertConversation(tx: EntityManager, stayId: string): Promise<string> {
    const rows = await queryRows<{ id: string }>(tx, `INSERT INTO conversations (stay_id) VALUES ($1) RETURNING id`, [stayId]);
    return rows[0].id;
  }

  async find(id: string, tx: EntityManager = this.ds.manager): Promise<StayRow | undefined> {
    const rows = await queryRows<StayRow>(tx, `SELECT ${STAY_COLUMNS} FROM stays s JOIN conversations c ON c.stay_id = s.id WHERE s.id = $1`, [id]);
    return rows[0];
  }

  /** Newest check-in first. */
  list(status: StayStatus): Promise<ListedStayRow[]> {
    return queryRows<ListedStayRow>(
      this.ds.manager,
      `SELECT ${STAY_COLUMNS}, s.join_code FROM stays s JOIN conversations c ON c.stay_id = s.id
        WHERE s.status = $1 ORDER BY s.check_in DESC, s.created_at DESC`,
      [status],
    );
  }

  async lockStatus(tx: EntityManager, id: string): Promise<StayStatus | undefined> {
    const rows = await queryRows<{ status: StayStatus }>(tx, `SELECT status FROM stays WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0]?.status;
  }

  async markCheckedOut(tx: EntityManager, id: string): Promise<void> {
    await tx.query(`UPDATE stays SET status = 'checked_out', checked_out_at = now() WHERE id = $1`, [id]);
  }

  /**
   * Resolves the stay's conversation; returns its id. Always writes the row, even when it is
   * resolved already: check-out relies on holding its lock (see StaysService.checkOut).
   */
  async resolveConversation(tx: EntityManager, stayId: string): Promise<string> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `UPDATE conversations SET status = 'resolved', updated_at = now() WHERE stay_id = $1 RETURNING id`,
      [stayId],
    );
    return rows[0].id;
  }

  /** Active stays whose check-out date is before `date`. */
  async activeCheckingOutBefore(date: string, limit: number): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.ds.manager,
      `SELECT id FROM stays WHERE status = 'active' AND check_out < $1::date ORDER BY check_out LIMIT $2`,
      [date, limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Deletes up to `limit` stays checked out more than `days` ago, with their conversations,
   * messages, read cursors and guest sessions. Returns what it deleted, counted.
   */
  async deleteCheckedOutBefore(days: number, limit: number): Promise<{ stays: number; conversations: number; messages: number }> {
    return inTransaction(poolOf(this.ds), async (client) => {
      // A background job with nobody waiting: deleting a long history may take longer than the
      // statement timeout, and would then fail on every run; the same for waiting on its answer.
      const run = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
        (await client.query<R>(answeredWithin({ text, values }, NO_ANSWER_LIMIT))).rows;
      await run('SET LOCAL statement_timeout = 0');
      const due = await run<{ id: string }>(
        `SELECT id FROM stays
          WHERE status = 'checked_out' AND checked_out_at < now() - make_interval(days => $1)
          ORDER BY checked_out_at LIMIT $2
          FOR UPDATE SKIP LOCKED`,
        [days, limit],
      );
      const ids = due.map((r) => r.id);
      if (ids.length === 0) return { stays: 0, conversations: 0, messages: 0 };
      const [{ n: messages }] = await run<{ n: number }>(
        `SELECT count(*)::int AS n FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.stay_id = ANY($1::uuid[])`,
        [ids],
      );
      const conversations = await run<{ id: string }>(`DELETE FROM conversations WHERE stay_id = ANY($1::uuid[]) RETURNING id`, [ids]);
      await run(`DELETE FROM sessions WHERE subject_type = 'guest' AND subject_id = ANY($1::uuid[])`, [ids]);
      await run(`DELETE FROM stays WHERE id = ANY($1::uuid[])`, [ids]);
      return { stays: ids.length, conversations: conversations.length, messages };
    });
  }
}
