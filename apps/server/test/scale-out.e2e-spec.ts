import type { Message } from '@bellhop/protocol';
import { freePort } from '../src/database/embedded-postgres.js';
import { killServerProcesses, startServerProcess, type ServerProcess } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { checkIn, createStaff, joinGuest, loginStaff, type GuestLogin, type StaffLogin } from './support/http.js';
import { connect, eventually, HandshakeRefused, type Frame, type TestSocket } from './support/ws.js';

const JWT_SECRET = 'scale-out-secret-that-is-long-enough-0123456789';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Seqs of the `message.new` frames a socket received for a conversation, in arrival order. */
const newSeqs = (s: TestSocket, conversationId: string) => s.messagesNew(conversationId).map((m) => m.seq);

/**
 * A socket that both sends and receives: its own messages come back as acks, everybody else's
 * as `message.new`. It must see each message once, and `message.new` in seq order.
 */
function expectSenderSawEachOnce(s: TestSocket, conversationId: string, total: number): void {
  const news = newSeqs(s, conversationId);
  expect(news).toEqual([...news].sort((x, y) => x - y));
  const acks = s.ofEvent('message.ack').map((a) => a.message.seq);
  expect([...news, ...acks].sort((x, y) => x - y)).toEqual(range(1, total));
}

/**
 * What a client shows: every message it learnt of (ack, `message.new`, sync), by seq. Seeing the
 * same message again (a sync overlapping a late ack) is fine; a different message under a seq it
 * already has, or one message under two seqs, is not.
 */
class ClientView {
  readonly bySeq = new Map<number, Message>();
  private readonly seqOfClientMsg = new Map<string, number>();

  add(m: Message): void {
    const known = this.bySeq.get(m.seq);
    if (known) expect(m).toEqual(known);
    const seq = this.seqOfClientMsg.get(m.clientMsgId);
    if (seq !== undefined) expect(m.seq).toBe(seq);
    this.bySeq.set(m.seq, m);
    this.seqOfClientMsg.set(m.clientMsgId, m.seq);
  }

  addFrames(frames: Frame[]): void {
    for (const f of frames) {
      if (f.event === 'message.ack') this.add((f.data as { message: Message }).message);
      else if (f.event === 'message.new') this.add((f.data as { message: Message }).message);
      else if (f.event === 'conversation.messages') for (const m of (f.data as { messages: Message[] }).messages) this.add(m);
    }
  }

  /** The highest seq up to which nothing is missing. */
  get lastSeq(): number {
    let seq = 0;
    while (this.bySeq.has(seq + 1)) seq++;
    return seq;
  }
}

describe('two server processes on one database', () => {
  let db: TestDatabase;
  /** A and B for the chat and the crash; C to be killed while it holds a staff socket. */
  let a: ServerProcess;
  let b: ServerProcess;
  let c: ServerProcess;
  let admin: StaffLogin;
  const sockets: TestSocket[] = [];
  const open = async (server: ServerProcess, token: string, origin?: string) => {
    const s = await connect(server.wsUrl, token, origin ? { origin } : {});
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const ports: number[] = [];
    while (ports.length < 3) {
      const p = await freePort();
      if (!ports.includes(p)) ports.push(p);
    }
    const env = {
      DATABASE_URL: db.url,
      JWT_SECRET,
      ALLOWED_ORIGINS: ports.map((p) => `http://127.0.0.1:${p}`).join(','),
      LOG_LEVEL: 'warn',
    };
    [a, b, c] = await Promise.all(ports.map((p) => startServerProcess(env, p)));
    admin = await loginStaff(a.baseUrl);
  }, 30_000);

  afterEach(async () => {
    const closing = sockets.splice(0);
    for (const s of closing) s.close();
    await Promise.all(closing.map((s) => s.closed));
  });

  afterAll(async () => {
    await killServerProcesses();
    await db?.drop();
  }, 30_000);

  it('lets a guest on one instance and staff on the other chat both ways: every message once, in seq order', async () => {
    const stay = await checkIn(a.baseUrl, admin.accessToken);
    // Joined through B, connected to A: the token is good on every instance.
    const guest = await joinGuest(b.baseUrl, stay.joinCode);
    const conv = guest.conversationId;
    // Each page was loaded from the other instance's origin.
    const gA = await open(a, guest.accessToken, b.baseUrl);
    const sB = await open(b, admin.accessToken, a.baseUrl);
    // Pure receivers on the opposite instances: another tab of each.
    const gB = await open(b, guest.accessToken);
    const sA = await open(a, admin.accessToken);

    const rounds = 2;
    const perRound = 10;
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < perRound; i++) {
        gA.sendMessage(conv, `guest ${r}/${i}`);
        sB.sendMessage(conv, `staff ${r}/${i}`);
      }
      // The next burst starts while this one is still being fanned out.
      await gA.waitFor('message.ack', (d) => d.message.body === `guest ${r}/0`);
    }
    const total = 2 * rounds * perRound;
    await eventually(
      () => gB.messagesNew(conv).length >= total && sA.messagesNew(conv).length >= total && gA.ofEvent('message.ack').length + gA.messagesNew(conv).length >= total && sB.ofEvent('message.ack').length + sB.messagesNew(conv).length >= total,
      10_000,
      'every message on every socket',
    );
    // One more round trip on every socket, so that a late duplicate would be counted too.
    await Promise.all([gA, sB, gB, sA].map((s) => s.ping()));

    expect([gA, sB, gB, sA].flatMap((s) => s.errors())).toEqual([]);
    expect(newSeqs(gB, conv)).toEqual(range(1, total));
    expect(newSeqs(sA, conv)).toEqual(range(1, total));
    expectSenderSawEachOnce(gA, conv, total);
    expectSenderSawEachOnce(sB, conv, total);
    expect(newSeqs(gA, conv).length).toBe(total / 2);
    expect(newSeqs(sB, conv).length).toBe(total / 2);

    // Each side's messages in the order it sent them.
    const { rows } = await db.query<{ seq: number; sender_type: string; body: string }>('SELECT seq, sender_type, body FROM messages WHERE conversation_id = $1 ORDER BY seq', [conv]);
    expect(rows.map((r) => r.seq)).toEqual(range(1, total));
    for (const side of ['guest', 'staff']) {
      const sent = range(0, rounds - 1).flatMap((r) => range(0, perRound - 1).map((i) => `${side} ${r}/${i}`));
      expect(rows.filter((r) => r.sender_type === side).map((r) => r.body)).toEqual(sent);
    }
    // Everyone saw the same message under each seq.
    const view = new ClientView();
    for (const s of [gA, sB, gB, sA]) view.addFrames(s.frames);
    expect([...view.bySeq.keys()].sort((x, y) => x - y)).toEqual(range(1, total));
  }, 20_000);

  it('loses and doubles nothing when the instance a guest is bursting into is killed and the guest resumes on the other', async () => {
    const stay = await checkIn(b.baseUrl, admin.accessToken);
    const guest = await joinGuest(a.baseUrl, stay.joinCode);
    const conv = guest.conversationId;
    const desk = await open(b, admin.accessToken);
    const gA = await open(a, guest.accessToken);

    // Some history the guest has seen: staff messages through the bus, its own through acks.
    const staffIds = [desk.sendMessage(conv, 'welcome'), desk.sendMessage(conv, 'how can we help?')];
    await gA.waitFor('message.new', (d) => d.message.clientMsgId === staffIds[1]);
    const early = gA.sendMessage(conv, 'hello');
    await gA.waitFor('message.ack', (d) => d.clientMsgId === early);
    const history = staffIds.length + 1;

    // The outbox: every message the guest wrote, until its ack comes.
    const outbox = new Map<string, string>();
    const write = (from: number, to: number) => {
      for (const i of range(from, to)) outbox.set(gA.sendMessage(conv, `burst ${i}`), `burst ${i}`);
    };
    write(0, 9);
    await gA.waitFor('message.ack', (d) => outbox.has(d.clientMsgId));
    // The guest's network stalls: from here on, acks are on their way but never read.
    gA.ws.pause();
    write(10, 14);
    // FOR UPDATE: waits for a commit the instance may have in flight.
    const lastSeq = async () => (await db.query<{ last_seq: number }>('SELECT last_seq FROM conversations WHERE id = $1 FOR UPDATE', [conv])).rows[0].last_seq;
    await eventually(async () => (await lastSeq()) > history + 10, 10_000, 'messages stored whose ack the guest never reads');
    await a.kill();
    // The guest keeps writing into the dead connection, then gives it up: what it had read by
    // then is all it knows (a closing socket still hands over its unread frames; they are ignored).
    write(15, 19);
    const seen = gA.frames.slice();
    gA.ws.terminate();
    await gA.closed;
    const storedAtKill = await lastSeq();

    const before = new ClientView();
    before.addFrames(seen);
    const acked = new Set(seen.flatMap((f) => (f.event === 'message.ack' ? [(f.data as { clientMsgId: string }).clientMsgId] : [])));
    const unacked = [...outbox.keys()].filter((id) => !acked.has(id));
    // All three kinds are there: acked, stored without a read ack, never stored.
    expect(before.lastSeq).toBeGreaterThan(history);
    expect(storedAtKill).toBeGreaterThan(before.lastSeq);
    expect(storedAtKill).toBeLessThan(history + outbox.size);

    // Back on B: sync from the last seen seq, then resend the outbox with the same ids.
    const gB = await open(b, guest.accessToken);
    gB.send('conversation.sync', { conversationId: conv, afterSeq: before.lastSeq });
    for (const id of unacked) gB.sendMessage(conv, outbox.get(id)!, id);
    await eventually(() => gB.ofEvent('message.ack').length === unacked.length && gB.ofEvent('conversation.messages').length === 1, 10_000, 'acks of the resent messages and the sync');
    expect(gB.errors()).toEqual([]);
    expect(gB.ofEvent('conversation.messages')[0].hasMore).toBe(false);

    const { rows } = await db.query<{ id: string; seq: number; client_msg_id: string; body: string }>(
      'SELECT id, seq, client_msg_id, body FROM messages WHERE conversation_id = $1 ORDER BY seq',
      [conv],
    );
    const total = history + outbox.size;
    expect(rows.map((r) => r.seq)).toEqual(range(1, total));
    expect(new Set(rows.map((r) => r.client_msg_id))).toEqual(new Set([...staffIds, early, ...outbox.keys()]));
    // The guest's messages in the order it wrote them (the outbox resends in order).
    expect(rows.filter((r) => r.body.startsWith('burst ')).map((r) => r.body)).toEqual(range(0, 19).map((i) => `burst ${i}`));

    // The guest's view: all of it, each message under its stored seq, nothing twice.
    const view = new ClientView();
    view.addFrames(seen);
    view.addFrames(gB.frames);
    expect([...view.bySeq.values()].sort((x, y) => x.seq - y.seq).map((m) => ({ id: m.id, seq: m.seq, client_msg_id: m.clientMsgId, body: m.body }))).toEqual(rows);
    // The sync answered exactly what was stored but not yet seen.
    expect(gB.ofEvent('conversation.messages')[0].messages.map((m) => m.seq)).toEqual(range(before.lastSeq + 1, storedAtKill));

    // The console on B saw every guest message once, in order, across the crash.
    await eventually(() => desk.messagesNew(conv).length >= total - staffIds.length, 10_000, 'the guest messages on the console');
    await desk.ping();
    expectSenderSawEachOnce(desk, conv, total);
    expect(desk.ofEvent('message.ack').map((ack) => ack.message.seq)).toEqual([1, 2]);
  }, 20_000);

  it('shows guests staff presence across instances, drops a killed instance from presence, and frees its socket slots', async () => {
    const stay = await checkIn(b.baseUrl, admin.accessToken);
    const guest: GuestLogin = await joinGuest(b.baseUrl, stay.joinCode);
    const gB = await open(b, guest.accessToken);
    const latest = () => gB.ofEvent('presence').at(-1)?.staffOnline;
    // Staff sockets of earlier tests are gone: nobody is online.
    await eventually(() => latest() === 0, 10_000, 'no staff online');

    /** The next presence frame with this count, from the frames after `mark` on. */
    const presence = (staffOnline: number, mark: number, timeoutMs?: number) => gB.waitFor('presence', (d) => d.staffOnline === staffOnline, timeoutMs, mark);

    const agent = await createStaff(b.baseUrl, admin.accessToken);
    let mark = gB.frames.length;
    const onC = await open(c, agent.accessToken);
    await presence(1, mark);
    mark = gB.frames.length;
    onC.close();
    await presence(0, mark);

    // The socket cap counts both instances: 5 here and 5 there make 10.
    await Promise.all([...range(1, 4).map(() => open(b, guest.accessToken)), ...range(1, 5).map(() => open(c, guest.accessToken))]);
    await expect(connect(b.wsUrl, guest.accessToken)).rejects.toEqual(new HandshakeRefused(429));
    await expect(connect(c.wsUrl, guest.accessToken)).rejects.toEqual(new HandshakeRefused(429));

    // C holds the only staff socket, and dies.
    mark = gB.frames.length;
    const onCAgain = await open(c, agent.accessToken);
    await presence(1, mark);
    mark = gB.frames.length;
    await c.kill();
    await onCAgain.closed;
    await presence(0, mark, 12_000);

    // C's five guest sockets no longer count: B takes five more, and not a sixth.
    sockets.push(await eventually(() => connect(b.wsUrl, guest.accessToken).catch(() => undefined), 10_000, 'a slot freed by the dead instance'));
    await Promise.all(range(1, 4).map(() => open(b, guest.accessToken)));
    await expect(connect(b.wsUrl, guest.accessToken)).rejects.toEqual(new HandshakeRefused(429));
    expect(latest()).toBe(0);
  }, 30_000);
});
