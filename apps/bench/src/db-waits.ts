/**
 * `--db-waits`: what the database's sessions were doing while a rate was measured, sampled from
 * `pg_stat_activity` every few milliseconds on a connection of its own. Each active session of the
 * server's database counts once per sample, under its wait event (`IO:WalSync`: a commit waiting
 * for its WAL fsync; `Lock:object`: a commit waiting for the one that notifies before it, as
 * PostgreSQL commits notifying transactions one at a time) or as `CPU` when it waits for nothing.
 * The sampling costs the database a query per interval, so it is off unless asked for.
 */
import pg from 'pg';

export const DB_WAIT_INTERVAL_MS = 5;

export interface DbWaits {
  samples: number;
  /** Active sessions per sample, on average. */
  busy: number;
  /** Share of the active-session samples per wait event, in %, largest first. */
  shares: { event: string; percent: number }[];
}

const SQL = `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS event
               FROM pg_stat_activity
              WHERE backend_type = 'client backend' AND state = 'active'
                AND pid <> pg_backend_pid() AND datname = current_database()`;

/** Counts of wait events over `samples` polls, as shares (events under `minPercent` summed as "other"). */
export function summarizeWaits(counts: Map<string, number>, samples: number, minPercent = 1): DbWaits {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const shares: { event: string; percent: number }[] = [];
  let other = 0;
  for (const [event, n] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    const percent = total > 0 ? (n / total) * 100 : 0;
    if (percent >= minPercent) shares.push({ event, percent });
    else other += percent;
  }
  if (other > 0) shares.push({ event: 'other', percent: other });
  return { samples, busy: samples > 0 ? total / samples : 0, shares };
}

export function waitsText(w: DbWaits): string {
  const parts = w.shares.map((s) => `${s.event} ${s.percent < 10 ? s.percent.toFixed(1) : Math.round(s.percent)} %`);
  return `${w.busy.toFixed(2)} active on average (${w.samples} samples): ${parts.join(', ') || 'none active'}`;
}

export class DbWaitSampler {
  private client: pg.Client | undefined;
  private counts = new Map<string, number>();
  private samples = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private failed: string | undefined;

  constructor(private readonly url: string) {}

  /**
   * Connects. A connection refused or lost ends the sampling, not the run: each rate's progress
   * line then says why it has no figures (see failure).
   */
  async open(): Promise<void> {
    this.client = new pg.Client({ connectionString: this.url });
    this.client.on('error', (err) => (this.failed = err.message));
    try {
      await this.client.connect();
    } catch (err) {
      this.failed = err instanceof Error ? err.message : String(err);
    }
  }

  start(): void {
    this.counts = new Map();
    this.samples = 0;
    this.running = true;
    this.loop = this.run();
  }

  /** Why sampling stopped early (the connection was lost, the query failed), if it did. */
  get failure(): string | undefined {
    return this.failed;
  }

  /** Stops sampling and returns what it saw since `start` (undefined if it could not sample). */
  async lap(): Promise<DbWaits | undefined> {
    this.running = false;
    await this.loop;
    if (this.failed !== undefined || this.samples === 0) return undefined;
    return summarizeWaits(this.counts, this.samples);
  }

  async close(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.client?.end().catch(() => undefined);
  }

  private async run(): Promise<void> {
    const client = this.client;
    if (!client) return;
    while (this.running && this.failed === undefined) {
      try {
        const { rows } = await client.query<{ event: string }>({ name: 'bench_db_waits', text: SQL });
        this.samples++;
        for (const r of rows) this.counts.set(r.event, (this.counts.get(r.event) ?? 0) + 1);
      } catch (err) {
        this.failed = err instanceof Error ? err.message : String(err);
      }
      await new Promise((r) => setTimeout(r, DB_WAIT_INTERVAL_MS));
    }
  }
}
