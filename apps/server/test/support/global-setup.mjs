// Runs once before the e2e project, outside jest's module system: it uses the built server (dist/).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '../../dist/database/data-source.js';
import { EmbeddedPostgres } from '../../dist/database/embedded-postgres.js';

// Names carry this run's pid, so runs sharing one server (TEST_DATABASE_URL) never touch each other.
const RUN_PREFIX = `bellhop_e2e_${process.pid}_`;
const TEMPLATE_DB = `${RUN_PREFIX}template`;

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the suite's Postgres: an embedded server in a temp dir, or TEST_DATABASE_URL when set.
 * Builds a template database with the real migrations; each spec file copies it (database.ts).
 */
export default async function globalSetup() {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bellhop-e2e-'));
    const embedded = new EmbeddedPostgres({ dataDir: path.join(dir, 'pg'), password: 'e2e-password' });
    adminUrl = await embedded.start();
    globalThis.__bellhopEmbedded = embedded;
    globalThis.__bellhopEmbeddedDir = dir;
  }
  process.env.BELLHOP_E2E_ADMIN_URL = adminUrl;
  process.env.BELLHOP_E2E_PREFIX = RUN_PREFIX;

  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Left behind by runs that were killed: their pid is gone.
    const stale = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'bellhop\\_e2e\\_%'`);
    for (const { datname } of stale.rows) {
      const pid = Number(datname.split('_')[2]);
      if (!isAlive(pid)) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE_DB}`;
  const ds = new DataSource(dataSourceOptions(url.toString()));
  await ds.initialize();
  await runMigrations(ds);
  await ds.destroy();
}
