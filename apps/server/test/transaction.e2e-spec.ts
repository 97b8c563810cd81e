import pg from 'pg';
import { inTransaction } from '../src/common/sql.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { recordUncaught } from './support/process.js';

// pg emits `error` on a checked-out client whose socket dies; with nobody listening that ends the
// process (this is what Postgres being killed under a running server looks like).
describe('inTransaction on a connection that dies mid-transaction', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const uncaught = recordUncaught();

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('rejects the work, emits nothing unhandled, writes nothing, and the pool keeps serving', async () => {
    await db.query('CREATE TABLE tx_probe (n int)');
    const pids: number[] = [];
    const work = inTransaction(pool, async (client) => {
      await client.query('INSERT INTO tx_probe VALUES (1)');
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      pids.push(rows[0].pid);
      await db.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      // Give the FATAL message and the socket close time to arrive before the next statement.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await client.query('INSERT INTO tx_probe VALUES (2)');
    });
    await expect(work).rejects.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(uncaught).toEqual([]);
    expect((await db.query('SELECT count(*)::int AS n FROM tx_probe')).rows[0].n).toBe(0);

    // The broken connection was discarded: the next transaction gets a live one and commits.
    const pid = await inTransaction(pool, async (client) => {
      await client.query('INSERT INTO tx_probe VALUES (3)');
      return (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    });
    expect(pid).not.toBe(pids[0]);
    expect((await db.query('SELECT n FROM tx_probe')).rows).toEqual([{ n: 3 }]);
  });

  it('rolls back on an error of the work itself and returns the healthy connection to the pool', async () => {
    await db.query('CREATE TABLE tx_probe2 (n int PRIMARY KEY)');
    await expect(
      inTransaction(pool, async (client) => {
        await client.query('INSERT INTO tx_probe2 VALUES (1)');
        await client.query('INSERT INTO tx_probe2 VALUES (1)');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await db.query('SELECT count(*)::int AS n FROM tx_probe2')).rows[0].n).toBe(0);
    expect(pool.totalCount).toBeGreaterThan(0);
    await inTransaction(pool, (client) => client.query('INSERT INTO tx_probe2 VALUES (2)'));
    expect((await db.query('SELECT n FROM tx_probe2')).rows).toEqual([{ n: 2 }]);
  });
});
