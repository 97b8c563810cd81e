import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AnswerDeadlineClient } from './answer-deadline-client.js';
import { InitialSchema1764100000000 } from './migrations/1764100000000-InitialSchema.js';
import { RealtimeSockets1764100002000 } from './migrations/1764100002000-RealtimeSockets.js';
import { SendBatchFunction1764100004000 } from './migrations/1764100004000-SendBatchFunction.js';
import { OpenSocketFunction1764100005000 } from './migrations/1764100005000-OpenSocketFunction.js';
import { HotConversationUpdates1764100006000 } from './migrations/1764100006000-HotConversationUpdates.js';
import { OpenSocketsBatch1764100007000 } from './migrations/1764100007000-OpenSocketsBatch.js';
import { SendBatchPlans1764100008000 } from './migrations/1764100008000-SendBatchPlans.js';
import { SearchIndexWithoutPendingList1764100009000 } from './migrations/1764100009000-SearchIndexWithoutPendingList.js';
import { SearchIndexMergedInBulk1764100010000 } from './migrations/1764100010000-SearchIndexMergedInBulk.js';
import { SendBatchLocksConversationsOnly1764100011000 } from './migrations/1764100011000-SendBatchLocksConversationsOnly.js';
import { MIGRATION_LOCK_KEY } from './migration-lock.js';
import { SendBatchDeadline1764100012000 } from './migrations/1764100012000-SendBatchDeadline.js';
import { SearchEastAsianGrams1764100013000 } from './migrations/1764100013000-SearchEastAsianGrams.js';
import { ReadCursorOrigin1764100014000 } from './migrations/1764100014000-ReadCursorOrigin.js';

/** Every migration, in order. Migrations are never edited once merged: add a new one. */
export const migrations = [InitialSchema1764100000000, RealtimeSockets1764100002000, SendBatchFunction1764100004000, OpenSocketFunction1764100005000, HotConversationUpdates1764100006000, OpenSocketsBatch1764100007000, SendBatchPlans1764100008000, SearchIndexWithoutPendingList1764100009000, SearchIndexMergedInBulk1764100010000, SendBatchLocksConversationsOnly1764100011000, SendBatchDeadline1764100012000, SearchEastAsianGrams1764100013000, ReadCursorOrigin1764100014000];


/**
 * Options for a data source on `url`. `statementTimeoutMs`: the server's own connections cancel any
 * statement (lock waits included) that runs longer, so a database held up (a lock, a long
 * statement) fails sends and handshakes with `unavailable` / 503 instead of holding them without
 * end; and they wait for any answer at most answerTimeoutMs. Without it (the
 * migrations' connection, the CLI) statements have no limit, whatever the role or database sets:
 * building an index on a large table may take long.
 */
export function dataSourceOptions(url: string, entities: DataSourceOptions['entities'] = [], statementTimeoutMs?: number): DataSourceOptions {
  const timeout = ` -c statement_timeout=${Math.floor(statementTimeoutMs ?? 0)}`;
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    applicationName: 'bellhop',
    extra: {
      max: 20,
      connectionTimeoutMillis: 3000,
      // A new connection plans bellhop_send_batch and the other named statements on first use,
      // 50 to 90 ms for the send batch: pg's default of closing a connection idle for 10 s made
      // that happen again and again while the load went up and down. A minute rides that out.
      idleTimeoutMillis: 60_000,
      // Every acked message must be durable: never let a session turn this off. No JIT: these are
      // short queries, and a large cost estimate (an inbox page's unread counts) made PostgreSQL
      // compile each execution, which took longer than running it.
      options: `-c synchronous_commit=on -c jit=off${timeout}`,
      // See answerTimeoutMs, and AnswerDeadlineClient for why not pg's own query_timeout.
      ...(statementTimeoutMs ? { Client: AnswerDeadlineClient, answerTimeoutMs: answerTimeoutMs(statementTimeoutMs) } : {}),
    },
  };
}

/**
 * How long the server waits for the database's answer to any query before it gives up on it: the
 * statement timeout plus a margin for the commit and the network. The statement timeout is the
 * database's own limit and needs a database that still runs; this one is the client's, for a
 * database that does not answer at all (its host frozen, packets dropped on the way): the query
 * fails, its connection is closed, and sends are answered `unavailable`, requests and
 * handshakes 503. A send batch carries a deadline that keeps the database from committing it
 * after that (commitDeadlineMs); for other writes, whether the database then commits what it was
 * sent or not, a retry is idempotent (for a handshake, see ClusterService.abandoned). Work
 * that lifts the statement timeout lifts this too (NO_ANSWER_LIMIT).
 */
export function answerTimeoutMs(statementTimeoutMs: number): number {
  return statementTimeoutMs + 2000;
}

/**
 * How long after it is sent a send batch may still commit: a second before the server gives up on
 * its answer (answerTimeoutMs), so that a batch answered `unavailable` is never stored (migration
 * SendBatchDeadline).
 */
export function commitDeadlineMs(statementTimeoutMs: number): number {
  return answerTimeoutMs(statementTimeoutMs) - 1000;
}

/** A query's answer timeout that is none in practice (the longest a Node.js timer may wait). */
export const NO_ANSWER_LIMIT = 2 ** 31 - 1;

/** How long an instance waits between two attempts to take the migration lock. */
const MIGRATION_LOCK_RETRY_MS = 200;

/**
 * Runs pending migrations under an advisory lock, so several instances may start at once. The
 * lock is tried again and again rather than waited for: a statement waiting in
 * pg_advisory_lock holds a snapshot, and an index built concurrently by the instance that holds
 * the lock (migration SearchEastAsianGrams) waits for every older snapshot to go. Each would
 * wait for the other for ever.
 */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    for (;;) {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [MIGRATION_LOCK_KEY])) as { locked: boolean }[];
      if (locked) break;
      await sleep(MIGRATION_LOCK_RETRY_MS);
    }
    const ran = await ds.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}

/** A data source for the TypeORM CLI: `typeorm migration:run -d dist/database/data-source.js`. */
// eslint-disable-next-line no-restricted-properties -- the CLI entry point has no app config
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://localhost/bellhop'));
