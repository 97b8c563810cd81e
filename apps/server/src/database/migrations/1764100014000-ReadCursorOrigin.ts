import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The connection that last moved a read cursor. `conversation.read` goes to the reader's other
 * connections, not to the one that read; the catch-up after a lost event bus connection reads the
 * cursors moved meanwhile from this table, and without the origin sent each read to the reading
 * connection too. A column without a default: adding it rewrites nothing.
 */
export class ReadCursorOrigin1764100014000 implements MigrationInterface {
  name = 'ReadCursorOrigin1764100014000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE read_cursors ADD COLUMN origin uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE read_cursors DROP COLUMN origin`);
  }
}
