import { readFileSync, readdirSync } from 'node:fs';

/** CPU ticks per second of /proc/<pid>/stat (USER_HZ; 100 on Linux). */
const CLK_TCK = 100;

export interface CpuSample {
  /** User + system CPU seconds so far. */
  cpuSeconds: number;
  at: number;
}

/** utime + stime (fields 14 and 15) of one process, or undefined when it is gone. */
function readCpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: split after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

function readParent(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Resident set size in bytes (VmRSS of /proc/<pid>/status), or 0 when the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The given processes and all their descendants (e.g. a postmaster and its backends). */
export function withDescendants(roots: number[]): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const ppid = readParent(pid);
    if (ppid !== undefined) parentOf.set(pid, ppid);
  }
  const out = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parentOf) {
      if (!out.has(pid) && out.has(ppid)) {
        out.add(pid);
        grew = true;
      }
    }
  }
  return [...out];
}

/**
 * CPU of a group of processes. Processes that appear later (new backends) are picked up on each
 * sample, with all their CPU; a process that exits between samples takes its last interval with
 * it (small error).
 */
export class CpuMeter {
  private last = new Map<number, number>();
  private lastAt = 0;

  constructor(private readonly pids: () => number[]) {}

  /** Starts an interval. */
  start(): void {
    this.last = this.read();
    this.lastAt = performance.now();
  }

  /** CPU used since start() (or the previous lap) in % of one core; starts the next interval. */
  lap(): number {
    const from = this.lastAt;
    const cpu = this.lapSeconds();
    const seconds = (this.lastAt - from) / 1000;
    return seconds > 0 ? (cpu / seconds) * 100 : 0;
  }

  /** CPU seconds used since start() (or the previous lap); starts the next interval. */
  lapSeconds(): number {
    const now = this.read();
    let ticks = 0;
    // A process not seen at the previous sample started since: all of its CPU falls in this interval.
    for (const [pid, t] of now) ticks += t - (this.last.get(pid) ?? 0);
    this.last = now;
    this.lastAt = performance.now();
    return ticks / CLK_TCK;
  }

  private read(): Map<number, number> {
    const out = new Map<number, number>();
    for (const pid of this.pids()) {
      const t = readCpuTicks(pid);
      if (t !== undefined) out.set(pid, t);
    }
    return out;
  }
}

/** Busy CPU of the whole machine (all processes, ours or not), in % of one core, between laps. */
export class MachineCpuMeter {
  private last = MachineCpuMeter.read();
  private lastAt = performance.now();

  private static read(): number {
    // cpu  user nice system idle iowait irq softirq steal ...
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    return f.reduce((a, b, i) => (i === 3 || i === 4 || i >= 8 ? a : a + b), 0);
  }

  start(): void {
    this.last = MachineCpuMeter.read();
    this.lastAt = performance.now();
  }

  lap(): number {
    const now = MachineCpuMeter.read();
    const at = performance.now();
    const pct = ((now - this.last) / CLK_TCK / ((at - this.lastAt) / 1000)) * 100;
    this.last = now;
    this.lastAt = at;
    return pct;
  }
}
