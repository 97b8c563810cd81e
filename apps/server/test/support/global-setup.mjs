// Runs once before the e2e project, outside jest's module system: it uses the built server (dist/).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '../../dist/database/data-source.js';
import { EmbeddedPostgres } from '../../dist/database/embedded-postgres.js';

const TEMPLATE_DB = 'bellhop_e2e_template';

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
  }
  process.env.BELLHOP_E2E_ADMIN_URL = adminUrl;

  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const stale = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'bellhop_e2e_%'`);
    for (const { datname } of stale.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
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
