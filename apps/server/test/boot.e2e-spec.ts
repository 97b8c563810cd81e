import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startTestApp, type TestApp } from './support/app.js';

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
