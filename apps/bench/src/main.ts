/**
 * `pnpm bench`: starts the built server (embedded database, or DATABASE_URL), seeds stays
 * straight into the database, then measures through real sockets and HTTP: history pages,
 * connections held, and a ladder of open-loop send rates; then the same ladder against a bare-ws
 * router. Prints a table; `--json FILE` writes the figures.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JwtAudience } from '@bellhop/protocol';
import { DbWaitSampler } from './db-waits.js';
import { runHistory, type HistoryResult, type ServerCpu } from './history.js';
import { mintAccessToken } from './jwt.js';
import { parseOptions, USAGE, type Options } from './options.js';
import { startBareRouter, startServer, type ServerChild } from './processes.js';
import { CpuMeter, rssBytes, withDescendants } from './procstat.js';
import { Progress } from './progress.js';
import { printReport, type ConnectionsResult, type Report } from './report.js';
import { cleanup, createPool, lastSeqs, prefillHistory, seedGuests, seedStaff, settle, type SeededGuest, type SeededStaff } from './seed.js';
import type { ClientSpec } from './worker-protocol.js';
import { Workload, type LadderResult, type Population, type Target } from './workload.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Client sockets are spread over several loopback source addresses so ephemeral ports never run short. */
const LOCAL_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`);

function wsUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}/ws`;
}

function population(opts: Options, secret: string, guests: SeededGuest[], staff: SeededStaff[], baseline: [string, number][], indexBase: number): Population {
  return {
    guests: guests.slice(0, opts.guests).map((g, i) => ({
      index: indexBase + i,
      token: mintAccessToken(secret, JwtAudience.Guest, g.stayId, g.sessionId),
      conversationId: g.conversationId,
    })),
    consoles: staff.map((s, i) => ({
      index: indexBase + opts.guests + i,
      token: mintAccessToken(secret, JwtAudience.Staff, s.id, s.sessionId),
      baseline,
    })),
  };
}

/** Meters of the server process and of its embedded database's processes (unknown for a DATABASE_URL). */
function serverCpu(server: ServerChild): ServerCpu {
  const postmaster = server.postmasterPid;
  return { server: new CpuMeter(() => [server.pid]), database: postmaster ? new CpuMeter(() => withDescendants([postmaster])) : undefined };
}

async function connectionsPhase(opts: Options, secret: string, server: ServerChild, guests: SeededGuest[], workload: Workload, progress: Progress): Promise<ConnectionsResult> {
  const specs: ClientSpec[] = [];
  for (let i = 0; i < opts.connections; i++) {
    // One socket per stay while there are stays enough; never more than the 10 per subject allowed.
    const g = guests[i % guests.length];
    specs.push({ index: 0x100000 + i, token: mintAccessToken(secret, JwtAudience.Guest, g.stayId, g.sessionId), conversationId: g.conversationId });
  }
  await sleep(1000);
  const rssBefore = rssBytes(server.pid);
  const cpu = serverCpu(server);
  cpu.server.start();
  cpu.database?.start();
  const benchCpu = process.cpuUsage();
  progress.phase(`connections: ramping to ${opts.connections} authenticated sockets (server RSS ${(rssBefore / 1048576).toFixed(0)} MB)`);
  const res = await workload.openMany(wsUrl(server.url), specs, 256, async () => {
    progress.line(`connections: ${await workload.openStats()} open, server RSS ${(rssBytes(server.pid) / 1048576).toFixed(0)} MB`);
  }, true);
  const firstPass = res.opened - res.retried;
  const serverCpuSeconds = cpu.server.lapSeconds();
  const databaseCpuSeconds = cpu.database?.lapSeconds();
  const benchCpuUsed = process.cpuUsage(benchCpu);
  progress.phase(`connections: ${firstPass} opened in ${res.seconds.toFixed(1)} s (${Math.round(firstPass / res.seconds)}/s), ${res.retried} more on retry, ${res.failed} failed`);
  // Hold them a while: the server settles (and must not drop any).
  await sleep(opts.quick ? 2000 : 5000);
  const held = await workload.openStats();
  const rssHeld = rssBytes(server.pid);
  progress.phase(`connections: ${held} held, server RSS ${(rssHeld / 1048576).toFixed(0)} MB`);
  await workload.closeAll();
  return {
    target: opts.connections,
    opened: firstPass,
    held,
    seconds: res.seconds,
    connectsPerSec: firstPass / res.seconds,
    rssBeforeMB: rssBefore / 1048576,
    rssHeldMB: rssHeld / 1048576,
    rssPerConnKB: held > 0 ? (rssHeld - rssBefore) / held / 1024 : NaN,
    serverCpuMsPerConnect: (serverCpuSeconds * 1000) / firstPass,
    databaseCpuMsPerConnect: databaseCpuSeconds === undefined ? undefined : (databaseCpuSeconds * 1000) / firstPass,
    benchCpuMsPerConnect: (benchCpuUsed.user + benchCpuUsed.system) / 1000 / firstPass,
    errors: res.errors,
  };
}

async function run(opts: Options): Promise<number> {
  const progress = new Progress();
  const runTag = randomBytes(2).readUInt16BE(0);
  const secret = randomBytes(48).toString('base64url');
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'bellhop-bench-'));
  // As root the embedded database runs as the postgres user, which must reach the data directory.
  chmodSync(workDir, 0o711);
  const report: Report = { options: opts, ladders: [], history: undefined, connections: undefined, notes: [] };
  const servers: ServerChild[] = [];
  const workload = new Workload(opts.guestWorkers, runTag, LOCAL_ADDRESSES, progress);
  let pool: ReturnType<typeof createPool> | undefined;
  let seeded: { staff: SeededStaff[]; guests: SeededGuest[] } | undefined;
  let failed = false;

  try {
    if (opts.server) await runServer();
  } catch (err) {
    failed = true;
    progress.phase(`could not run against the server: ${err instanceof Error ? err.message : String(err)}`);
    for (const s of servers) progress.phase(`(${s.name} log: ${s.logFile})`);
    opts.keep = true;
  } finally {
    if (pool) await pool.end().catch(() => undefined);
    pool = undefined;
    for (const s of servers.splice(0)) await s.stop().catch(() => undefined);
  }
  try {
    if (opts.bare) await runBare();
  } catch (err) {
    failed = true;
    progress.phase(`could not run against the bare-ws router: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await workload.terminate().catch(() => undefined);
  }

  async function runServer(): Promise<void> {
    progress.phase(`starting the server${opts.databaseUrl ? ' (DATABASE_URL)' : ' (embedded PostgreSQL)'} in ${workDir}`);
    const a = await startServer({ name: 'server-a', dataDir: path.join(workDir, 'a'), jwtSecret: secret, databaseUrl: opts.databaseUrl, nodeArgs: opts.serverNodeArgs, logLevel: opts.logLevel });
    servers.push(a);
    progress.phase(`server A pid ${a.pid} on ${a.url}${a.postmasterPid ? `, embedded PostgreSQL pid ${a.postmasterPid}` : ''}`);
    if (opts.instances === 2) {
      const b = await startServer({ name: 'server-b', dataDir: path.join(workDir, 'b'), jwtSecret: secret, databaseUrl: a.databaseUrl, nodeArgs: opts.serverNodeArgs, logLevel: opts.logLevel });
      servers.push(b);
      progress.phase(`server B pid ${b.pid} on ${b.url} (same database)`);
    }

    pool = createPool(a.databaseUrl);
    const stays = Math.max(opts.guests, opts.historyPhase ? opts.historyConversations : 0, opts.connectionsPhase ? Math.ceil(opts.connections / 2) : 0);
    let t = performance.now();
    const staff = await seedStaff(pool, runTag, opts.consoles);
    const guests = await seedGuests(pool, runTag, stays);
    seeded = { staff, guests };
    progress.phase(`seeded ${stays} stays with conversations and sessions, ${staff.length} staff, in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const perConversation = Math.max(1, Math.round(opts.historyMessages / Math.max(1, opts.historyConversations)));
    const historyConvs = guests.slice(0, Math.min(opts.historyConversations, guests.length));
    if (opts.historyPhase && opts.historyMessages > 0) {
      t = performance.now();
      const total = historyConvs.length * perConversation;
      await prefillHistory(pool, historyConvs, perConversation, staff[0].id, (done) => progress.line(`pre-filling history: ${done}/${total} messages`));
      progress.phase(`pre-filled ${total} messages in ${historyConvs.length} conversations in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      progress.phase(`settled the database after the pre-fill: ${await settle(pool)}`);

      progress.phase(`history: ${opts.historyRequests} pages of 50 through GET /api/conversations/:id/messages`);
      const token = mintAccessToken(secret, JwtAudience.Staff, staff[0].id, staff[0].sessionId);
      const h: HistoryResult = await runHistory(a.url, token, historyConvs.map((g) => g.conversationId), perConversation, opts.historyRequests, progress, serverCpu(a));
      report.history = h;
      progress.phase(`history: p50 ${h.p50Ms.toFixed(2)} ms, p99 ${h.p99Ms.toFixed(2)} ms over ${h.requests} pages${Object.keys(h.errors).length ? `, errors ${JSON.stringify(h.errors)}` : ''}`);
    }

    if (opts.connectionsPhase) {
      // Without a history phase nothing has settled the seeding yet.
      if (!(opts.historyPhase && opts.historyMessages > 0)) progress.phase(`settled the database before the connections: ${await settle(pool)}`);
      report.connections = await connectionsPhase(opts, secret, a, guests, workload, progress);
      await sleep(1000);
    }

    progress.phase(`settled the database before the ladder: ${await settle(pool)}`);
    const db = pool;
    const baseline = await lastSeqs(pool, guests.slice(0, opts.guests).map((g) => g.conversationId));
    const target: Target = {
      name: opts.instances === 2 ? 'server ×2' : 'server',
      guestWsUrl: wsUrl(a.url),
      consoleWsUrl: wsUrl((servers[1] ?? a).url),
      procs: servers.map((s, i) => ({
        label: servers.length > 1 ? `server ${String.fromCharCode(65 + i)}` : 'server',
        pid: s.pid,
        dbPids: s.postmasterPid ? () => withDescendants([s.postmasterPid!]) : undefined,
      })),
      settle: () => settle(db, { checkpoint: false }),
    };
    if (opts.dbWaits) {
      target.dbWaits = new DbWaitSampler(a.databaseUrl);
      await target.dbWaits.open();
    }
    try {
      report.ladders.push(await workload.runLadder(target, population(opts, secret, guests, staff, baseline, 0), opts.rates, opts.warmupSeconds, opts.stepSeconds, opts.refine));
    } finally {
      await target.dbWaits?.close();
    }

    progress.phase('stopping the server');
    if (opts.databaseUrl) await cleanup(pool, runTag, staff.map((s) => s.id), guests.map((g) => g.stayId));
  }

  async function runBare(): Promise<void> {
    const router = await startBareRouter(secret, path.join(workDir, 'bare-ws.log'), []);
    progress.phase(`bare-ws router pid ${router.pid} on ${router.url}`);
    try {
      // Same population shape; the router keeps no state, so any ids do.
      const guests: SeededGuest[] = seeded?.guests ?? fakeGuests(opts.guests);
      const staff: SeededStaff[] = seeded?.staff ?? fakeGuests(opts.consoles).map((g) => ({ id: g.stayId, sessionId: g.sessionId }));
      const target: Target = { name: 'bare-ws', guestWsUrl: wsUrl(router.url), consoleWsUrl: wsUrl(router.url), procs: [{ label: 'bare-ws', pid: router.pid }] };
      report.ladders.push(await workload.runLadder(target, population(opts, secret, guests, staff, [], 0x200000), opts.rates, opts.warmupSeconds, opts.stepSeconds, opts.refine));
    } finally {
      await router.stop();
    }
  }

  const figures = printReport(report);
  if (opts.json) {
    writeFileSync(opts.json, `${JSON.stringify({ ...figures, details: { ...report, options: { ...opts, databaseUrl: opts.databaseUrl ? '(set)' : undefined } } }, null, 2)}\n`);
    process.stdout.write(`figures written to ${opts.json}\n`);
  }
  if (opts.keep) process.stdout.write(`data directory kept: ${workDir}\n`);
  else rmSync(workDir, { recursive: true, force: true });

  const broken = report.ladders.flatMap((l) => l.steps).reduce((n, s) => n + s.lost + s.duplicated + s.outOfOrder, 0);
  if (broken > 0) process.stdout.write(`FAILED: ${broken} lost, duplicated or out-of-order messages\n`);
  return failed || broken > 0 ? 1 : 0;
}

function fakeGuests(n: number): SeededGuest[] {
  const id = (k: number, i: number) => `${k.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
  return Array.from({ length: n }, (_, i) => ({ stayId: id(1, i), conversationId: id(2, i), sessionId: id(3, i) }));
}

let opts: Options;
try {
  opts = parseOptions(process.argv.slice(2).filter((a) => a !== '--'), process.env);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`);
  process.exit(64);
}
run(opts).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

export type { LadderResult };
