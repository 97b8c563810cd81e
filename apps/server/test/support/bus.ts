import pg from 'pg';
import { BUS_CHANNEL, type BusEvent } from '../../src/common/event-bus.js';

export interface BusListener {
  events: BusEvent[];
  /** The size in bytes of each payload heard, in the order of `events`. */
  payloadBytes: number[];
  /** Resolves once the notifications of every transaction committed before the call have been heard. */
  flush(): Promise<void>;
  /** Resolves with the first event (already heard or to come) that matches. */
  waitFor<T extends BusEvent>(match: (e: BusEvent) => e is T, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** Listens on the server's event channel, as another instance would. */
export async function listenToBus(databaseUrl: string): Promise<BusListener> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const events: BusEvent[] = [];
  const payloadBytes: number[] = [];
  const waiters = new Set<() => void>();
  client.on('notification', (n) => {
    if (n.channel !== BUS_CHANNEL || !n.payload) return;
    events.push(JSON.parse(n.payload) as BusEvent);
    payloadBytes.push(Buffer.byteLength(n.payload, 'utf8'));
    for (const w of waiters) w();
  });
  await client.query(`LISTEN ${BUS_CHANNEL}`);
  return {
    events,
    payloadBytes,
    flush: async () => {
      // A round trip on the listening connection, then a moment for the last notifications to be parsed.
      await client.query('SELECT 1');
      await new Promise((resolve) => setTimeout(resolve, 50));
    },
    waitFor: <T extends BusEvent>(match: (e: BusEvent) => e is T, timeoutMs = 3000) =>
      new Promise<T>((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching bus event; heard ${JSON.stringify(events)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => client.end(),
  };
}
