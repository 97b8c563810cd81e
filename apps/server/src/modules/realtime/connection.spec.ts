import type WebSocket from 'ws';
import type { Actor } from '../../common/actor.js';
import { Connection } from './connection.js';

/** A promise resolved by hand. */
function later(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets every pending promise reaction run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

// Only the frame ordering is exercised here: no socket is written to.
function connection(failures: unknown[] = []): Connection {
  const actor = { type: 'staff', id: 's', sessionId: 'x', role: 'agent', name: 'Reception' } as Actor;
  return new Connection('c1', {} as WebSocket, actor, Date.now() + 60_000, (err) => failures.push(err));
}

describe('Connection frame order', () => {
  it('runs a job at once when nothing is queued, and a later one only after a running one ends', async () => {
    const c = connection();
    const log: string[] = [];
    const slow = later();
    c.inOrder(async () => {
      log.push('sync start');
      await slow.promise;
      log.push('sync end');
    });
    c.inOrder(() => void log.push('send'));
    expect(log).toEqual(['sync start']);
    slow.resolve();
    await c.handled();
    expect(log).toEqual(['sync start', 'sync end', 'send']);
    // Idle again: the next job runs synchronously.
    c.inOrder(() => void log.push('next'));
    expect(log.at(-1)).toBe('next');
  });

  it('holds a frame after sends until every one is answered, whatever order they are answered in', async () => {
    const c = connection();
    const answers = [later(), later(), later()];
    for (const a of answers) c.inOrder(() => c.trackSend(a.promise));
    let read = false;
    c.inOrder(async () => {
      await c.sendsAnswered();
      read = true;
    });
    answers[2].resolve();
    answers[0].resolve();
    await settle();
    expect(read).toBe(false);
    answers[1].resolve();
    await c.handled();
    expect(read).toBe(true);
    await expect(c.sendsAnswered()).resolves.toBeUndefined();
  });

  it('enqueues a send that arrives behind a waiting frame only after that frame', async () => {
    const c = connection();
    const first = later();
    const log: string[] = [];
    c.inOrder(() => c.trackSend(first.promise));
    c.inOrder(async () => {
      await c.sendsAnswered();
      log.push('sync');
    });
    c.inOrder(() => void log.push('second send'));
    await settle();
    expect(log).toEqual([]);
    first.resolve();
    await c.handled();
    expect(log).toEqual(['sync', 'second send']);
  });

  it('reports a job that throws or rejects, and goes on with the next frames', async () => {
    const failures: unknown[] = [];
    const c = connection(failures);
    const log: string[] = [];
    c.inOrder(() => {
      throw new Error('at once');
    });
    const gate = later();
    c.inOrder(async () => {
      await gate.promise;
      throw new Error('later');
    });
    c.inOrder(() => void log.push('after'));
    gate.resolve();
    await c.handled();
    expect(failures.map((e) => (e as Error).message)).toEqual(['at once', 'later']);
    expect(log).toEqual(['after']);
  });
});
