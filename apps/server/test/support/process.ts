import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Direct children of a process, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // The command name may hold spaces and parentheses: read the fields after the last ')'.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * Freezes a PostgreSQL server (SIGSTOP to the postmaster and every backend, each of which is its
 * own process group): it keeps its connections open and answers nothing. Returns the thaw.
 */
export function freezePostgres(dataDir: string): () => void {
  const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  // The postmaster first: stopped, it starts no backend after its children are listed.
  process.kill(pid, 'SIGSTOP');
  const frozen = [pid, ...childrenOf(pid)];
  for (const p of frozen.slice(1)) process.kill(p, 'SIGSTOP');
  return () => {
    for (const p of frozen) process.kill(p, 'SIGCONT');
  };
}

/**
 * Records the errors nobody handled (an `error` event without a listener ends up there) from
 * `beforeAll` to `afterAll` of the calling describe block, instead of letting them end the run.
 */
export function recordUncaught(): unknown[] {
  const uncaught: unknown[] = [];
  const record = (err: unknown): void => {
    uncaught.push(err);
  };
  beforeAll(() => {
    process.on('uncaughtException', record);
  });
  afterAll(() => {
    process.removeListener('uncaughtException', record);
  });
  return uncaught;
}
