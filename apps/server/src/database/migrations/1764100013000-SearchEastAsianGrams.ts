import { setTimeout as sleep } from 'node:timers/promises';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { MIGRATION_LOCK_KEY } from '../migration-lock.js';

/**
 * The letters of Chinese, Japanese and Korean that a search looks for inside the text (see
 * searchTerms, which holds the same ranges): Han, kana with the long-vowel mark ー and its
 * half-width form, Hangul. No punctuation: 。、「」 end a run as a space does.
 */
const LETTER =
  '\\u3005-\\u3007\\u303B\\u3041-\\u309F\\u30A1-\\u30FA\\u30FC-\\u30FF\\u31F0-\\u31FF\\u3400-\\u4DBF\\u4E00-\\u9FFF\\uF900-\\uFAFF\\uFF66-\\uFF9F' +
  '\\U00020000-\\U0003134F\\u1100-\\u11FF\\u3131-\\u318E\\uA960-\\uA97F\\uAC00-\\uD7A3\\uD7B0-\\uD7FF';

/** What pairs with those letters: them, and digits, ASCII or full-width (3楼, ３階). */
const PAIRED = `0-9\\uFF10-\\uFF19${LETTER}`;

/**
 * An index for searches in Chinese, Japanese and Korean. Those were matched by reading every
 * message newest first until a page was full: about 0.7 s for a word found nowhere among 1M
 * messages, and past the statement timeout from about 14M.
 *
 * `bellhop_cjk_grams` gives every pair of neighbouring characters in each run of such letters and
 * digits (holding at least one letter) in a text: 早餐 gives 早餐, 10点 gives 10 and 0点. A
 * search looks up its own runs' pairs and checks the candidates' text with ILIKE. The index is
 * partial: messages without such letters (`bellhop_has_cjk`) are not in it and cost a send nothing
 * more than that test (0.25 µs). Pairs only, not single letters as well: a message of 20 such
 * letters then adds 19 index entries, not 39 (inserting 100,000 of them took 6.0 s with pairs,
 * 9.9 s with both, 0.1 s without the index, PostgreSQL 15). A search whose runs are all a single
 * letter reads the messages newest first, as every such search did before.
 *
 * Built concurrently, outside a transaction: on a large table a plain build would hold up every
 * send meanwhile (39 s for 1M messages, half of them Chinese), those of instances still running
 * during a rolling upgrade included. Meanwhile servers of the previous version waiting to migrate
 * are cancelled (see whileCancellingLockWaiters). Each step can run again after an interruption;
 * an index left invalid by one is dropped first.
 */
export class SearchEastAsianGrams1764100013000 implements MigrationInterface {
  name = 'SearchEastAsianGrams1764100013000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION bellhop_has_cjk(body text) RETURNS boolean
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
      AS $fn$ SELECT body ~ '[${LETTER}]' $fn$`);
    // array_to_tsvector keeps each pair once.
    await q.query(`
      CREATE OR REPLACE FUNCTION bellhop_cjk_grams(body text) RETURNS tsvector
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
      AS $fn$
        SELECT coalesce(array_to_tsvector(array_agg(substr(r.m[1], i, 2))), ''::tsvector)
          FROM regexp_matches(body, '[${PAIRED}]*[${LETTER}][${PAIRED}]*', 'g') AS r(m),
               generate_series(1, char_length(r.m[1]) - 1) AS i
      $fn$`);
    await whileCancellingLockWaiters(q, async () => {
      // Concurrently too: a plain DROP would hold up sends while it waits for its lock.
      await q.query(`DROP INDEX CONCURRENTLY IF EXISTS messages_body_cjk_idx`);
      await q.query(`CREATE INDEX CONCURRENTLY messages_body_cjk_idx ON messages USING gin (bellhop_cjk_grams(body)) WHERE bellhop_has_cjk(body)`);
    });
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS messages_body_cjk_idx`);
    await q.query(`DROP FUNCTION IF EXISTS bellhop_cjk_grams(text)`);
    await q.query(`DROP FUNCTION IF EXISTS bellhop_has_cjk(text)`);
  }
}

/**
 * Runs `build` while cancelling, every half second, the sessions that wait for the migration lock.
 * Servers of versions before this one wait for it in pg_advisory_lock, which holds a snapshot; a
 * concurrent index build waits for every older snapshot to go, and the lock is held until the
 * build ends, so each would wait for the other for ever. A cancelled server fails to start and is
 * started again by whatever runs it; servers of this version never wait in the lock (they try it).
 */
async function whileCancellingLockWaiters(q: QueryRunner, build: () => Promise<void>): Promise<void> {
  let building = true;
  const sweeper = (async () => {
    while (building) {
      await q.connection
        .query(
          `SELECT pg_cancel_backend(pid) FROM pg_locks
            WHERE locktype = 'advisory' AND classid = 0 AND objid = $1 AND objsubid = 1 AND NOT granted AND pid <> pg_backend_pid()`,
          [MIGRATION_LOCK_KEY],
        )
        .catch(() => undefined);
      await sleep(500);
    }
  })();
  try {
    await build();
  } finally {
    building = false;
    await sweeper;
  }
}
