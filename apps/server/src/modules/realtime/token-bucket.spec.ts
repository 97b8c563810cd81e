import { TokenBucket, WindowCounter } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows the burst, then refills at the rate', () => {
    const b = new TokenBucket(20, 2, 0);
    for (let i = 0; i < 20; i++) expect(b.take(0)).toBe(true);
    expect(b.take(0)).toBe(false);
    expect(b.take(499)).toBe(false);
    expect(b.take(600)).toBe(true);
    expect(b.take(600)).toBe(false);
    expect(b.take(60_000)).toBe(true);
  });

  it('never stores more than the burst', () => {
    const b = new TokenBucket(3, 6, 0);
    let n = 0;
    while (b.take(1_000_000)) n++;
    expect(n).toBe(3);
  });
});

describe('WindowCounter', () => {
  it('reaches the limit only within the window', () => {
    const w = new WindowCounter(3, 10_000);
    expect(w.hit(0)).toBe(false);
    expect(w.hit(1)).toBe(false);
    expect(w.hit(10_001)).toBe(false);
    expect(w.hit(12_000)).toBe(false);
    expect(w.hit(15_000)).toBe(true);
  });
});
