import { randomBytes } from 'node:crypto';
import pg from 'pg';


export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface TestDatabase {
  url: string;
  name: string;
  /** Runs SQL against this database (for assertions and setup that is not under test). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
}

/** Entries waiting in a search index's pending list (read with pageinspect; needs a superuser). */
export async function searchIndexPending(db: TestDatabase, index = 'messages_body_tsv_idx'): Promise<number> {
  await db.query('CREATE EXTENSION IF NOT EXISTS pageinspect');
  const { rows } = await db.query<{ n: string }>('SELECT n_pending_tuples AS n FROM gin_metapage_info(get_raw_page($1, 0))', [index]);
  return Number(rows[0].n);
}

/** A fresh database with the real migrations applied (a copy of the suite's template). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.BELLHOP_E2E_ADMIN_URL;
  if (!adminUrl) throw new Error('BELLHOP_E2E_ADMIN_URL is unset: run e2e specs through jest --selectProjects e2e');
  const prefix = process.env.BELLHOP_E2E_PREFIX!;
  const name = `${prefix}${randomBytes(6).toString('hex')}`;
  const TEMPLATE_DB = `${prefix}template`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  pool.on('error', () => undefined);
  return {
    url,
    name,
    query: (sql, params) => pool.query(sql, params as unknown[]),
    drop: async () => {
      await pool.end();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
