import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface StepFigures {
  rate: number;
  ackedPerSec: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  errors: object;
  dbWaits?: { samples: number; busy: number; shares: { event: string; percent: number }[] };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the built load generator (dist/) with these arguments; its figures from --json. */
function bench(name: string, args: string[], timeoutMs: number) {
  const json = path.join(dir, `${name}.json`);
  const run = spawnSync(process.execPath, ['dist/main.js', ...args, '--json', json], {
    cwd: path.resolve(import.meta.dirname, '..'),
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, INIT_CWD: '', DATABASE_URL: '' },
  });
  expect(run.stderr).not.toContain('could not run');
  expect(run.status).toBe(0);
  const figures = JSON.parse(readFileSync(json, 'utf8')) as { bareWsMsgsPerSec: number; details: { ladders: { steps: StepFigures[] }[] } };
  return { stdout: run.stdout, figures, steps: figures.details.ladders[0].steps };
}

// Against its bare-ws router: a small ladder end to end, through real sockets, counting every
// message exactly once.
describe('pnpm bench against the bare-ws router', () => {
  it('runs a ladder, writes the figures and exits 0 with nothing lost', () => {
    const { stdout, steps } = bench('bare', ['--bare-only', '--guests', '60', '--consoles', '2', '--rates', '30,90', '--warmup', '0', '--step', '1'], 60_000);
    expect(steps.map((s) => s.rate)).toEqual([30, 90]);
    for (const s of steps) {
      expect([s.lost, s.duplicated, s.outOfOrder]).toEqual([0, 0, 0]);
      expect(s.errors).toEqual({});
      expect(s.ackedPerSec).toBeGreaterThan(0);
    }
    expect(stdout).toContain('== summary');
  }, 90_000);
});

// The built server on its embedded database, with the database's wait events sampled while each
// rate is measured (--db-waits): the sampler reads pg_stat_activity of that database.
describe('pnpm bench --db-waits against the server', () => {
  it('reports, per rate, what the active database sessions waited for', () => {
    const { stdout, steps } = bench(
      'server',
      ['--no-bare', '--no-connections', '--no-history', '--guests', '60', '--rates', '60', '--warmup', '0', '--step', '2', '--db-waits'],
      150_000,
    );
    expect([steps[0].lost, steps[0].duplicated, steps[0].outOfOrder]).toEqual([0, 0, 0]);
    const waits = steps[0].dbWaits!;
    // Sampled every 5 ms for 2 s, and the sends' commits were active in some samples.
    expect(waits.samples).toBeGreaterThan(50);
    expect(waits.busy).toBeGreaterThan(0);
    expect(waits.shares.reduce((a, s) => a + s.percent, 0)).toBeCloseTo(100, 5);
    expect(stdout).toContain("database sessions' wait events while measured:");
    expect(stdout).toMatch(/ {2}60\/s: \d+\.\d\d active on average \(\d+ samples\): /);
  }, 180_000);
});
