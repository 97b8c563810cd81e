import { jest } from '@jest/globals';
import type { StaffDirectoryEntry } from '@bellhop/protocol';
import { StaffDirectoryStore } from './staffDirectory';

const ann: StaffDirectoryEntry = { id: '9e8d7c6b-5a49-4838-8271-605f4e3d2c1b', displayName: 'Ann', role: 'agent' };
const bo: StaffDirectoryEntry = { id: '1b7c0f5e-2a3d-4c8e-9f01-23456789abcd', displayName: 'Bo', role: 'admin' };

function setup(answers: Array<StaffDirectoryEntry[] | Error>) {
  let now = 1_000_000;
  const fetchDirectory = jest.fn(async () => {
    const next = answers.shift();
    if (!next || next instanceof Error) throw next ?? new Error('no answer');
    return { items: next };
  });
  const store = new StaffDirectoryStore(fetchDirectory, () => now);
  return { store, fetchDirectory, advance: (ms: number) => (now += ms) };
}

test('loads once for concurrent callers and names colleagues by id', async () => {
  const { store, fetchDirectory } = setup([[ann, bo]]);
  const listener = jest.fn();
  store.subscribe(listener);
  expect(store.getSnapshot()).toBeNull();
  await Promise.all([store.load(), store.refresh(), store.load()]);
  expect(fetchDirectory).toHaveBeenCalledTimes(1);
  expect(store.getSnapshot()).toEqual([ann, bo]);
  expect(store.get(bo.id)?.displayName).toBe('Bo');
  expect(listener).toHaveBeenCalled();
});

test('an unknown id reloads the directory, at most every 30 s', async () => {
  const { store, fetchDirectory, advance } = setup([[ann], [ann, bo]]);
  await store.load();
  store.lookUp(bo.id);
  await store.refresh();
  expect(fetchDirectory).toHaveBeenCalledTimes(1);
  advance(30_000);
  store.lookUp(ann.id);
  expect(fetchDirectory).toHaveBeenCalledTimes(1);
  store.lookUp(bo.id);
  await store.refresh();
  expect(fetchDirectory).toHaveBeenCalledTimes(2);
  expect(store.get(bo.id)).toEqual(bo);
});

test('a failed load keeps what it had and does not retry in a loop', async () => {
  const { store, fetchDirectory, advance } = setup([[ann], new Error('offline'), [ann, bo]]);
  await store.load();
  advance(31_000);
  await store.refresh();
  expect(store.error).toBeInstanceOf(Error);
  expect(store.getSnapshot()).toEqual([ann]);
  store.lookUp(bo.id);
  expect(fetchDirectory).toHaveBeenCalledTimes(2);
  advance(31_000);
  await store.refresh();
  expect(store.error).toBeNull();
  expect(store.getSnapshot()).toEqual([ann, bo]);
});
