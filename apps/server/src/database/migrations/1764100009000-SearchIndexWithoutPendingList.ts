import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The full-text index on message bodies kept new entries in a pending list (GIN's `fastupdate`)
 * and merged them into the index once the list passed 4 MB: about 22,000 messages. The merge ran
 * inside whichever send batch crossed the limit, so that batch, and every conversation's sends
 * queued behind it, waited 60 ms and more on this hardware: at 1,900 msgs/s, once every 11 s,
 * enough on its own to lift the acks' p99 above 50 ms. With the list off each message is indexed
 * as it is stored: a steadier cost, which the load benchmark showed to be lower as well (ack p99
 * at 2,900 msgs/s 31 and 35 ms, against 67 and 55 ms with the pending list, PostgreSQL 15).
 * Searches also no longer scan an unsorted list.
 */
export class SearchIndexWithoutPendingList1764100009000 implements MigrationInterface {
  name = 'SearchIndexWithoutPendingList1764100009000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER INDEX messages_body_tsv_idx SET (fastupdate = off)`);
    // Entries already pending are merged now rather than by a later vacuum.
    await q.query(`SELECT gin_clean_pending_list('messages_body_tsv_idx'::regclass)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER INDEX messages_body_tsv_idx RESET (fastupdate)`);
  }
}
