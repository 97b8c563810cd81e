import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every stored message updates its conversation's row (last seq, last message, activity). While
 * `last_activity_at` was indexed, each of those updates wrote a new entry into all four of the
 * table's indexes and left dead ones behind; at thousands of messages per second the table and its
 * indexes bloated faster than autovacuum could clean them, and the send path slowed down as it
 * ran. Without an index on a column the send path changes, the updates are HOT (heap-only): the
 * new row version goes on the same page and no index is touched. Free space on each page
 * (fillfactor) lets them stay there; the same for read cursors, updated as messages are read.
 *
 * The inbox (newest activity first) now sorts the conversations instead of reading them in index
 * order: a top-N sort over a table of tens of thousands of small rows, a few milliseconds,
 * against work saved on every message.
 */
export class HotConversationUpdates1764100006000 implements MigrationInterface {
  name = 'HotConversationUpdates1764100006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX conversations_inbox_idx`);
    await q.query(`DROP INDEX conversations_activity_idx`);
    await q.query(`ALTER TABLE conversations SET (fillfactor = 70)`);
    await q.query(`ALTER TABLE read_cursors SET (fillfactor = 70)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE read_cursors RESET (fillfactor)`);
    await q.query(`ALTER TABLE conversations RESET (fillfactor)`);
    await q.query(`CREATE INDEX conversations_inbox_idx ON conversations (status, last_activity_at DESC, id DESC)`);
    await q.query(`CREATE INDEX conversations_activity_idx ON conversations (last_activity_at DESC, id DESC)`);
  }
}
