import { Outbox, type OutboxEntry, type StorageLike } from './outbox';
import { backoffDelay } from './backoff';

class MemoryStorage implements StorageLike {
  readonly data = new Map<string, string>();
  getItem(key: string) {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.data.set(key, value);
  }
  removeItem(key: string) {
    this.data.delete(key);
  }
}

const entry = (n: number): OutboxEntry => ({
  clientMsgId: `30000000-0000-4000-8000-00000000000${n}`,
  conversationId: '7d0c3b9e-8f4a-4c1e-9a51-0b6f2f1e6a10',
  body: `hello ${n}`,
  createdAt: new Date().toISOString(),
  status: 'pending',
  attempts: 0,
});

test('entries survive a reload with their clientMsgId', () => {
  const storage = new MemoryStorage();
  const first = new Outbox(storage, 'k');
  first.add(entry(1));
  first.add(entry(2));
  first.update(entry(2).clientMsgId, { status: 'failed', error: 'forbidden' });
  const reloaded = new Outbox(storage, 'k');
  expect(reloaded.list().map((e) => [e.clientMsgId, e.status])).toEqual([
    [entry(1).clientMsgId, 'pending'],
    [entry(2).clientMsgId, 'failed'],
  ]);
  reloaded.remove(entry(1).clientMsgId);
  reloaded.remove(entry(2).clientMsgId);
  expect(storage.data.has('k')).toBe(false);
});

test('garbage in storage is ignored', () => {
  const storage = new MemoryStorage();
  storage.setItem('k', '{not json');
  expect(new Outbox(storage, 'k').list()).toEqual([]);
  storage.setItem('k', JSON.stringify([{ nope: 1 }]));
  expect(new Outbox(storage, 'k').list()).toEqual([]);
});

test('backoff grows, is capped and jittered', () => {
  expect(backoffDelay(0, 500, 10_000, () => 0)).toBe(250);
  expect(backoffDelay(0, 500, 10_000, () => 1)).toBe(500);
  expect(backoffDelay(3, 500, 10_000, () => 1)).toBe(4000);
  expect(backoffDelay(30, 500, 10_000, () => 1)).toBe(10_000);
  expect(backoffDelay(30, 500, 10_000, () => 0)).toBe(5000);
});
