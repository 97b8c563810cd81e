import type { HistoryResult } from './history.js';
import type { Options } from './options.js';
import { waitsText } from './db-waits.js';
import { fmt, type LadderResult } from './workload.js';

export interface ConnectionsResult {
  target: number;
  opened: number;
  held: number;
  seconds: number;
  connectsPerSec: number;
  rssBeforeMB: number;
  rssHeldMB: number;
  rssPerConnKB: number;
  /** CPU per first-pass connect during the ramp, of the server process and of its database's. */
  serverCpuMsPerConnect: number;
  databaseCpuMsPerConnect: number | undefined;
  /** ... and of the bench itself (its client sockets, all threads): the machine's cores are shared. */
  benchCpuMsPerConnect: number;
  errors: Record<string, number>;
}

export interface Report {
  options: Options;
  ladders: LadderResult[];
  history: HistoryResult | undefined;
  connections: ConnectionsResult | undefined;
  notes: string[];
}

/** The figures of `--json`; null when the phase did not run or nothing qualified. */
export interface Figures {
  durableMsgsPerSec: number | null;
  ackP50Ms: number | null;
  ackP99Ms: number | null;
  deliveryP99Ms: number | null;
  connectionsHeld: number | null;
  rssPerConnKB: number | null;
  connectsPerSec: number | null;
  historyP99Ms: number | null;
  bareWsMsgsPerSec: number | null;
  durableToBareRatio: number | null;
  historyP50Ms: number | null;
  serverCpuMsPerConnect: number | null;
  databaseCpuMsPerConnect: number | null;
  benchCpuMsPerConnect: number | null;
  serverCpuMsPerHistoryPage: number | null;
  databaseCpuMsPerHistoryPage: number | null;
  instances: number;
}

function num(v: number | undefined, digits = 2): number | null {
  return v === undefined || !Number.isFinite(v) ? null : Number(v.toFixed(digits));
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function errorsText(errors: Record<string, number>): string {
  const entries = Object.entries(errors);
  return entries.length ? entries.map(([k, v]) => `${k}×${v}`).join(', ') : '0';
}

function goal(ok: boolean | null): string {
  return ok === null ? '' : ok ? 'met' : 'NOT met';
}

/** CPU time per operation of the server process and of its database (the machine may be shared: a steadier figure than rates). */
function cpuText(serverMs: number, databaseMs: number | undefined): string {
  return `server ${serverMs.toFixed(2)} ms${databaseMs === undefined ? '' : `, database ${databaseMs.toFixed(2)} ms`}`;
}

export function printReport(report: Report): Figures {
  const out: string[] = [''];
  for (const ladder of report.ladders) {
    out.push(
      `== ${ladder.target}: ${report.options.guests} guests, ${report.options.consoles} consoles; connects ${Math.round(ladder.connectsPerSec)}/s, ${ladder.rssPerConnKB > 0 ? `${ladder.rssPerConnKB.toFixed(1)} KB` : 'n/a (memory freed by an earlier phase)'} RSS per socket${Object.keys(ladder.connectErrors).length ? `; connect errors ${errorsText(ladder.connectErrors)}` : ''}`,
    );
    const procLabels = [...new Set(ladder.steps.flatMap((s) => Object.keys(s.cpu)))];
    const rssLabels = [...new Set(ladder.steps.flatMap((s) => Object.keys(s.rssMB)))];
    out.push(
      table(
        ['rate/s', 'sent/s', 'acked/s', 'ack p50', 'p95', 'p99 ms', 'deliv p99', 'lost', 'dup', 'ooo', ...procLabels.map((l) => `${l} cpu%`), ...rssLabels.map((l) => `${l} MB`), 'bench cpu%', 'bench lag p99', 'other cpu%', 'errors'],
        ladder.steps.map((s) => [
          `${s.rate}${s.between ? '*' : ''}${s.ok ? '' : ' ✗'}`,
          String(Math.round(s.sentPerSec)),
          String(Math.round(s.ackedPerSec)),
          fmt(s.ackP50Ms),
          fmt(s.ackP95Ms),
          fmt(s.ackP99Ms),
          fmt(s.deliveryP99Ms),
          String(s.lost),
          String(s.duplicated),
          String(s.outOfOrder),
          ...procLabels.map((l) => String(Math.round(s.cpu[l] ?? NaN))),
          ...rssLabels.map((l) => String(Math.round(s.rssMB[l] ?? NaN))),
          String(Math.round(s.benchCpu)),
          fmt(s.benchLagP99Ms),
          String(Math.round(s.otherCpu)),
          errorsText(s.errors),
        ]),
      ),
    );
    out.push('(✗: p99 ack ≥ 50 ms, something lost, or under 95 % of the rate acked)');
    if (ladder.steps.some((s) => s.between)) out.push('(*: run after the ladder, halfway between the best rate that passed and the first one above it that failed)');
    const sampled = ladder.steps.filter((s) => s.dbWaits);
    if (sampled.length) {
      out.push("database sessions' wait events while measured:");
      for (const s of sampled) out.push(`  ${s.rate}/s: ${waitsText(s.dbWaits!)}`);
    }
    out.push('');
  }
  if (report.connections) {
    const c = report.connections;
    out.push(
      `== connections: ${c.held}/${c.target} held, ${Math.round(c.connectsPerSec)} connects/s (${c.opened} in ${c.seconds.toFixed(1)} s), server RSS ${c.rssBeforeMB.toFixed(0)} → ${c.rssHeldMB.toFixed(0)} MB = ${c.rssPerConnKB.toFixed(1)} KB per connection, CPU per connect ${cpuText(c.serverCpuMsPerConnect, c.databaseCpuMsPerConnect)}, bench ${c.benchCpuMsPerConnect.toFixed(2)} ms${Object.keys(c.errors).length ? `, errors ${errorsText(c.errors)}` : ''}`,
      '',
    );
  }
  if (report.history) {
    const h = report.history;
    out.push(
      `== history: ${h.requests} pages of 50, p50 ${h.p50Ms.toFixed(2)} ms, p99 ${h.p99Ms.toFixed(2)} ms, max ${h.maxMs.toFixed(1)} ms, ${Math.round(h.perSec)} pages/s (one client), ${h.over5Ms} over 5 ms (${h.over5MsDuringBenchGc} of them during a collection in the bench itself), CPU per page ${cpuText(h.serverCpuMsPerPage, h.databaseCpuMsPerPage)}${Object.keys(h.errors).length ? `, errors ${errorsText(h.errors)}` : ''}`,
      '',
    );
  }

  const server = report.ladders.find((l) => l.target.startsWith('server'));
  const bare = report.ladders.find((l) => l.target === 'bare-ws');
  const best = server?.best;
  const figures: Figures = {
    durableMsgsPerSec: best ? Math.round(best.ackedPerSec) : server ? 0 : null,
    ackP50Ms: num(best?.ackP50Ms),
    ackP99Ms: num(best?.ackP99Ms),
    deliveryP99Ms: num(best?.deliveryP99Ms),
    connectionsHeld: report.connections ? report.connections.held : null,
    rssPerConnKB: num(report.connections?.rssPerConnKB, 1),
    connectsPerSec: report.connections ? Math.round(report.connections.connectsPerSec) : null,
    historyP99Ms: num(report.history?.p99Ms),
    bareWsMsgsPerSec: bare ? Math.round(bare.best?.ackedPerSec ?? 0) : null,
    durableToBareRatio: null,
    historyP50Ms: num(report.history?.p50Ms),
    serverCpuMsPerConnect: num(report.connections?.serverCpuMsPerConnect, 3),
    databaseCpuMsPerConnect: num(report.connections?.databaseCpuMsPerConnect, 3),
    benchCpuMsPerConnect: num(report.connections?.benchCpuMsPerConnect, 3),
    serverCpuMsPerHistoryPage: num(report.history?.serverCpuMsPerPage, 3),
    databaseCpuMsPerHistoryPage: num(report.history?.databaseCpuMsPerPage, 3),
    instances: report.options.instances,
  };
  if (figures.durableMsgsPerSec !== null && figures.bareWsMsgsPerSec) {
    figures.durableToBareRatio = Number((figures.durableMsgsPerSec / figures.bareWsMsgsPerSec).toFixed(3));
  }
  const full = !report.options.quick;
  const rows: string[][] = [
    ['durable acked msgs/s (p99 ack < 50 ms, none lost)', String(figures.durableMsgsPerSec ?? '–'), '≥ 10000', full && figures.durableMsgsPerSec !== null ? goal(figures.durableMsgsPerSec >= 10_000) : ''],
    ['  ack p50 / p99 at that rate (ms)', `${fmt(figures.ackP50Ms ?? NaN)} / ${fmt(figures.ackP99Ms ?? NaN)}`, 'p99 < 50', ''],
    ['  delivery to consoles p99 (ms)', fmt(figures.deliveryP99Ms ?? NaN), '< 100', figures.deliveryP99Ms !== null ? goal(figures.deliveryP99Ms < 100) : ''],
    ['bare-ws router msgs/s (same workload)', String(figures.bareWsMsgsPerSec ?? '–'), '', ''],
    ['  durable / bare-ws', figures.durableToBareRatio !== null ? `${(figures.durableToBareRatio * 100).toFixed(0)} %` : '–', '≥ 25 %', figures.durableToBareRatio !== null ? goal(figures.durableToBareRatio >= 0.25) : ''],
    ['connections held', String(figures.connectionsHeld ?? '–'), '19900', full && figures.connectionsHeld !== null ? goal(figures.connectionsHeld >= 19_900) : ''],
    ['  RSS per connection (KB)', figures.rssPerConnKB !== null ? figures.rssPerConnKB.toFixed(1) : '–', '≤ 10', full && figures.rssPerConnKB !== null ? goal(figures.rssPerConnKB <= 10) : ''],
    ['  connects/s (token verified)', String(figures.connectsPerSec ?? '–'), '≥ 2500', full && figures.connectsPerSec !== null ? goal(figures.connectsPerSec >= 2500) : ''],
    [
      `history page p50 / p99 (ms, ${report.options.historyMessages} messages)`,
      `${fmt(figures.historyP50Ms ?? NaN)} / ${fmt(figures.historyP99Ms ?? NaN)}`,
      'p99 < 5',
      figures.historyP99Ms !== null ? goal(figures.historyP99Ms < 5) : '',
    ],
  ];
  out.push(`== summary${report.options.quick ? ' (--quick: small run, goals are for the full run)' : ''}${report.options.instances === 2 ? ' (2 server instances)' : ''}`);
  out.push(table(['figure', 'value', 'goal', ''], rows));
  process.stdout.write(`${out.join('\n')}\n`);
  return figures;
}
