import path from 'node:path';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { loadSecrets, type AppConfig } from '../config/config.js';
import { dataSourceOptions, runMigrations } from './data-source.js';
import { EmbeddedPostgres, postgresLogLevel } from './embedded-postgres.js';

export interface PreparedDatabase {
  url: string;
  /** Set when this process started the embedded database; stop it last. */
  embedded: EmbeddedPostgres | undefined;
}

/** Starts the embedded database when DATABASE_URL is unset, then applies pending migrations. */
export async function prepareDatabase(config: AppConfig, logger: Logger): Promise<PreparedDatabase> {
  let url = config.databaseUrl;
  let embedded: EmbeddedPostgres | undefined;
  if (!url) {
    const dataDir = path.join(config.dataDir, 'postgres');
    embedded = new EmbeddedPostgres({
      dataDir,
      password: loadSecrets(config.dataDir).embeddedDbPassword,
      onLog: (line) => logger[postgresLogLevel(line)]({ component: 'embedded-postgres' }, line),
    });
    logger.info({ dataDir }, 'starting the embedded PostgreSQL (DATABASE_URL is unset)');
    url = await embedded.start();
  }
  try {
    const ds = new DataSource(dataSourceOptions(url));
    await ds.initialize();
    try {
      const ran = await runMigrations(ds);
      if (ran.length) logger.info({ migrations: ran }, 'migrations applied');
    } finally {
      await ds.destroy();
    }
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  return { url, embedded };
}
