import { Batcher } from './batcher.js';

/** A runner whose batches finish when the test says so. */
function gatedRunner() {
  const batches: { items: number[]; finish: () => void; fail: (e: Error) => void }[] = [];
  const run = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push({ items, finish: () => resolve(items.map((i) => `r${i}`)), fail: reject });
    });
  return { batches, run };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Batcher', () => {
  it('sends a call at once when idle, and groups the calls made meanwhile into the next batch', async () => {
    const { batches, run } = gatedRunner();
    const b = new Batcher(run, { concurrency: 1, max: 10 });
    const first = b.call(1);
    expect(batches.map((x) => x.items)).toEqual([[1]]);
    const rest = [2, 3, 4].map((i) => b.call(i));
    expect(batches).toHaveLength(1);
    batches[0].finish();
    await expect(first).resolves.toBe('r1');
    await tick();
    expect(batches.map((x) => x.items)).toEqual([[1], [2, 3, 4]]);
    batches[1].finish();
    await expect(Promise.all(rest)).resolves.toEqual(['r2', 'r3', 'r4']);
  });

  it('runs up to `concurrency` batches at once, each of at most `max` calls, in call order', async () => {
    const { batches, run } = gatedRunner();
    const b = new Batcher(run, { concurrency: 2, max: 2 });
    const calls = [1, 2, 3, 4, 5, 6, 7].map((i) => b.call(i));
    expect(batches.map((x) => x.items)).toEqual([[1], [2]]);
    batches[1].finish();
    await tick();
    expect(batches.map((x) => x.items)).toEqual([[1], [2], [3, 4]]);
    batches[0].finish();
    batches[2].finish();
    await tick();
    expect(batches.map((x) => x.items)).toEqual([[1], [2], [3, 4], [5, 6], [7]]);
    batches[3].finish();
    batches[4].finish();
    await expect(Promise.all(calls)).resolves.toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
  });

  it('fails every call of a failed batch, and goes on with the next', async () => {
    const { batches, run } = gatedRunner();
    const b = new Batcher(run, { concurrency: 1, max: 10 });
    const first = b.call(1);
    const second = b.call(2);
    const third = b.call(3);
    batches[0].fail(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await tick();
    batches[1].fail(new Error('still down'));
    await expect(second).rejects.toThrow('still down');
    await expect(third).rejects.toThrow('still down');
    const fourth = b.call(4);
    await tick();
    batches[2].finish();
    await expect(fourth).resolves.toBe('r4');
  });

  it('fails the calls when the runner answers the wrong number of results', async () => {
    const b = new Batcher(async (items: number[]) => items.slice(1), { concurrency: 1, max: 10 });
    await expect(b.call(1)).rejects.toThrow('batch answered 0 results for 1 calls');
  });
});
