import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { UNANSWERED } from '../database/answer-deadline-client.js';

/**
 * Runs raw SQL and returns its rows. TypeORM's postgres driver answers UPDATE/DELETE with
 * `[rows, count]` and everything else with `rows`; this hides the difference.
 */
export async function queryRows<R>(manager: EntityManager, sql: string, params: unknown[] = []): Promise<R[]> {
  const result: unknown = await manager.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as R[];
  }
  return result as R[];
}

/** True for a unique-constraint violation (SQLSTATE 23505), optionally of one named constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } } | undefined;
  const code = e?.driverError?.code ?? e?.code;
  const name = e?.driverError?.constraint ?? e?.constraint;
  return code === '23505' && (constraint === undefined || name === constraint);
}

/** The pg.Pool behind TypeORM's Postgres driver; hot paths talk to it directly. */
export function poolOf(ds: DataSource): pg.Pool {
  return (ds.driver as unknown as { master: pg.Pool }).master;
}

/**
 * True when a query given a limit by answeredWithin got no answer in time. Unlike a statement the
 * database cancelled, it may still be committed, once the database gets to it.
 */
export function isUnanswered(err: unknown): boolean {
  return (err as { message?: string } | undefined)?.message === UNANSWERED;
}

/**
 * `query` with its own limit on waiting for its answer (`query_timeout`, not in pg's QueryConfig
 * type), instead of the pool's (see AnswerDeadlineClient; pg keeps it on other clients).
 */
export function answeredWithin<I>(query: pg.QueryConfig<I>, timeoutMs: number): pg.QueryConfig<I> {
  const limited: pg.QueryConfig<I> & { query_timeout: number } = { ...query, query_timeout: timeoutMs };
  return limited;
}

/**
 * Runs `work` in one transaction on a pooled connection. While the connection is checked out it
 * has a listener for its `error` event: pg emits one when the socket dies (Postgres restarted or
 * killed) and, with nobody listening, that would end the process. A connection that broke, or
 * could not roll back, is discarded instead of going back to the pool.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error): void => {
    broken ??= err;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    if (!broken) {
      await client.query('ROLLBACK').catch((e: Error) => {
        broken ??= e;
      });
    }
    throw err;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}
