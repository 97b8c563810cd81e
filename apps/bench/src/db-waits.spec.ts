import net from 'node:net';
import { DbWaitSampler, summarizeWaits, waitsText } from './db-waits.js';

describe('summarizeWaits', () => {
  it('gives each event its share of the active-session samples, largest first, and the sessions active per sample', () => {
    const w = summarizeWaits(new Map([['IO:WalSync', 20], ['CPU', 75], ['Lock:object', 5]]), 50);
    expect(w.samples).toBe(50);
    expect(w.busy).toBe(2);
    expect(w.shares).toEqual([
      { event: 'CPU', percent: 75 },
      { event: 'IO:WalSync', percent: 20 },
      { event: 'Lock:object', percent: 5 },
    ]);
  });

  it('sums events under the threshold as "other"', () => {
    const w = summarizeWaits(new Map([['CPU', 990], ['LWLock:WALInsert', 6], ['IO:DataFileExtend', 4]]), 1000);
    expect(w.shares).toEqual([
      { event: 'CPU', percent: 99 },
      { event: 'other', percent: 1 },
    ]);
  });

  it('says when no session was active', () => {
    const w = summarizeWaits(new Map(), 200);
    expect(w).toEqual({ samples: 200, busy: 0, shares: [] });
    expect(waitsText(w)).toBe('0.00 active on average (200 samples): none active');
  });

  it('prints shares under 10 % with a decimal', () => {
    expect(waitsText(summarizeWaits(new Map([['CPU', 955], ['IO:WalSync', 45]]), 400))).toBe(
      '2.50 active on average (400 samples): CPU 96 %, IO:WalSync 4.5 %',
    );
  });
});

describe('DbWaitSampler', () => {
  it('does not fail the run when the database refuses it: it samples nothing and says why', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const sampler = new DbWaitSampler(`postgres://postgres@127.0.0.1:${port}/postgres`);
    await sampler.open();
    sampler.start();
    await expect(sampler.lap()).resolves.toBeUndefined();
    expect(sampler.failure).toMatch(/ECONNREFUSED/);
    await sampler.close();
  });
});
