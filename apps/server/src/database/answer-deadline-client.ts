import pg from 'pg';

/** The message of the error a query fails with when no answer came in time (see isUnanswered). */
export const UNANSWERED = 'Query read timeout';

type Callback = (err: Error | null, result?: unknown) => void;

/** Pool options read by AnswerDeadlineClient, next to pg's own. */
export interface AnswerDeadlineOptions {
  /** How long any query waits for its answer (ms); 0 is no limit. A query's own `query_timeout` overrides it. */
  answerTimeoutMs?: number;
}

/**
 * pg's Client with its answer deadline (`query_timeout`) kept here: the server's pools use this
 * class (pg-pool's `Client` option).
 *
 * With pg 8's own deadline, V8 moved what every query read (rows, page texts) out of the young
 * generation, where only a full collection frees it: on the history page benchmark each young
 * collection took 8-16 ms instead of 1-2 ms, every 300-500 ms, and came on top of a request's
 * time. With the timer below it does not (measured on the server and in a loop of plain queries;
 * with --no-allocation-site-pretenuring neither does pg's, so V8's pretenuring is involved, but
 * why pg's timer sets it off is not established).
 *
 * It also does more on expiry than pg does: the caller gets `Query read timeout` at once, as from
 * pg, and the connection is closed, since its answer may still come, or never. pg leaves a query
 * that was already sent running, and a transaction's connection went back to the pool waiting for
 * it.
 */
export class AnswerDeadlineClient extends pg.Client {
  private readonly answerTimeoutMs: number;

  constructor(config: pg.ClientConfig & AnswerDeadlineOptions = {}) {
    super(config);
    this.answerTimeoutMs = config.answerTimeoutMs ?? 0;
  }

  // pg's overloads (text or config, values, callback, or a submittable) are all passed through.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(config: any, values?: any, callback?: any): any {
    let limitMs = this.answerTimeoutMs;
    // pg reads a text as { text } too.
    if (typeof config === 'string') config = { text: config };
    else if (config !== null && typeof config === 'object' && 'query_timeout' in config) {
      const { query_timeout: own, ...rest } = config as { query_timeout?: number };
      limitMs = own ?? 0;
      config = rest;
    }
    // Without a limit, and for a submittable (a cursor reads in several round trips), pg as is.
    if (!limitMs || config === null || typeof config !== 'object' || typeof config.submit === 'function') return super.query(config, values, callback);
    const given: Callback | undefined = typeof values === 'function' ? (values as Callback) : typeof callback === 'function' ? (callback as Callback) : undefined;
    let settle: Callback = given ?? ((): void => {});
    const result = given
      ? undefined
      : new Promise((resolve, reject) => {
          settle = (err, res) => (err ? reject(err) : resolve(res));
        });
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish: Callback = (err, res) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      settle(err, res);
    };
    try {
      super.query(config, typeof values === 'function' ? undefined : values, finish);
    } catch (err) {
      done = true;
      throw err;
    }
    if (!done) {
      timer = setTimeout(() => {
        finish(new Error(UNANSWERED));
        this.giveUp();
      }, limitMs);
    }
    return result;
  }

  /** Closes the connection of a query that got no answer in time. */
  private giveUp(): void {
    // Whoever holds the connection may have no `error` listener: the error it is about to emit
    // has just been given to the query.
    if (this.listenerCount('error') === 0) this.once('error', () => {});
    (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  }
}
