/**
 * The socket client against the real server (built in apps/server/dist), real WebSockets (`ws`)
 * and a real database: no fake socket.
 *
 * @jest-environment node
 */
import { existsSync } from 'node:fs';
import { WebSocket } from 'ws';
import { TestApi } from '../../../e2e/api';
import { SERVER_MAIN, startServer, type ServerHandle } from '../../../e2e/server';
import type { StorageLike } from './outbox';
import { RealtimeClient, type ConnectionState, type RealtimeOptions, type SocketLike } from './RealtimeClient';

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

let server: ServerHandle;
let api: TestApi;
let staffToken: string;
const clients: RealtimeClient[] = [];

beforeAll(async () => {
  if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: build the workspace first (pnpm build)`);
  server = await startServer();
  api = new TestApi(server.url);
  staffToken = (await api.loginAdmin()).accessToken;
}, 120_000);

afterEach(() => {
  for (const c of clients.splice(0)) c.stop();
});

afterAll(async () => {
  await server?.stop();
});

interface Identity {
  token: string;
  cookie: string;
}

/** A client for an identity; refresh rotates the identity's cookie like a browser would. */
function connect(identity: Identity, extra: Partial<RealtimeOptions> = {}, sockets: WebSocket[] = []) {
  const client = new RealtimeClient({
    url: `${server.url.replace('http', 'ws')}/ws`,
    getToken: async () => identity.token,
    refresh: async () => {
      const next = await api.refresh(identity.cookie);
      if (!next) return 'ended';
      identity.token = next.accessToken;
      identity.cookie = next.cookie;
      return 'ok';
    },
    createSocket: (url, protocols) => {
      const ws = new WebSocket(url, protocols);
      sockets.push(ws);
      return ws as unknown as SocketLike;
    },
    storage: new MemoryStorage(),
    listenToWindow: false,
    backoffBaseMs: 100,
    backoffMaxMs: 1000,
    ...extra,
  });
  clients.push(client);
  return client;
}

function until<T>(client: RealtimeClient, check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const value = check();
      if (value) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out; client state ${client.state}`));
      setTimeout(tick, 25);
    };
    tick();
  });
}

const stateIs = (client: RealtimeClient, state: ConnectionState) => until(client, () => client.state === state);

async function newGuest() {
  const created = await api.createStay(staffToken);
  const joined = await api.join(created.joinCode);
  return { created, identity: { token: joined.accessToken, cookie: joined.cookie }, conversationId: joined.conversationId };
}

async function newStaff(): Promise<Identity> {
  const login = await api.loginAdmin();
  return { token: login.accessToken, cookie: login.cookie };
}

test('handshake, send, ack: the message is delivered once and the outbox empties', async () => {
  const { identity, conversationId } = await newGuest();
  const client = connect(identity);
  const seen: number[] = [];
  client.on('message', ({ message }) => seen.push(message.seq));
  client.start();
  await stateIs(client, 'connected');
  expect(client.session?.user.type).toBe('guest');
  expect(client.session?.conversations.map((c) => c.id)).toEqual([conversationId]);
  client.watch(conversationId, 0);

  const entry = client.send(conversationId, 'Could I have  two towels?\r\nThanks  ');
  expect(client.pending()).toHaveLength(1);
  await until(client, () => seen.length === 1);
  expect(client.pending()).toHaveLength(0);
  const history = await api.history(staffToken, conversationId);
  expect(history.messages).toHaveLength(1);
  expect(history.messages[0]!.clientMsgId).toBe(entry.clientMsgId);
  expect(history.messages[0]!.body).toBe('Could I have  two towels?\nThanks');
});

test('a refused body never leaves the client', async () => {
  const { identity, conversationId } = await newGuest();
  const client = connect(identity);
  expect(() => client.send(conversationId, '   ')).toThrow();
  expect(() => client.send(conversationId, 'bell\u0007')).toThrow();
  expect(client.pending()).toHaveLength(0);
});

test('staff and guest exchange messages live, with typing and read receipts', async () => {
  const guest = await newGuest();
  const staffClient = connect(await newStaff());
  const guestClient = connect(guest.identity);
  const staffSaw: string[] = [];
  const guestSaw: string[] = [];
  const typing: boolean[] = [];
  const reads: number[] = [];
  staffClient.on('message', ({ message }) => message.conversationId === guest.conversationId && staffSaw.push(message.body));
  guestClient.on('message', ({ message }) => guestSaw.push(message.body));
  staffClient.on('typing', (t) => typing.push(t.active));
  guestClient.on('read', (r) => reads.push(r.seq));
  staffClient.start();
  guestClient.start();
  await stateIs(staffClient, 'connected');
  await stateIs(guestClient, 'connected');
  guestClient.watch(guest.conversationId, 0);

  guestClient.typing(guest.conversationId, true);
  await until(staffClient, () => typing.includes(true));
  guestClient.send(guest.conversationId, 'Hello from room');
  await until(staffClient, () => staffSaw.includes('Hello from room'));
  staffClient.markRead(guest.conversationId, 1);
  await until(guestClient, () => reads.includes(1));
  staffClient.send(guest.conversationId, 'Welcome! How can we help?');
  await until(guestClient, () => guestSaw.includes('Welcome! How can we help?'));
});

test('after a dropped connection it reconnects and resumes from the last seen seq: nothing lost, nothing twice', async () => {
  const guest = await newGuest();
  const staffClient = connect(await newStaff());
  const sockets: WebSocket[] = [];
  const guestClient = connect(guest.identity, {}, sockets);
  const seqs: number[] = [];
  guestClient.on('message', ({ message }) => seqs.push(message.seq));
  staffClient.start();
  guestClient.start();
  await stateIs(staffClient, 'connected');
  await stateIs(guestClient, 'connected');
  guestClient.watch(guest.conversationId, 0);

  staffClient.send(guest.conversationId, 'one');
  await until(guestClient, () => seqs.length === 1);

  // The network drops without a close frame; meanwhile staff keeps writing.
  sockets[sockets.length - 1]!.terminate();
  await until(guestClient, () => guestClient.state !== 'connected');
  staffClient.send(guest.conversationId, 'two');
  staffClient.send(guest.conversationId, 'three');
  // And the guest writes while disconnected: it goes out once the connection is back.
  guestClient.send(guest.conversationId, 'written offline');

  await until(guestClient, () => seqs.length === 4, 15_000);
  expect([...seqs].sort((a, b) => a - b)).toEqual([1, 2, 3, 4]);
  await until(guestClient, () => guestClient.pending().length === 0);
  const history = await api.history(staffToken, guest.conversationId);
  expect(history.messages.map((m) => m.body)).toEqual(expect.arrayContaining(['one', 'two', 'three', 'written offline']));
  expect(history.messages).toHaveLength(4);
});

test('a sync the server refuses for now (rate_limited) is tried again until it answers', async () => {
  const guest = await newGuest();
  const guestClient = connect(guest.identity);
  guestClient.start();
  await stateIs(guestClient, 'connected');
  for (const body of ['one', 'two', 'three']) guestClient.send(guest.conversationId, body);
  await until(guestClient, () => guestClient.pending().length === 0);

  const sockets: WebSocket[] = [];
  const staffClient = connect(await newStaff(), {}, sockets);
  const delivered: { seq: number; source: string }[] = [];
  const refused: { code: string; ref?: string }[] = [];
  staffClient.on('message', ({ message, source }) => delivered.push({ seq: message.seq, source }));
  staffClient.on('error', (e) => refused.push({ code: e.code, ref: e.ref }));
  staffClient.start();
  await stateIs(staffClient, 'connected');
  // Spend the socket's burst of 60 events and then some (a slow machine refills a token every
  // 1/6 s): the sync that follows is refused with rate_limited.
  const socket = sockets[sockets.length - 1]!;
  for (let i = 0; i < 70; i++) socket.send(JSON.stringify({ event: 'ping', data: { t: i } }));
  staffClient.watch(guest.conversationId, 0);
  await until(staffClient, () => refused.some((e) => e.ref === 'conversation.sync'));
  expect(refused.find((e) => e.ref === 'conversation.sync')).toEqual({ code: 'rate_limited', ref: 'conversation.sync' });
  await until(staffClient, () => delivered.length === 3, 15_000);
  expect(delivered).toEqual([1, 2, 3].map((seq) => ({ seq, source: 'sync' })));
  expect(staffClient.state).toBe('connected');
});

test('the outbox survives a reload and a resend is idempotent (same clientMsgId)', async () => {
  const guest = await newGuest();
  const storage = new MemoryStorage();
  // Queued before any connection (offline, or the tab closed before it could send).
  const before = connect(guest.identity, { storage, outboxKey: 'k' });
  const entry = before.send(guest.conversationId, 'typed before the reload');
  before.stop();
  const copy = storage.getItem('k')!;

  const after = connect(guest.identity, { storage, outboxKey: 'k' });
  after.start();
  await until(after, () => after.pending().length === 0);

  // A second tab that still holds the same entry sends it again: the server keeps one.
  const other = new MemoryStorage();
  other.setItem('k', copy);
  const again = connect(guest.identity, { storage: other, outboxKey: 'k' });
  const acked: string[] = [];
  again.on('message', ({ message, source }) => source === 'ack' && acked.push(message.clientMsgId));
  again.start();
  await until(again, () => acked.length === 1);

  const history = await api.history(staffToken, guest.conversationId);
  expect(history.messages.map((m) => m.clientMsgId)).toEqual([entry.clientMsgId]);
});

test('check-out closes the socket with 4401; the failed refresh ends the session', async () => {
  const guest = await newGuest();
  const client = connect(guest.identity);
  client.start();
  await stateIs(client, 'connected');
  await api.checkout(staffToken, guest.created.stay.id);
  await until(client, () => client.state === 'ended', 15_000);
});

test('a server that stops answering pings is given up and reconnected to', async () => {
  const guest = await newGuest();
  const client = connect(guest.identity, { pingIntervalMs: 300, pongDeadlineMs: 700 });
  const states: ConnectionState[] = [];
  client.on('state', (s) => states.push(s));
  client.start();
  await stateIs(client, 'connected');
  server.pause();
  try {
    await until(client, () => client.state === 'reconnecting', 5000);
  } finally {
    server.resume();
  }
  await until(client, () => client.state === 'connected', 20_000);
  expect(states).toEqual(expect.arrayContaining(['reconnecting', 'connected']));
});
