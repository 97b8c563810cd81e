import pg from 'pg';
import { inTransaction, isUnanswered } from '../src/common/sql.js';
import { AnswerDeadlineClient, type AnswerDeadlineOptions } from '../src/database/answer-deadline-client.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { recordUncaught } from './support/process.js';

// The pool's client class: every query waits at most answerTimeoutMs for its answer (pg_sleep
// stands for a database that answers late), and the connection of one that did not is closed.
describe('AnswerDeadlineClient', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const uncaught = recordUncaught();

  beforeAll(async () => {
    db = await createTestDatabase();
    const options: pg.PoolConfig & AnswerDeadlineOptions = { connectionString: db.url, max: 3, Client: AnswerDeadlineClient, answerTimeoutMs: 400 };
    pool = new pg.Pool(options);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('answers in time as pg does, in every calling form', async () => {
    expect((await pool.query('SELECT $1::int AS n', [7])).rows).toEqual([{ n: 7 }]);
    expect((await pool.query({ text: 'SELECT $1::text AS s', values: ['x'] })).rows).toEqual([{ s: 'x' }]);
    const client = await pool.connect();
    try {
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      const viaCallback = await new Promise<unknown>((resolve, reject) =>
        client.query('SELECT $1::int AS n', [2], (err, res) => (err ? reject(err) : resolve(res.rows))),
      );
      expect(viaCallback).toEqual([{ n: 2 }]);
      // An error of the database's own is passed on as it is.
      await expect(client.query('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
      // A query's own limit replaces the pool's, and 0 is none.
      expect((await client.query({ text: 'SELECT 1 AS slept FROM pg_sleep(0.6)', query_timeout: 0 } as pg.QueryConfig)).rows).toEqual([{ slept: 1 }]);
      expect((await client.query({ text: 'SELECT 1 AS slept FROM pg_sleep(0.6)', query_timeout: 2000 } as pg.QueryConfig)).rows).toEqual([{ slept: 1 }]);
    } finally {
      client.release();
    }
    expect(uncaught).toEqual([]);
  });

  it('fails a query with no answer in time with "Query read timeout", closes its connection and the pool goes on', async () => {
    const client = await pool.connect();
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    const started = Date.now();
    const err = await client.query('SELECT pg_sleep(5)').then(
      () => undefined,
      (e: Error) => e,
    );
    const waited = Date.now() - started;
    expect(isUnanswered(err)).toBe(true);
    expect(waited).toBeGreaterThanOrEqual(350);
    // The connection is closed (pg leaves it waiting for the answer).
    await ended;
    client.release();
    // Through pool.query (callback form inside pg-pool) too, and the pool serves on.
    await expect(pool.query('SELECT pg_sleep(5)')).rejects.toThrow('Query read timeout');
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect(uncaught).toEqual([]);
  });

  it('gives up a transaction whose statement gets no answer: nothing is written, the connection does not go back to the pool', async () => {
    await db.query('CREATE TABLE deadline_probe (n int)');
    let ended: Promise<void> | undefined;
    await expect(
      inTransaction(pool, async (client) => {
        ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
        await client.query('INSERT INTO deadline_probe VALUES (1)');
        await client.query('SELECT pg_sleep(5)');
      }),
    ).rejects.toThrow('Query read timeout');
    // Closed rather than returned to the pool waiting for its answer.
    await ended;
    expect((await db.query('SELECT count(*)::int AS n FROM deadline_probe')).rows).toEqual([{ n: 0 }]);
    expect((await pool.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    expect(uncaught).toEqual([]);
  });
});
