import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built server; the root `pnpm test` builds it first. */
export const SERVER_MAIN = process.env.BELLHOP_SERVER_MAIN ?? fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const ADMIN = { username: 'admin', password: 'front-desk-test-pw' };

export interface ServerHandle {
  readonly url: string;
  readonly port: number;
  /** Stops and starts the same server again: same port, same data. */
  restart(): Promise<void>;
  /** Freezes / thaws the process (a server that stops answering without closing anything). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  logs(): string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, logs: () => string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${logs()}`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the server was not ready within ${timeoutMs} ms:\n${logs()}`);
}

/**
 * Starts the real server from its build on a free port, with a fresh data directory (embedded
 * PostgreSQL), or with TEST_DATABASE_URL when that is set.
 */
export async function startServer(extraEnv: Record<string, string> = {}): Promise<ServerHandle> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'bellhop-web-test-'));
  let output = '';
  let child: ChildProcess;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    PORT: String(port),
    DATA_DIR: dataDir,
    PUBLIC_URL: url,
    JWT_SECRET: 'web-tests-0123456789abcdef0123456789abcdef0123456789',
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    HEARTBEAT_MS: '5000',
    ...extraEnv,
  };
  delete env.DATABASE_URL;
  if (process.env.TEST_DATABASE_URL) env.DATABASE_URL = process.env.TEST_DATABASE_URL;

  const launch = async () => {
    child = spawn(process.execPath, [SERVER_MAIN], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    await waitReady(url, child, () => output);
  };

  // A server that dies during start-up may leave its embedded PostgreSQL running: stop exactly
  // that process (its pid is in the data directory), never anything found by name.
  const stopOrphanPostgres = () => {
    try {
      const pid = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGTERM');
    } catch {
      // No data directory, or the process is gone.
    }
  };

  const halt = async () => {
    const proc = child;
    if (proc.exitCode !== null || proc.signalCode !== null) return stopOrphanPostgres();
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGCONT');
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };

  const launchOrClean = async () => {
    try {
      await launch();
    } catch (error) {
      await halt();
      stopOrphanPostgres();
      throw error;
    }
  };

  await launchOrClean();
  return {
    url,
    port,
    restart: async () => {
      await halt();
      await launchOrClean();
    },
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    stop: async () => {
      await halt();
      rmSync(dataDir, { recursive: true, force: true });
    },
    logs: () => output,
  };
}
