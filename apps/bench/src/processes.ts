import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const serverEntry = path.resolve(benchDir, '../server/dist/main.js');

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET a path; resolves with the status, or 0 when nothing answers. */
export function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
    req.end();
  });
}

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  logFile: string;
  stop(): Promise<void>;
}

function spawnLogged(name: string, entry: string, nodeArgs: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const out = createWriteStream(logFile, { flags: 'a' });
  const proc = spawn(process.execPath, [...nodeArgs, entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.pipe(out);
  proc.stderr!.pipe(out);
  proc.on('error', (err) => out.write(`${name}: ${err.message}\n`));
  return proc;
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function stopChild(proc: ChildProcess, graceMs: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
  if (timedOut) {
    proc.kill('SIGKILL');
    await exited;
  }
}

export interface ServerOptions {
  name: string;
  dataDir: string;
  jwtSecret: string;
  /** Unset: the server starts its embedded database in dataDir. */
  databaseUrl?: string;
  nodeArgs: string[];
  logLevel: string;
  startTimeoutMs?: number;
}

export interface ServerChild extends Child {
  /** The database the server uses (the embedded one's URL when it started one). */
  databaseUrl: string;
  /** The embedded database's postmaster, when this server started one. */
  postmasterPid: number | undefined;
}

/** Starts the built server (`apps/server/dist/main.js`) and waits until it answers HTTP. */
export async function startServer(opts: ServerOptions): Promise<ServerChild> {
  if (!existsSync(serverEntry)) throw new Error(`${serverEntry} is missing: build the server first (pnpm build)`);
  mkdirSync(opts.dataDir, { recursive: true });
  // Known secrets, so the bench can reach the embedded database with its password.
  const dbPassword = `bench${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const secretsFile = path.join(opts.dataDir, 'secrets.json');
  if (!existsSync(secretsFile)) {
    writeFileSync(secretsFile, JSON.stringify({ jwtSecret: opts.jwtSecret, embeddedDbPassword: dbPassword }), { mode: 0o600 });
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(opts.dataDir, `${opts.name}.log`);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PORT: String(port),
    DATA_DIR: opts.dataDir,
    JWT_SECRET: opts.jwtSecret,
    PUBLIC_URL: url,
    ALLOWED_ORIGINS: url,
    LOG_LEVEL: opts.logLevel,
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
  };
  const proc = spawnLogged(opts.name, serverEntry, opts.nodeArgs, env, logFile);
  const deadline = Date.now() + (opts.startTimeoutMs ?? 90_000);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${opts.name} exited with code ${proc.exitCode} while starting:\n${tail(logFile)}`);
    if ((await httpStatus(`${url}/healthz`)) !== 0) break;
    if (Date.now() > deadline) {
      await stopChild(proc, 2000);
      throw new Error(`${opts.name} did not answer HTTP within ${(opts.startTimeoutMs ?? 90_000) / 1000}s:\n${tail(logFile)}`);
    }
    await sleep(100);
  }
  let databaseUrl = opts.databaseUrl ?? '';
  let postmasterPid: number | undefined;
  if (!opts.databaseUrl) {
    const [pidLine, , , portLine] = readFileSync(path.join(opts.dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n');
    postmasterPid = Number(pidLine);
    const stored = JSON.parse(readFileSync(secretsFile, 'utf8')) as { embeddedDbPassword: string };
    databaseUrl = `postgres://postgres:${encodeURIComponent(stored.embeddedDbPassword)}@127.0.0.1:${Number(portLine)}/postgres`;
  }
  return {
    name: opts.name,
    proc,
    pid: proc.pid!,
    port,
    url,
    logFile,
    databaseUrl,
    postmasterPid,
    // The server stops its embedded database after closing its sockets.
    stop: () => stopChild(proc, 30_000),
  };
}

/** Starts the bare-`ws` router (dist/bare-router.js) on a free port. */
export async function startBareRouter(jwtSecret: string, logFile: string, nodeArgs: string[]): Promise<Child> {
  const port = await freePort();
  const proc = spawnLogged('bare-ws', path.join(benchDir, 'dist', 'bare-router.js'), nodeArgs, { PATH: process.env.PATH, PORT: String(port), JWT_SECRET: jwtSecret }, logFile);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  while ((await httpStatus(url)) === 0) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`bare-ws router did not start:\n${tail(logFile)}`);
    await sleep(50);
  }
  return { name: 'bare-ws', proc, pid: proc.pid!, port, url, logFile, stop: () => stopChild(proc, 5000) };
}
