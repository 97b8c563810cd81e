import { rmSync } from 'node:fs';
import pg from 'pg';

export default async function globalTeardown() {
  const embedded = globalThis.__bellhopEmbedded;
  if (embedded) {
    await embedded.stop();
    rmSync(globalThis.__bellhopEmbeddedDir, { recursive: true, force: true });
    return;
  }
  const adminUrl = process.env.BELLHOP_E2E_ADMIN_URL;
  if (!adminUrl) return;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const rows = await admin.query(`SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, [process.env.BELLHOP_E2E_PREFIX]);
    for (const { datname } of rows.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
