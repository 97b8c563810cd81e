/**
 * Natural batching for one kind of database call. A call made while `concurrency` batches are
 * running waits for one of them to finish and then goes with whatever else queued meanwhile, up
 * to `max`, in one round trip. Idle, a call goes at once; under load, calls share round trips and
 * transactions instead of each waiting for a pooled connection of its own.
 */
export class Batcher<I, O> {
  private queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private running = 0;

  /** `run` answers one output per input, in input order; if it fails, every call of the batch fails. */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: { concurrency: number; max: number },
  ) {}

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.max);
      this.running++;
      void (async () => {
        try {
          const out = await this.run(batch.map((b) => b.item));
          if (out.length !== batch.length) throw new Error(`batch answered ${out.length} results for ${batch.length} calls`);
          batch.forEach((b, i) => b.resolve(out[i]));
        } catch (err) {
          for (const b of batch) b.reject(err);
        } finally {
          this.running--;
          this.flush();
        }
      })();
    }
  }
}
