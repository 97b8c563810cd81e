import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The connection that last moved a read cursor. `conversation.read` goes to the reader's other
 * connections, not to the one that read; the catch-up after a lost event bus connection reads the
 * cursors moved meanwhile from this table, and without the origin sent each read to the reading
 * connection too. `origin_seq` is the seq that connection moved it to: the cursor also moves
 * without an origin (a sender's own message, in bellhop_send_batch; servers of the previous
 * version during a rolling upgrade), and the origin holds only while the seq is still that one.
 * Columns without a default: adding them rewrites nothing.
 */
export class ReadCursorOrigin1764100014000 implements MigrationInterface {
  name = 'ReadCursorOrigin1764100014000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE read_cursors ADD COLUMN origin uuid, ADD COLUMN origin_seq integer`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE read_cursors DROP COLUMN origin, DROP COLUMN origin_seq`);
  }
}
