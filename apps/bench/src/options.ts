import path from 'node:path';
import { parseArgs } from 'node:util';

export interface Options {
  quick: boolean;
  json: string | undefined;
  instances: 1 | 2;
  guests: number;
  consoles: number;
  rates: number[];
  /** One more rate between the best pass and the first failure above it (the default full ladder only). */
  refine: boolean;
  warmupSeconds: number;
  stepSeconds: number;
  connections: number;
  historyMessages: number;
  historyConversations: number;
  historyRequests: number;
  guestWorkers: number;
  bare: boolean;
  server: boolean;
  connectionsPhase: boolean;
  historyPhase: boolean;
  serverNodeArgs: string[];
  logLevel: string;
  keep: boolean;
  /** Sample the database's wait events while each rate is measured. */
  dbWaits: boolean;
  databaseUrl: string | undefined;
}

export const USAGE = `Usage: pnpm bench [--quick] [--json FILE] [--instances 1|2] [options]

  --quick                  small version (under 3 minutes): 400 guests, short steps, 50k history
  --json FILE              write the figures as JSON
  --instances 2            the throughput ladder against two server instances sharing one database
                           (guests on A, consoles on B)
  --guests N               guests, each in its own stay (default 10000)
  --consoles N             staff consoles (default 2)
  --rates a,b,c            the ladder of total send rates in msgs/s (default: up to 1.9/s per guest,
                           then one more rate halfway between the best pass and the next failure)
  --warmup S, --step S     seconds of warm-up and of measurement per rate (default 3, 10)
  --connections N          authenticated sockets to ramp to and hold (default 19900)
  --history-messages N     messages pre-filled for the history pages (default 1000000)
  --history-conversations N  ... spread over this many conversations (default 10000)
  --history-requests N     history pages fetched (default 3000)
  --workers N              worker threads for the guests' sockets (default 1)
  --no-bare | --bare-only  skip the bare-ws router, or run only it
  --no-connections, --no-history  skip those phases
  --server-node-args=…     extra node flags for the server process
                           (e.g. "--server-node-args=--cpu-prof --cpu-prof-dir=/tmp/prof")
  --log-level L            the server's LOG_LEVEL (default warn)
  --keep                   keep the data directory (logs, embedded database)
  --db-waits               per rate, what the database's active sessions waited for (CPU, WAL
                           fsync, the commit lock of notifying transactions...), sampled every
                           5 ms from pg_stat_activity; the sampling itself costs the database a little

DATABASE_URL in the environment: the server(s) use that database instead of an embedded one
(the bench inserts its stays there and deletes them at the end).`;

function int(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a whole number, got "${value}"`);
  return n;
}

/**
 * The default ladder: up to 1.9 sends/s per guest (under the 2/s limit), finer at the low end so
 * a slow server still gets a figure.
 */
export function defaultLadder(guests: number, quick: boolean): number[] {
  const top = guests * 1.9;
  const steps = quick ? [1 / 3, 2 / 3, 1] : [0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
  const round = top >= 2000 ? 100 : 1;
  return [...new Set(steps.map((f) => Math.max(1, Math.round((top * f) / round) * round)))];
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean' },
      json: { type: 'string' },
      instances: { type: 'string' },
      guests: { type: 'string' },
      consoles: { type: 'string' },
      rates: { type: 'string' },
      warmup: { type: 'string' },
      step: { type: 'string' },
      connections: { type: 'string' },
      'history-messages': { type: 'string' },
      'history-conversations': { type: 'string' },
      'history-requests': { type: 'string' },
      workers: { type: 'string' },
      'no-bare': { type: 'boolean' },
      'bare-only': { type: 'boolean' },
      'no-connections': { type: 'boolean' },
      'no-history': { type: 'boolean' },
      'server-node-args': { type: 'string' },
      'log-level': { type: 'string' },
      keep: { type: 'boolean' },
      'db-waits': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const instances = int(values.instances, 'instances', 1);
  if (instances !== 1 && instances !== 2) throw new Error('--instances: 1 or 2');
  const guests = int(values.guests, 'guests', quick ? 400 : 10_000);
  const rates = values.rates
    ? values.rates.split(',').map((r) => int(r.trim(), 'rates', 0)).filter((r) => r > 0)
    : defaultLadder(guests, quick);
  // Relative to where `pnpm bench` was typed, not to apps/bench.
  const baseDir = env.INIT_CWD ?? process.cwd();
  return {
    quick,
    json: values.json ? path.resolve(baseDir, values.json) : undefined,
    instances,
    guests,
    consoles: int(values.consoles, 'consoles', 2),
    rates,
    refine: !values.rates && !quick,
    warmupSeconds: int(values.warmup, 'warmup', quick ? 1 : 3),
    stepSeconds: int(values.step, 'step', quick ? 3 : 10),
    connections: int(values.connections, 'connections', quick ? 1_000 : 19_900),
    historyMessages: int(values['history-messages'], 'history-messages', quick ? 50_000 : 1_000_000),
    historyConversations: int(values['history-conversations'], 'history-conversations', quick ? 500 : 10_000),
    historyRequests: int(values['history-requests'], 'history-requests', quick ? 500 : 3_000),
    guestWorkers: Math.max(1, int(values.workers, 'workers', 1)),
    bare: !values['no-bare'],
    server: !values['bare-only'],
    connectionsPhase: !values['no-connections'],
    historyPhase: !values['no-history'],
    serverNodeArgs: (values['server-node-args'] ?? '').split(/\s+/).filter(Boolean),
    logLevel: values['log-level'] ?? 'warn',
    keep: values.keep ?? false,
    dbWaits: values['db-waits'] ?? false,
    databaseUrl: env.DATABASE_URL || undefined,
  };
}
