import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { envSchema } from './env.schema.js';

/** The validated configuration the whole server reads. Built once at boot from the environment. */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  databaseUrl: string | undefined;
  dataDir: string;
  jwtSecret: string;
  publicUrl: string;
  allowedOrigins: string[];
  trustProxy: boolean;
  admin: { username: string; password: string } | undefined;
  heartbeatMs: number;
  retentionDays: number;
  /** The longest any statement of the server may run (PostgreSQL's statement_timeout); migrations and retention have none. */
  databaseStatementTimeoutMs: number;
  logLevel: string;
  /** Where the built web app is, or undefined when it is not built. */
  webDistDir: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Secrets generated once and kept in DATA_DIR (mode 600) when not given. */
export interface DataDirSecrets {
  jwtSecret: string;
  embeddedDbPassword: string;
}

export function loadSecrets(dataDir: string): DataDirSecrets {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'secrets.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<DataDirSecrets>;
    if (stored.jwtSecret && stored.embeddedDbPassword) return stored as DataDirSecrets;
  }
  const secrets: DataDirSecrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    embeddedDbPassword: randomBytes(24).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}

function findWebDist(explicit: string | undefined): string | undefined {
  const candidates = explicit
    ? [explicit]
    : [
        path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../web/dist'),
        path.resolve(process.cwd(), 'apps/web/dist'),
        path.resolve(process.cwd(), 'public'),
      ];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
}

/** Validates `env` and derives the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings count as unset, as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const secrets = e.JWT_SECRET ? undefined : loadSecrets(dataDir);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const allowedOrigins = e.ALLOWED_ORIGINS
    ? e.ALLOWED_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean)
    : [new URL(publicUrl).origin];
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    jwtSecret: e.JWT_SECRET ?? secrets!.jwtSecret,
    publicUrl,
    allowedOrigins,
    trustProxy: e.TRUST_PROXY === '1',
    admin: e.ADMIN_USERNAME && e.ADMIN_PASSWORD ? { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD } : undefined,
    heartbeatMs: e.HEARTBEAT_MS,
    retentionDays: e.RETENTION_DAYS,
    databaseStatementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    webDistDir: findWebDist(e.WEB_DIST_DIR),
  };
}

/** Injection token for AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
