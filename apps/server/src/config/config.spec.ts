import { ConfigError, loadConfig } from './config.js';

const SECRET = 'a-secret-of-at-least-thirty-two-bytes!!';

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig({ JWT_SECRET: SECRET, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('the configuration was accepted');
}

describe('loadConfig', () => {
  it('gives each variable its documented default', () => {
    const config = loadConfig({ JWT_SECRET: SECRET });
    expect(config).toMatchObject({ port: 3000, heartbeatMs: 25_000, retentionDays: 90, databaseStatementTimeoutMs: 10_000, databaseUrl: undefined });
    expect(config.allowedOrigins).toEqual(['http://localhost:3000']);
  });

  it('reads DATABASE_STATEMENT_TIMEOUT_MS', () => {
    expect(loadConfig({ JWT_SECRET: SECRET, DATABASE_STATEMENT_TIMEOUT_MS: '2500' }).databaseStatementTimeoutMs).toBe(2500);
  });

  it.each([['50'], ['600001'], ['1.5'], ['soon']])('refuses DATABASE_STATEMENT_TIMEOUT_MS=%s, naming it', (value) => {
    expect(problems({ DATABASE_STATEMENT_TIMEOUT_MS: value })).toEqual([expect.stringMatching(/^DATABASE_STATEMENT_TIMEOUT_MS: /)]);
  });

  it('names every bad variable at once', () => {
    const found = problems({ PORT: '70000', HEARTBEAT_MS: '10', DATABASE_URL: 'mysql://x' });
    expect(found.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'HEARTBEAT_MS', 'PORT']);
  });
});
