/** History pages through the HTTP API: GET /api/conversations/:id/messages, 50 at a time. */
import { Agent, request } from 'node:http';
import { PerformanceObserver } from 'node:perf_hooks';
import { historyPageSchema } from '@bellhop/protocol';
import type { CpuMeter } from './procstat.js';
import { percentile } from './stats.js';
import type { Progress } from './progress.js';

export interface HistoryResult {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  perSec: number;
  /** CPU per measured page, of the server process and of the database's (when it is the embedded one). */
  serverCpuMsPerPage: number;
  databaseCpuMsPerPage: number | undefined;
  errors: Record<string, number>;
  /** Pages over 5 ms, and how many of them overlapped a garbage collection in the bench's own process. */
  over5Ms: number;
  over5MsDuringBenchGc: number;
}

/** The CPU meters of the server process and of its database's processes (when they are known). */
export interface ServerCpu {
  server: CpuMeter;
  database: CpuMeter | undefined;
}

function get(agent: Agent, base: string, path: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { agent, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * One client fetching pages back to back (latency, not throughput), after a warm-up: the newest
 * page, or the page before a random seq, of a random pre-filled conversation. Every answer is
 * JSON-parsed; one in 50 is also validated against the protocol schema.
 */
export async function runHistory(
  baseUrl: string,
  token: string,
  conversations: string[],
  perConversation: number,
  requests: number,
  progress: Progress,
  cpu: ServerCpu,
): Promise<HistoryResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const errors: Record<string, number> = {};
  const samples: number[] = [];
  const starts: number[] = [];
  // The bench's own collections: a page that overlaps one was slowed down by the client itself.
  const gcs: Array<[number, number]> = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push([e.startTime, e.startTime + e.duration]);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  let x = 2463534242;
  const rand = (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  // Unmeasured requests first (a third as many again, at most 1,000): the figure is a warm
  // server's. Fifty were too few: over the next thousand pages the server's code is still being
  // optimized (p50 a third higher, p99 ~15 %).
  const warm = Math.min(1000, Math.ceil(requests / 3));
  const start = performance.now();
  let measuredStart = start;
  for (let i = 0; i < warm + requests; i++) {
    if (i === warm) {
      measuredStart = performance.now();
      cpu.server.start();
      cpu.database?.start();
    }
    const conv = conversations[rand(conversations.length)];
    const before = i % 2 === 0 ? '' : `&before=${51 + rand(Math.max(1, perConversation - 50))}`;
    const t = performance.now();
    let res: { status: number; body: string };
    try {
      res = await get(agent, baseUrl, `/api/conversations/${conv}/messages?limit=50${before}`, token);
    } catch (err) {
      errors[`http ${(err as NodeJS.ErrnoException).code ?? 'error'}`] = (errors[`http ${(err as NodeJS.ErrnoException).code ?? 'error'}`] ?? 0) + 1;
      continue;
    }
    const ms = performance.now() - t;
    if (res.status !== 200) {
      errors[`http ${res.status}`] = (errors[`http ${res.status}`] ?? 0) + 1;
      if (i === 0 && (res.status === 404 || res.status === 401 || res.status === 403)) break;
      continue;
    }
    const page = JSON.parse(res.body) as { messages: unknown[] };
    if (i % 50 === 0) {
      const parsed = historyPageSchema.safeParse(page);
      if (!parsed.success) errors['invalid page'] = (errors['invalid page'] ?? 0) + 1;
      else if (parsed.data.messages.length !== Math.min(50, perConversation)) errors['short page'] = (errors['short page'] ?? 0) + 1;
    }
    if (i >= warm) {
      samples.push(ms);
      starts.push(t);
    }
    if (i % 100 === 0) progress.line(`history pages: ${samples.length}/${requests}, p99 so far ${percentile(samples, 99)?.toFixed(2)} ms`);
  }
  const serverCpu = cpu.server.lapSeconds();
  const databaseCpu = cpu.database?.lapSeconds();
  agent.destroy();
  gcObserver.disconnect();
  let over5Ms = 0;
  let over5MsDuringBenchGc = 0;
  samples.forEach((ms, k) => {
    if (ms <= 5) return;
    over5Ms++;
    if (gcs.some(([from, to]) => from < starts[k] + ms && to > starts[k])) over5MsDuringBenchGc++;
  });
  const seconds = (performance.now() - measuredStart) / 1000;
  return {
    requests: samples.length,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    maxMs: samples.length ? Math.max(...samples) : NaN,
    perSec: samples.length / seconds,
    serverCpuMsPerPage: (serverCpu * 1000) / samples.length,
    databaseCpuMsPerPage: databaseCpu === undefined ? undefined : (databaseCpu * 1000) / samples.length,
    errors,
    over5Ms,
    over5MsDuringBenchGc,
  };
}
