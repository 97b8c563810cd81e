import { Histogram, SeqTracker, bucketOf, percentile, refinementRate, valueOf } from './stats.js';

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile(samples, 0)).toBe(1);
  });

  it('does not depend on the order of the samples and does not reorder them', () => {
    const samples = [5, 1, 4, 2, 3];
    expect(percentile(samples, 50)).toBe(3);
    expect(samples).toEqual([5, 1, 4, 2, 3]);
  });

  it('is NaN with no samples', () => {
    expect(percentile([], 99)).toBeNaN();
  });
});

describe('Histogram', () => {
  it('gives percentiles within 1 % of the exact ones', () => {
    const h = new Histogram();
    const samples: number[] = [];
    let x = 12345;
    for (let i = 0; i < 20_000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const v = 0.05 + (x / 2147483648) * 80; // 0.05–80 ms
      samples.push(v);
      h.record(v);
    }
    for (const p of [50, 95, 99, 99.9]) {
      const exact = percentile(samples, p);
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThan(0.011);
    }
    expect(h.count).toBe(20_000);
  });

  it('never reports more than the largest sample', () => {
    const h = new Histogram();
    h.record(3);
    expect(h.percentile(99)).toBeLessThanOrEqual(3);
    expect(h.percentile(99)).toBeGreaterThan(2.95);
  });

  it('merges sparse histograms from other threads', () => {
    const a = new Histogram();
    const b = new Histogram();
    for (let i = 1; i <= 50; i++) a.record(i);
    for (let i = 51; i <= 100; i++) b.record(i);
    const merged = new Histogram();
    merged.merge(a.toSparse());
    merged.merge(b.toSparse());
    expect(merged.count).toBe(100);
    expect(merged.max).toBe(100);
    expect(Math.abs(merged.percentile(50) - 50) / 50).toBeLessThan(0.011);
  });

  it('maps values to buckets and back with 1 % precision', () => {
    for (const v of [0.002, 0.5, 1, 17.3, 999, 40_000]) {
      expect(Math.abs(valueOf(bucketOf(v)) - v) / v).toBeLessThan(0.01);
    }
    expect(new Histogram().percentile(50)).toBeNaN();
  });
});

describe('SeqTracker', () => {
  it('accepts seqs in order from the baseline', () => {
    const t = new SeqTracker([['c', 100]]);
    expect(t.see('c', 101)).toBe(true);
    expect(t.see('c', 102)).toBe(true);
    expect(t.see('d', 1)).toBe(true);
    expect([t.unique, t.duplicates, t.outOfOrder, t.missing()]).toEqual([3, 0, 0, 0]);
  });

  it('counts duplicates, late arrivals and what never came', () => {
    const t = new SeqTracker();
    t.see('c', 1);
    t.see('c', 1); // duplicate
    t.see('c', 4); // 2 and 3 skipped
    t.see('c', 2); // late
    t.see('c', 2); // duplicate again
    expect(t.unique).toBe(3);
    expect(t.duplicates).toBe(2);
    expect(t.outOfOrder).toBe(1);
    expect(t.missing()).toBe(1); // 3 never came
  });
});

describe('defaultLadder', () => {
  it('climbs to 1.9 sends/s per guest, under the 2/s limit', async () => {
    const { defaultLadder } = await import('./options.js');
    const full = defaultLadder(10_000, false);
    expect(full[0]).toBe(500);
    expect(full.at(-1)).toBe(19_000);
    expect([...full].sort((a, b) => a - b)).toEqual(full);
    expect(defaultLadder(400, true)).toEqual([253, 507, 760]);
  });
});

describe('refinementRate', () => {
  const step = (rate: number, ok: boolean) => ({ rate, ok });

  it('lies halfway between the best rate that passed and the first one above it that failed', () => {
    expect(refinementRate([step(5700, true), step(7600, true), step(9500, false), step(11400, false)])).toBe(8600);
    // A failure below the best pass does not count; the first failure above it does.
    expect(refinementRate([step(1000, true), step(1900, false), step(2900, true), step(3800, false), step(4800, false)])).toBe(3400);
    expect(refinementRate([step(253, true), step(507, false)])).toBe(380);
  });

  it('adds nothing when nothing passed, nothing above failed, or the two are close', () => {
    expect(refinementRate([step(500, false), step(1000, false)])).toBeUndefined();
    expect(refinementRate([step(500, true), step(1000, true)])).toBeUndefined();
    expect(refinementRate([step(9500, true), step(10500, false)])).toBeUndefined();
    expect(refinementRate([])).toBeUndefined();
  });
});
