import { Worker } from 'node:worker_threads';
import type { WorkerCommand, WorkerData, WorkerReply, WorkerStats } from './worker-protocol.js';

/** A load worker thread with one command in flight at a time. */
export class LoadWorker {
  private readonly worker: Worker;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting: ((reply: WorkerReply) => void) | undefined;

  constructor(data: WorkerData) {
    this.worker = new Worker(new URL('./load-worker.js', import.meta.url), { workerData: data });
    this.worker.on('message', (reply: WorkerReply) => {
      const w = this.waiting;
      this.waiting = undefined;
      w?.(reply);
    });
    this.worker.on('error', (err) => {
      process.stderr.write(`load worker failed: ${err.stack ?? err.message}\n`);
      process.exit(2);
    });
  }

  send<R extends WorkerReply>(cmd: WorkerCommand): Promise<R> {
    const run = this.queue.then(
      () =>
        new Promise<R>((resolve) => {
          this.waiting = resolve as (r: WorkerReply) => void;
          this.worker.postMessage(cmd);
        }),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  async stats(resetWindow = false): Promise<WorkerStats> {
    const reply = await this.send<Extract<WorkerReply, { cmd: 'snapshot' }>>({ cmd: 'snapshot', resetWindow });
    return reply.stats;
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}
