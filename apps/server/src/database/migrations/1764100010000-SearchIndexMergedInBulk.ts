import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * New messages enter the full-text index through its pending list again, and the server merges
 * the list in bulk every quarter of a second while messages arrive (SearchIndexJobs), on a pooled
 * connection. Indexing each message as it was stored (migration SearchIndexWithoutPendingList)
 * put one index insertion per word of every body, a dozen for a short message, inside the send
 * transaction: the largest single cost of storing a message once `messages` holds a million rows.
 * Merged in bulk, each word's new entries go into the index at once. In normal operation the list
 * stays a few hundred kilobytes, far from the 4 MB at which a send would merge it itself (the
 * stalls that migration removed), and searches read it as well: a message is found as soon as it
 * is committed.
 */
export class SearchIndexMergedInBulk1764100010000 implements MigrationInterface {
  name = 'SearchIndexMergedInBulk1764100010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER INDEX messages_body_tsv_idx SET (fastupdate = on)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER INDEX messages_body_tsv_idx SET (fastupdate = off)`);
    await q.query(`SELECT gin_clean_pending_list('messages_body_tsv_idx'::regclass)`);
  }
}
