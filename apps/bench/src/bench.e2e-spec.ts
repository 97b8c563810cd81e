import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Runs the built load generator (dist/) against its bare-ws router: a small ladder end to end,
// through real sockets, and checks it counts every message exactly once.
describe('pnpm bench against the bare-ws router', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-e2e-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a ladder, writes the figures and exits 0 with nothing lost', () => {
    const json = path.join(dir, 'figures.json');
    const run = spawnSync(
      process.execPath,
      ['dist/main.js', '--bare-only', '--guests', '60', '--consoles', '2', '--rates', '30,90', '--warmup', '0', '--step', '1', '--json', json],
      { cwd: path.resolve(import.meta.dirname, '..'), encoding: 'utf8', timeout: 60_000, env: { ...process.env, INIT_CWD: '' } },
    );
    expect(run.stderr).not.toContain('could not run');
    expect(run.status).toBe(0);
    const figures = JSON.parse(readFileSync(json, 'utf8')) as {
      bareWsMsgsPerSec: number;
      details: { ladders: { steps: { rate: number; ackedPerSec: number; lost: number; duplicated: number; outOfOrder: number; errors: object }[] }[] };
    };
    const steps = figures.details.ladders[0].steps;
    expect(steps.map((s) => s.rate)).toEqual([30, 90]);
    for (const s of steps) {
      expect([s.lost, s.duplicated, s.outOfOrder]).toEqual([0, 0, 0]);
      expect(s.errors).toEqual({});
      expect(s.ackedPerSec).toBeGreaterThan(0);
    }
    expect(run.stdout).toContain('== summary');
  }, 90_000);
});
