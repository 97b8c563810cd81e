/**
 * Latency statistics that are cheap on the hot path: a log-bucketed histogram (1 % relative
 * precision from 1 µs to ~100 s) that worker threads fill and the main thread merges.
 */

const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Smallest recorded value in milliseconds (1 µs); smaller values land in bucket 0. */
const MIN_MS = 0.001;
const BUCKETS = Math.ceil(Math.log(100_000 / MIN_MS) / LOG_GROWTH) + 1;

export function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  const i = Math.floor(Math.log(ms / MIN_MS) / LOG_GROWTH) + 1;
  return i < BUCKETS ? i : BUCKETS - 1;
}

/** The value a bucket stands for: the geometric middle of its bounds. */
export function valueOf(bucket: number): number {
  if (bucket <= 0) return MIN_MS;
  return MIN_MS * Math.pow(GROWTH, bucket - 0.5);
}

export class Histogram {
  readonly counts: Uint32Array;
  count = 0;
  sum = 0;
  max = 0;

  constructor() {
    this.counts = new Uint32Array(BUCKETS);
  }

  record(ms: number): void {
    this.counts[bucketOf(ms)]++;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }

  /** The p-th percentile (0–100) in milliseconds, or NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(valueOf(i), this.max);
    }
    return this.max;
  }

  mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  /** A compact form to post between threads: [bucket, count] pairs of the non-empty buckets. */
  toSparse(): SparseHistogram {
    const pairs: number[] = [];
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i] !== 0) pairs.push(i, this.counts[i]);
    return { pairs, count: this.count, sum: this.sum, max: this.max };
  }

  merge(other: SparseHistogram): void {
    for (let i = 0; i < other.pairs.length; i += 2) this.counts[other.pairs[i]] += other.pairs[i + 1];
    this.count += other.count;
    this.sum += other.sum;
    if (other.max > this.max) this.max = other.max;
  }
}

export interface SparseHistogram {
  pairs: number[];
  count: number;
  sum: number;
  max: number;
}

/** Exact percentile (nearest rank) of a list of samples; NaN when empty. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** Adds counts of `from` into `into` (errors by code and the like). */
export function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/**
 * Per-conversation order check for one receiver: counts duplicates, late (out-of-order) arrivals
 * and the seqs still missing, given the seq the conversation had before the run.
 */
export class SeqTracker {
  private readonly last = new Map<string, number>();
  private readonly gaps = new Map<string, Set<number>>();
  unique = 0;
  duplicates = 0;
  outOfOrder = 0;

  constructor(baseline?: Iterable<[string, number]>) {
    if (baseline) for (const [id, seq] of baseline) this.last.set(id, seq);
  }

  /** Records one delivery; returns false when it was a duplicate. */
  see(conversationId: string, seq: number): boolean {
    const last = this.last.get(conversationId) ?? 0;
    if (seq === last + 1) {
      this.last.set(conversationId, seq);
      this.unique++;
      return true;
    }
    if (seq > last + 1) {
      let missing = this.gaps.get(conversationId);
      if (!missing) this.gaps.set(conversationId, (missing = new Set()));
      for (let s = last + 1; s < seq; s++) missing.add(s);
      this.last.set(conversationId, seq);
      this.unique++;
      return true;
    }
    const missing = this.gaps.get(conversationId);
    if (missing?.delete(seq)) {
      if (missing.size === 0) this.gaps.delete(conversationId);
      this.outOfOrder++;
      this.unique++;
      return true;
    }
    this.duplicates++;
    return false;
  }

  /** Seqs skipped over that never arrived. */
  missing(): number {
    let n = 0;
    for (const s of this.gaps.values()) n += s.size;
    return n;
  }
}

/**
 * One more rate for a ladder whose rungs are far apart: halfway between the highest rate that
 * passed and the lowest one above it that failed, when those are at least 15 % apart (rounded to
 * 100 msgs/s from 2,000 up). Undefined when nothing passed, nothing above it failed, or they are
 * close already.
 */
export function refinementRate(steps: { rate: number; ok: boolean }[]): number | undefined {
  const passed = steps.filter((s) => s.ok).map((s) => s.rate);
  if (passed.length === 0) return undefined;
  const best = Math.max(...passed);
  const failedAbove = steps.filter((s) => !s.ok && s.rate > best).map((s) => s.rate);
  if (failedAbove.length === 0) return undefined;
  const next = Math.min(...failedAbove);
  if (next < best * 1.15) return undefined;
  const unit = best >= 2000 ? 100 : 1;
  const mid = Math.round((best + next) / 2 / unit) * unit;
  return mid > best && mid < next ? mid : undefined;
}
