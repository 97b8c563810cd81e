/**
 * The messaging workload: guests each in their own stay send at a fixed total rate (open loop),
 * every message is acked to its guest and delivered to every console. Runs a ladder of rates.
 */
import { LoadWorker } from './worker-pool.js';
import type { ClientSpec, WorkerReply, WorkerStats } from './worker-protocol.js';

type ConnectedReply = Extract<WorkerReply, { cmd: 'connected' }>;
import { CpuMeter, MachineCpuMeter, rssBytes } from './procstat.js';
import { Histogram, addCounts, refinementRate } from './stats.js';
import type { Progress } from './progress.js';
import type { DbWaitSampler, DbWaits } from './db-waits.js';

export interface Proc {
  label: string;
  pid: number;
  /** Also count these processes' CPU under `label + ' db'` (the embedded database). */
  dbPids?: () => number[];
}

export interface Target {
  name: string;
  guestWsUrl: string;
  consoleWsUrl: string;
  procs: Proc[];
  /** Samples the database's wait events during each measured window (`--db-waits`). */
  dbWaits?: DbWaitSampler;
  /** Vacuums the tables and forces a checkpoint (the server's database); answers what was done. */
  settle?: () => Promise<string>;
}

export interface StepResult {
  target: string;
  rate: number;
  sentPerSec: number;
  ackedPerSec: number;
  deliveredPerSec: number;
  ackP50Ms: number;
  ackP95Ms: number;
  ackP99Ms: number;
  deliveryP50Ms: number;
  deliveryP99Ms: number;
  errors: Record<string, number>;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** CPU in % of one core and RSS in MB, per process label. */
  cpu: Record<string, number>;
  rssMB: Record<string, number>;
  benchCpu: number;
  /** The worst p99 event-loop delay of the load generator's threads in the window. */
  benchLagP99Ms: number;
  /** Everything else the machine ran meanwhile (other processes share these cores). */
  otherCpu: number;
  /** What the database's active sessions waited for in the window (`--db-waits`). */
  dbWaits?: DbWaits;
  ok: boolean;
  /** Run after the ladder, halfway between the best rate that passed and the first one above it that failed. */
  between?: boolean;
}

export interface LadderResult {
  target: string;
  connectsPerSec: number;
  connectErrors: Record<string, number>;
  /** RSS growth of the first process per socket while connecting the population (KB). */
  rssPerConnKB: number;
  steps: StepResult[];
  /** The best step with p99 ack < 50 ms, nothing lost, and ≥ 95 % of the rate acked. */
  best: StepResult | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Population {
  guests: ClientSpec[];
  consoles: ClientSpec[];
}

interface Totals {
  acked: number;
  pending: number;
  duplicates: number;
  outOfOrder: number;
  missing: number;
  skipped: number;
  uniquePerConsole: number[];
  errors: Record<string, number>;
  cpuUser: number;
}

function totals(guestStats: WorkerStats[], consoleStats: WorkerStats): Totals {
  const errors: Record<string, number> = {};
  let acked = 0;
  let pending = 0;
  let duplicates = consoleStats.duplicates;
  let outOfOrder = consoleStats.outOfOrder;
  let skipped = 0;
  for (const s of guestStats) {
    acked += s.acked;
    pending += s.pending;
    duplicates += s.duplicates;
    outOfOrder += s.outOfOrder;
    skipped += s.skipped;
    addCounts(errors, s.errors);
  }
  addCounts(errors, consoleStats.errors);
  if (skipped) errors['no guest connected (send skipped)'] = skipped;
  return {
    acked,
    pending,
    duplicates,
    outOfOrder,
    missing: consoleStats.missing,
    skipped,
    uniquePerConsole: consoleStats.uniquePerConsole,
    errors,
    cpuUser: 0,
  };
}

function diffCounts(now: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(now)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
}

export class Workload {
  private readonly guestWorkers: LoadWorker[];
  private readonly consoleWorker: LoadWorker;

  constructor(guestWorkerCount: number, runTag: number, localAddresses: string[], private readonly progress: Progress) {
    this.guestWorkers = Array.from({ length: guestWorkerCount }, () => new LoadWorker({ role: 'guests', runTag, localAddresses }));
    this.consoleWorker = new LoadWorker({ role: 'consoles', runTag, localAddresses });
  }

  get allWorkers(): LoadWorker[] {
    return [...this.guestWorkers, this.consoleWorker];
  }

  /**
   * Opens `specs` sockets to `url` spread over the guest workers; resolves with the number opened,
   * the time it took and the errors seen.
   */
  async openMany(url: string, specs: ClientSpec[], concurrency: number, onTick?: () => Promise<void>, hold = false): Promise<{ opened: number; failed: number; retried: number; seconds: number; errors: Record<string, number> }> {
    const w = this.guestWorkers.length;
    const ticker = onTick ? setInterval(() => void onTick(), 1000) : undefined;
    const replies = await Promise.all(
      this.guestWorkers.map((worker, i) =>
        worker.send<ConnectedReply>({
          cmd: 'connect',
          url,
          clients: specs.filter((_, k) => k % w === i),
          concurrency: Math.max(1, Math.ceil(concurrency / w)),
          hold,
        }),
      ),
    );
    if (ticker) clearInterval(ticker);
    const errors: Record<string, number> = {};
    for (const s of await Promise.all(this.guestWorkers.map((x) => x.stats()))) addCounts(errors, s.errors);
    return {
      opened: replies.reduce((a, r) => a + r.opened + r.retried, 0),
      failed: replies.reduce((a, r) => a + r.failed, 0),
      retried: replies.reduce((a, r) => a + r.retried, 0),
      // The first pass only: the time to open what opened without a retry.
      seconds: Math.max(...replies.map((r) => r.elapsedMs)) / 1000,
      errors,
    };
  }

  async openStats(): Promise<number> {
    const s = await Promise.all(this.allWorkers.map((w) => w.stats()));
    return s.reduce((a, x) => a + x.open, 0);
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.allWorkers.map((w) => w.send({ cmd: 'close' })));
  }

  async terminate(): Promise<void> {
    await Promise.all(this.allWorkers.map((w) => w.terminate()));
  }

  private async snapshot(resetWindow: boolean): Promise<{ guests: WorkerStats[]; consoles: WorkerStats }> {
    const [consoles, ...guests] = await Promise.all([this.consoleWorker.stats(resetWindow), ...this.guestWorkers.map((w) => w.stats(resetWindow))]);
    return { guests, consoles };
  }

  private async setRate(total: number): Promise<void> {
    const w = this.guestWorkers.length;
    await Promise.all(this.guestWorkers.map((worker) => worker.send({ cmd: 'rate', perSecond: total / w })));
  }

  /** Connects the population, then runs each rate of the ladder. */
  async runLadder(target: Target, pop: Population, rates: number[], warmupSeconds: number, stepSeconds: number, refine: boolean): Promise<LadderResult> {
    this.progress.phase(`${target.name}: connecting ${pop.guests.length} guests and ${pop.consoles.length} consoles`);
    const rssBefore = rssBytes(target.procs[0].pid);
    const consoleConn = await this.consoleWorker.send<ConnectedReply>({
      cmd: 'connect',
      url: target.consoleWsUrl,
      clients: pop.consoles,
      concurrency: 4,
    });
    const guestConn = await this.openMany(target.guestWsUrl, pop.guests, 200, async () => {
      this.progress.line(`${target.name}: connecting guests, ${await this.openStats()} open`);
    });
    const connectsPerSec = (guestConn.opened - guestConn.retried) / guestConn.seconds;
    await sleep(1000);
    const rssPerConnKB = (rssBytes(target.procs[0].pid) - rssBefore) / (guestConn.opened + consoleConn.opened) / 1024;
    const result: LadderResult = { target: target.name, connectsPerSec, connectErrors: guestConn.errors, rssPerConnKB, steps: [], best: undefined };
    // A few refused handshakes do not stop the run (they are reported); their turns pass to others.
    if (consoleConn.opened < pop.consoles.length || guestConn.opened < pop.guests.length * 0.95) {
      const first = await this.snapshot(false);
      const errs = totals(first.guests, first.consoles).errors;
      throw new Error(
        `${target.name}: only ${guestConn.opened}/${pop.guests.length} guests and ${consoleConn.opened}/${pop.consoles.length} consoles connected (${JSON.stringify(errs)})`,
      );
    }
    this.progress.phase(
      `${target.name}: ${guestConn.opened} guests connected in ${guestConn.seconds.toFixed(1)} s (${Math.round(connectsPerSec)}/s)${rssPerConnKB > 0 ? `, ${rssPerConnKB.toFixed(1)} KB RSS per socket` : ''}`,
    );

    const procMeters = target.procs.map((p) => ({ p, meter: new CpuMeter(() => [p.pid]), db: p.dbPids ? new CpuMeter(p.dbPids) : undefined }));
    let before = await this.snapshot(true);
    for (const rate of rates) {
      const step = await this.runStep(target, rate, warmupSeconds, stepSeconds, procMeters, before);
      before = step.after;
      result.steps.push(step.result);
      const r = step.result;
      this.reportStep(target, r, '');
      if (r.ok && (!result.best || r.ackedPerSec > result.best.ackedPerSec)) result.best = r;
      // Saturated: higher rates only take longer to tell the same.
      if (r.ackP99Ms > 2000 || r.ackedPerSec < rate * 0.7) break;
    }
    // The upper rungs are 20-25 % apart: one more, halfway to the first failure, tells the limit
    // closer. It follows the saturated rungs, so only once everything they sent has been answered,
    // and once the tables they filled are vacuumed: every other rung follows a lighter one, and this
    // one should not pay for the autovacuum of the heaviest. No checkpoint: one forced now would put
    // its wave of full-page WAL writes into this rung, where the ladder's rungs had none.
    const extra = refine ? refinementRate(result.steps) : undefined;
    if (extra !== undefined) {
      const drained = await this.drain(`${target.name}: before ${extra}/s`, 30_000);
      if (drained.done && target.settle) this.progress.phase(`${target.name}: settled the database before ${extra}/s: ${await target.settle()}`);
      if (drained.done) {
        const { result: r } = await this.runStep(target, extra, warmupSeconds, stepSeconds, procMeters, drained.after);
        r.between = true;
        result.steps.push(r);
        result.steps.sort((a, b) => a.rate - b.rate);
        this.reportStep(target, r, ' (between two rungs)');
        if (r.ok && (!result.best || r.ackedPerSec > result.best.ackedPerSec)) result.best = r;
      } else {
        this.progress.phase(`${target.name}: acks or deliveries still outstanding after 30 s, ${extra}/s not run`);
      }
    }
    this.progress.phase(`${target.name}: closing sockets`);
    await this.closeAll();
    return result;
  }

  /** Waits (at most `timeoutMs`) until every send is answered and every console has every acked message. */
  private async drain(label: string, timeoutMs: number): Promise<{ done: boolean; after: { guests: WorkerStats[]; consoles: WorkerStats } }> {
    let after = await this.snapshot(false);
    const end = performance.now() + timeoutMs;
    for (;;) {
      const t = totals(after.guests, after.consoles);
      const delivered = t.uniquePerConsole.length ? Math.min(...t.uniquePerConsole) : 0;
      if (t.pending === 0 && delivered >= t.acked) return { done: true, after };
      if (performance.now() > end) return { done: false, after };
      this.progress.line(`${label}: ${t.pending} acks and ${Math.max(0, t.acked - delivered)} deliveries outstanding`);
      await sleep(200);
      after = await this.snapshot(false);
    }
  }

  private reportStep(target: Target, r: StepResult, note: string): void {
    this.progress.phase(
      `${target.name} @ ${r.rate}/s${note}: acked ${Math.round(r.ackedPerSec)}/s, ack p50 ${fmt(r.ackP50Ms)} p99 ${fmt(r.ackP99Ms)} ms, delivery p99 ${fmt(r.deliveryP99Ms)} ms, lost ${r.lost}, dup ${r.duplicated}, ooo ${r.outOfOrder}${r.ok ? '' : '  (over the line)'}`,
    );
  }

  private async runStep(
    target: Target,
    rate: number,
    warmupSeconds: number,
    stepSeconds: number,
    meters: { p: Proc; meter: CpuMeter; db: CpuMeter | undefined }[],
    before: { guests: WorkerStats[]; consoles: WorkerStats },
  ): Promise<{ result: StepResult; after: { guests: WorkerStats[]; consoles: WorkerStats } }> {
    const t0 = totals(before.guests, before.consoles);
    await this.setRate(rate);
    const progressEvery = async (seconds: number, label: string) => {
      const end = performance.now() + seconds * 1000;
      while (performance.now() < end) {
        await sleep(Math.min(1000, end - performance.now()));
        const s = await this.snapshot(false);
        const ack = new Histogram();
        const del = new Histogram();
        let windowAcked = 0;
        let pending = 0;
        for (const g of s.guests) {
          ack.merge(g.ackHist);
          windowAcked += g.windowAcked;
          pending += g.pending;
        }
        del.merge(s.consoles.deliveryHist);
        this.progress.line(
          `${target.name} @ ${rate}/s ${label}: acked ${windowAcked}, ack p50 ${fmt(ack.percentile(50))} p99 ${fmt(ack.percentile(99))} ms, delivery p99 ${fmt(del.percentile(99))} ms, in flight ${pending}`,
        );
      }
    };
    await progressEvery(warmupSeconds, 'warm-up');
    await this.snapshot(true);
    for (const m of meters) {
      m.meter.start();
      m.db?.start();
    }
    target.dbWaits?.start();
    const cpuStart = process.cpuUsage();
    const machine = new MachineCpuMeter();
    const start = performance.now();
    await progressEvery(stepSeconds, 'measuring');
    const window = await this.snapshot(false);
    const seconds = (performance.now() - start) / 1000;
    const cpuEnd = process.cpuUsage(cpuStart);
    const machineCpu = machine.lap();
    const dbWaits = await target.dbWaits?.lap();
    if (target.dbWaits && !dbWaits) this.progress.phase(`${target.name} @ ${rate}/s: the database's wait events were not sampled (${target.dbWaits.failure ?? 'no sample taken'})`);
    const cpu: Record<string, number> = {};
    const rssMB: Record<string, number> = {};
    for (const m of meters) {
      cpu[m.p.label] = m.meter.lap();
      rssMB[m.p.label] = rssBytes(m.p.pid) / 1048576;
      if (m.db) cpu[`${m.p.label} db`] = m.db.lap();
    }
    await this.setRate(0);

    // Drain: wait for every outstanding ack and every delivery to the consoles.
    const { after } = await this.drain(`${target.name} @ ${rate}/s draining`, 15_000);
    const t1 = totals(after.guests, after.consoles);
    // Lost: sends never answered, plus acked messages some console never got.
    let lost = t1.pending - t0.pending;
    for (let i = 0; i < t1.uniquePerConsole.length; i++) {
      const missed = t1.acked - t1.uniquePerConsole[i] - (t0.acked - (t0.uniquePerConsole[i] ?? 0));
      if (missed > 0) lost += missed;
    }
    const ack = new Histogram();
    const del = new Histogram();
    let windowAcked = 0;
    let windowSent = 0;
    for (const g of window.guests) {
      ack.merge(g.ackHist);
      windowAcked += g.windowAcked;
      windowSent += g.windowSent;
    }
    del.merge(window.consoles.deliveryHist);
    const consoles = Math.max(1, window.consoles.uniquePerConsole.length);
    const result: StepResult = {
      target: target.name,
      rate,
      sentPerSec: windowSent / seconds,
      ackedPerSec: windowAcked / seconds,
      deliveredPerSec: window.consoles.windowDelivered / consoles / seconds,
      ackP50Ms: ack.percentile(50),
      ackP95Ms: ack.percentile(95),
      ackP99Ms: ack.percentile(99),
      deliveryP50Ms: del.percentile(50),
      deliveryP99Ms: del.percentile(99),
      errors: diffCounts(t1.errors, t0.errors),
      lost,
      duplicated: t1.duplicates - t0.duplicates,
      outOfOrder: t1.outOfOrder - t0.outOfOrder,
      cpu,
      rssMB,
      benchCpu: ((cpuEnd.user + cpuEnd.system) / 1e6 / seconds) * 100,
      benchLagP99Ms: Math.max(window.consoles.loopDelayP99Ms, ...window.guests.map((g) => g.loopDelayP99Ms)),
      otherCpu: 0,
      ...(dbWaits ? { dbWaits } : {}),
      ok: false,
    };
    result.otherCpu = Math.max(0, machineCpu - result.benchCpu - Object.values(cpu).reduce((a, b) => a + b, 0));
    result.ok = result.ackP99Ms < 50 && result.lost === 0 && result.duplicated === 0 && result.outOfOrder === 0 && result.ackedPerSec >= rate * 0.95;
    await this.snapshot(true);
    return { result, after };
  }
}

export function fmt(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms).toString();
}
