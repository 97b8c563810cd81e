import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '../src/database/data-source.js';
import { MIGRATION_LOCK_KEY } from '../src/database/migration-lock.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startTestApp, type TestApp } from './support/app.js';
import { sleep } from './support/ws.js';

describe('boot', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('runs with synchronous_commit on, so an ack means the message is on disk', async () => {
    const { rows } = await db.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
    expect(rows[0].synchronous_commit).toBe('on');
  });

  it("sets its own connections' durability and JIT, whatever the server's defaults", async () => {
    const [row] = (await t.app.get(DataSource).query('SELECT current_setting($1) AS sc, current_setting($2) AS jit', ['synchronous_commit', 'jit'])) as { sc: string; jit: string }[];
    expect(row).toEqual({ sc: 'on', jit: 'off' });
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const res = await fetch(`${t.baseUrl}/api/nope`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { statusCode: number; error: string };
    expect(body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  describe('the web app on the same port', () => {
    let web: TestApp;
    let dist: string | undefined;
    beforeAll(async () => {
      dist = mkdtempSync(path.join(os.tmpdir(), 'bellhop-web-'));
      mkdirSync(path.join(dist, 'assets'));
      mkdirSync(path.join(dist, 'api'));
      writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>app</title>');
      writeFileSync(path.join(dist, 'assets', 'app-1a2b.js'), 'console.log(1)');
      // A file where an API path points: API paths must never be answered from the file system.
      writeFileSync(path.join(dist, 'api', 'health.txt'), 'not from here');
      web = await startTestApp(db.url, { WEB_DIST_DIR: dist });
    });
    afterAll(async () => {
      await web?.close();
      if (dist) rmSync(dist, { recursive: true, force: true });
    });

    it('serves hashed assets as immutable and every client route as the app, not cached', async () => {
      const asset = await fetch(`${web.baseUrl}/assets/app-1a2b.js`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      for (const route of ['/', '/staff/inbox', '/join/ABCD1234']) {
        const page = await fetch(`${web.baseUrl}${route}`);
        expect(page.status).toBe(200);
        expect(page.headers.get('cache-control')).toBe('no-cache');
        expect(await page.text()).toContain('<title>app</title>');
      }
    });

    it('answers API, socket and probe paths from the server, never from the files', async () => {
      const api = await fetch(`${web.baseUrl}/api/health.txt`);
      expect(api.status).toBe(404);
      expect(await api.json()).toMatchObject({ statusCode: 404 });
      expect((await fetch(`${web.baseUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${web.baseUrl}/api/nope`, { method: 'POST' })).status).toBe(404);
    });
  });
});

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('are run by one of several instances starting at once, an index built concurrently included', async () => {
    // The letter-pair index to build again, concurrently, by whichever instance takes the lock.
    await db.query('DROP INDEX messages_body_cjk_idx');
    await db.query(`DELETE FROM migrations WHERE name = 'SearchEastAsianGrams1764100013000'`);
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    const instances = [new DataSource(dataSourceOptions(db.url)), new DataSource(dataSourceOptions(db.url))];
    try {
      // Both instances find the lock taken, so one of them is still waiting for it while the other builds.
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await Promise.all(instances.map((ds) => ds.initialize()));
      const running = instances.map((ds) => runMigrations(ds));
      await sleep(500);
      await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      const ran = await Promise.race([Promise.all(running), sleep(20_000).then(() => null)]);
      expect(ran?.flat()).toEqual(['SearchEastAsianGrams1764100013000']);
      const { rows } = await db.query<{ valid: boolean }>(`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'messages_body_cjk_idx'::regclass`);
      expect(rows).toEqual([{ valid: true }]);
    } finally {
      await holder.end();
      // A hung migration is cut off with its connections.
      await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
      await Promise.all(instances.map((ds) => (ds.isInitialized ? ds.destroy().catch(() => undefined) : undefined)));
    }
  }, 40_000);

  it('cancel the wait of an instance of the previous version, which would hold up a concurrent build for ever', async () => {
    await db.query('DROP INDEX messages_body_cjk_idx');
    await db.query(`DELETE FROM migrations WHERE name = 'SearchEastAsianGrams1764100013000'`);
    // Enough messages, half of them Chinese, for the build to take a while.
    await db.query(`WITH s AS (INSERT INTO stays (guest_name, family_name, family_name_key, room_number, check_in, check_out, join_code)
                               VALUES ('Mei', 'Wang', 'wang', 'M-1', current_date, current_date + 1, 'MIGRATE1') RETURNING id),
                         c AS (INSERT INTO conversations (stay_id) SELECT id FROM s RETURNING id)
                    INSERT INTO messages (conversation_id, seq, client_msg_id, sender_type, sender_name, body)
                    SELECT c.id, g, gen_random_uuid(), 'guest', 'Mei', CASE WHEN g % 2 = 0 THEN '请问早餐几点开始，房间' || g || '需要毛巾' ELSE 'extra towels for room ' || g END
                      FROM c, generate_series(1, 150000) g`);
    const ds = new DataSource(dataSourceOptions(db.url));
    // A server of the previous version: it waits in pg_advisory_lock (holding a snapshot), then
    // finds nothing of its own to migrate and lets go.
    const previous = new pg.Client({ connectionString: db.url });
    await previous.connect();
    previous.on('error', () => undefined);
    try {
      await ds.initialize();
      const running = runMigrations(ds);
      await eventuallyLocked(db);
      const waited = previous.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]).then(
        () => previous.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).then(() => 'locked'),
        (err: { code?: string }) => err.code,
      );
      const ran = await Promise.race([running, sleep(30_000).then(() => null)]);
      expect(ran).toEqual(['SearchEastAsianGrams1764100013000']);
      // Its wait was cancelled (it would fail to start and be started again), or it came after the build.
      expect(['57014', 'locked']).toContain(await waited);
    } finally {
      await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
      await previous.end().catch(() => undefined);
      if (ds.isInitialized) await ds.destroy().catch(() => undefined);
    }
  }, 60_000);
});

/** Waits until some session holds the migration lock. */
async function eventuallyLocked(db: TestDatabase): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { rows } = await db.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted`, [MIGRATION_LOCK_KEY]);
    if (rows.length > 0) return;
    await sleep(20);
  }
  throw new Error('nobody took the migration lock');
}
