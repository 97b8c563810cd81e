import { postgresLogLevel, sharedBuffersMb } from './embedded-postgres.js';

describe('sharedBuffersMb', () => {
  const GiB = 2 ** 30;

  it('takes an eighth of the memory', () => {
    expect(sharedBuffersMb(2 * GiB)).toBe(256);
    expect(sharedBuffersMb(4 * GiB)).toBe(512);
  });

  it("never goes below PostgreSQL's default nor above 1 GB", () => {
    expect(sharedBuffersMb(GiB / 2)).toBe(128);
    expect(sharedBuffersMb(24 * GiB)).toBe(1024);
  });
});

describe('postgresLogLevel', () => {
  const at = '2026-12-03 20:49:37.073 UTC [9186] ';

  it('raises warnings and errors, and failures of the database itself above them', () => {
    expect(postgresLogLevel(`${at}WARNING:  could not write to log file`)).toBe('warn');
    expect(postgresLogLevel(`${at}ERROR:  could not extend file "base/5/16390": No space left on device`)).toBe('warn');
    expect(postgresLogLevel(`${at}FATAL:  password authentication failed for user "postgres"`)).toBe('error');
    expect(postgresLogLevel(`${at}PANIC:  could not write to file "pg_wal/xlogtemp.31": No space left on device`)).toBe('error');
  });

  it('keeps routine lines, and the lines that quote a statement, at debug', () => {
    expect(postgresLogLevel(`${at}LOG:  database system is ready to accept connections`)).toBe('debug');
    expect(postgresLogLevel(`${at}LOG:  checkpoint starting: time`)).toBe('debug');
    expect(postgresLogLevel(`${at}DETAIL:  Key (id)=(1) already exists.`)).toBe('debug');
    expect(postgresLogLevel(`${at}STATEMENT:  SELECT 1`)).toBe('debug');
    expect(postgresLogLevel('The files belonging to this database system will be owned by user "postgres".')).toBe('debug');
    expect(postgresLogLevel('ERROR: not a line of the log (no prefix)')).toBe('debug');
  });
});
