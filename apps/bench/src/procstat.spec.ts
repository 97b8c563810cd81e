import { spawn, type ChildProcess } from 'node:child_process';
import { CpuMeter } from './procstat.js';

describe('CpuMeter', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  it('counts all the CPU of a process that appeared in the group since the previous sample (a new backend)', async () => {
    let pids: number[] = [];
    const meter = new CpuMeter(() => pids);
    const started = performance.now();
    meter.start();
    // A process that busies a core for 400 ms of CPU, says so, then waits.
    child = spawn(process.execPath, ['-e', `const t = process.cpuUsage(); while (process.cpuUsage(t).user + process.cpuUsage(t).system < 400e3); console.log('done'); setTimeout(() => {}, 60e3)`]);
    pids = [child.pid!];
    await new Promise<void>((resolve) => child!.stdout!.once('data', () => resolve()));
    const percent = meter.lap();
    const seconds = (performance.now() - started) / 1000;
    // Its 400 ms (less the kernel's tick rounding) over an interval no longer than `seconds`.
    expect((percent / 100) * seconds).toBeGreaterThanOrEqual(0.35);
  });
});
