import type { Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pgDriver from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '../src/database/data-source.js';
import { EmbeddedPostgres, freePort, postgresLogLevel } from '../src/database/embedded-postgres.js';
import { startTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { request } from './support/http.js';
import { freezePostgres } from './support/process.js';

describe('health', () => {
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

  it('answers /healthz and /readyz with 200 {status: ok}', async () => {
    for (const p of ['/healthz', '/readyz']) {
      const res = await request(`GET`, `${t.baseUrl}${p}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    }
  });

  it('serves Prometheus metrics, the database pool included', async () => {
    await request('GET', `${t.baseUrl}/readyz`);
    const res = await request<string>('GET', `${t.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/^# HELP bellhop_db_pool_connections /m);
    expect(res.body).toMatch(/^bellhop_db_pool_connections\{state="total"\} [1-9]\d*$/m);
    expect(res.body).toMatch(/^bellhop_db_pool_connections\{state="idle"\} \d+$/m);
    expect(res.body).toMatch(/^bellhop_process_cpu_seconds_total /m);
  });

  it('builds each request and response with Express\'s own prototypes, which Express then leaves as they are', async () => {
    // Express changes the prototype of an object built otherwise, once per request: see BellhopExpressAdapter.
    const express = t.app.getHttpAdapter().getInstance() as { request: object; response: object };
    const server = t.app.getHttpServer() as Server;
    const seen: { request: unknown; response: unknown }[] = [];
    const onRequest = (req: object, res: object) => seen.push({ request: Object.getPrototypeOf(req), response: Object.getPrototypeOf(res) });
    server.prependListener('request', onRequest);
    try {
      const res = await request('GET', `${t.baseUrl}/healthz`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    } finally {
      server.removeListener('request', onRequest);
    }
    expect(seen).toHaveLength(1);
    expect(seen[0].request).toBe(express.request);
    expect(seen[0].response).toBe(express.response);
  });

  it('needs no token', async () => {
    expect((await request('GET', `${t.baseUrl}/metrics`, { token: 'garbage' })).status).toBe(200);
  });
});

describe('readiness while the database is down', () => {
  let pg: EmbeddedPostgres;
  let t: TestApp;
  let dataDir: string;
  const logged: string[] = [];

  beforeAll(async () => {
    dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'bellhop-ready-')), 'pg');
    pg = new EmbeddedPostgres({ dataDir, password: 'ready-password', port: await freePort(), onLog: (line) => logged.push(line) });
    const url = await pg.start();
    const ds = new DataSource(dataSourceOptions(url));
    await ds.initialize();
    await runMigrations(ds);
    await ds.destroy();
    t = await startTestApp(url);
  });
  afterAll(async () => {
    await t?.close();
    await pg?.stop();
    if (dataDir) rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });

  const ready = () => request(`GET`, `${t.baseUrl}/readyz`);

  it('answers 503 {status: unavailable} while Postgres is stopped, and 200 again once it is back', async () => {
    expect((await ready()).status).toBe(200);
    await pg.stop();
    const down = await ready();
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ status: 'unavailable' });
    // Liveness does not depend on the database.
    expect((await request('GET', `${t.baseUrl}/healthz`)).status).toBe(200);
    await pg.start();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await ready()).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });

  it('answers 503 within about a second when Postgres hangs', async () => {
    const thaw = freezePostgres(dataDir);
    try {
      const started = Date.now();
      const res = await ready();
      const elapsed = Date.now() - started;
      expect(res.status).toBe(503);
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(2500);
    } finally {
      thaw();
    }
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await ready()).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });

  it("passes the database's own warnings and errors on at levels an operator sees", async () => {
    const marker = `disk-${Date.now()}`;
    const client = new pgDriver.Client({ connectionString: pg.url });
    await client.connect();
    await client.query(`DO $$ BEGIN RAISE WARNING '${marker}'; END $$`);
    await client.end();
    const refused = new pgDriver.Client({ connectionString: pg.url.replace(/:[^:@/]+@/, ':not-the-password@') });
    await expect(refused.connect()).rejects.toThrow(/password authentication failed/);
    const levelOf = async (pattern: RegExp) => {
      for (let i = 0; i < 50 && !logged.some((l) => pattern.test(l)); i++) await new Promise((r) => setTimeout(r, 50));
      return logged.filter((l) => pattern.test(l)).map(postgresLogLevel);
    };
    expect(await levelOf(new RegExp(`WARNING:.*${marker}`))).toEqual(['warn']);
    expect(await levelOf(/FATAL:.*password authentication failed/)).toEqual(['error']);
    expect(await levelOf(/ready to accept connections/)).toContain('debug');
  });
});
