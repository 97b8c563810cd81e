import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/config.js';
import { createLogger } from './common/logger.js';
import { prepareDatabase } from './database/prepare.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`bellhop: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const db = await prepareDatabase(config, logger);
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp(config, logger, db.url);
  } catch (err) {
    // Never leave an embedded database running behind a server that failed to start.
    await db.embedded?.stop();
    throw err;
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: closing sockets, finishing in-flight sends');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await app.close();
      await db.embedded?.stop();
    } finally {
      logger.info('stopped');
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    await app.listen(config.port);
  } catch (err) {
    await app.close().catch(() => undefined);
    await db.embedded?.stop();
    throw err;
  }
  logger.info({ port: config.port, publicUrl: config.publicUrl, web: Boolean(config.webDistDir), embeddedDatabase: Boolean(db.embedded) }, `Bellhop is listening on ${config.publicUrl}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bellhop: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
