import { randomUUID } from 'node:crypto';
import type { HistoryPage, Message } from '@bellhop/protocol';
import { startTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { checkIn, checkOut, createStaff, joinGuest, loginStaff, request, type GuestLogin, type StaffLogin } from './support/http.js';
import { connect, eventually, type TestSocket } from './support/ws.js';

describe('messaging over WebSocket', () => {
  let db: TestDatabase;
  let t: TestApp;
  let admin: StaffLogin;
  let agent: StaffLogin;
  const sockets: TestSocket[] = [];
  const open = async (token: string) => {
    const s = await connect(t.wsUrl, token);
    sockets.push(s);
    return s;
  };
  const newGuest = async (): Promise<GuestLogin & { stayId: string }> => {
    const stay = await checkIn(t.baseUrl, admin.accessToken);
    return { ...(await joinGuest(t.baseUrl, stay.joinCode)), stayId: stay.stay.id };
  };
  const rows = (conversationId: string) =>
    db.query<{ seq: number; client_msg_id: string; body: string; sender_type: string }>(
      'SELECT seq, client_msg_id, body, sender_type FROM messages WHERE conversation_id = $1 ORDER BY seq',
      [conversationId],
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url);
    admin = await loginStaff(t.baseUrl);
    agent = await createStaff(t.baseUrl, admin.accessToken, { displayName: 'Reception' });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('greets with session.ready (guest: its conversation; staff: none) and tells guests the staff presence', async () => {
    const g = await newGuest();
    const gs = await open(g.accessToken);
    expect(gs.protocol).toBe('bellhop.v1');
    expect(gs.frames[0]).toEqual({
      event: 'session.ready',
      data: { user: { type: 'guest', id: g.guest.id, name: 'Ada' }, serverTime: expect.any(String), heartbeatMs: 25000, conversations: [{ id: g.conversationId, lastSeq: 0 }] },
    });
    expect(gs.frames[1]).toEqual({ event: 'presence', data: { staffOnline: expect.any(Number) } });
    const before = gs.frames[1].data as { staffOnline: number };
    const ss = await open(agent.accessToken);
    expect(ss.frames[0].data).toMatchObject({ user: { type: 'staff', id: agent.user.id, name: 'Reception', role: 'agent' }, conversations: [] });
    await gs.waitFor('presence', (d) => d.staffOnline === before.staffOnline + 1);
    ss.close();
    await gs.waitFor('presence', (d) => d.staffOnline === before.staffOnline);
  });

  it('acks after storing, and tells every other connection of the participants (not the sender socket)', async () => {
    const g = await newGuest();
    const [gs, gs2, ss] = [await open(g.accessToken), await open(g.accessToken), await open(agent.accessToken)];
    const cmid = gs.sendMessage(g.conversationId, '  Hello, could I get towels?\n');
    const ack = await gs.waitFor('message.ack', (d) => d.clientMsgId === cmid);
    expect(ack.data.message).toMatchObject({ conversationId: g.conversationId, seq: 1, clientMsgId: cmid, body: 'Hello, could I get towels?', sender: { type: 'guest', id: g.guest.id, name: 'Ada' } });
    expect((await rows(g.conversationId)).rows).toEqual([{ seq: 1, client_msg_id: cmid, body: 'Hello, could I get towels?', sender_type: 'guest' }]);
    expect((await gs2.waitFor('message.new', (d) => d.message.clientMsgId === cmid)).data.message).toEqual(ack.data.message);
    expect((await ss.waitFor('message.new', (d) => d.message.clientMsgId === cmid)).data.message).toEqual(ack.data.message);
    await gs.ping();
    expect(gs.messagesNew()).toEqual([]);

    const reply = ss.sendMessage(g.conversationId, 'On their way!');
    const replyAck = await ss.waitFor('message.ack', (d) => d.clientMsgId === reply);
    expect(replyAck.data.message).toMatchObject({ seq: 2, sender: { type: 'staff', id: agent.user.id, name: 'Reception' } });
    await gs.waitFor('message.new', (d) => d.message.clientMsgId === reply);
  });

  it('stores one row for the same clientMsgId sent twice, and answers the retry with the original', async () => {
    const g = await newGuest();
    const gs = await open(g.accessToken);
    const cmid = randomUUID();
    gs.sendMessage(g.conversationId, 'first', cmid);
    const first = await gs.waitFor('message.ack', (d) => d.clientMsgId === cmid);
    gs.sendMessage(g.conversationId, 'changed body', cmid);
    await eventually(() => gs.ofEvent('message.ack').length === 2);
    const acks = gs.ofEvent('message.ack');
    expect(acks[1]).toEqual(first.data);
    expect((await rows(g.conversationId)).rows).toHaveLength(1);
  });

  it('stores one row when two sockets (guest and staff) send the same clientMsgId at once', async () => {
    const g = await newGuest();
    const [gs, ss] = [await open(g.accessToken), await open(agent.accessToken)];
    for (let i = 0; i < 5; i++) {
      const cmid = randomUUID();
      gs.sendMessage(g.conversationId, `guest ${i}`, cmid);
      ss.sendMessage(g.conversationId, `staff ${i}`, cmid);
      const [a, b] = await Promise.all([gs.waitFor('message.ack', (d) => d.clientMsgId === cmid), ss.waitFor('message.ack', (d) => d.clientMsgId === cmid)]);
      expect(a.data.message).toEqual(b.data.message);
    }
    const { rows: stored } = await rows(g.conversationId);
    expect(stored.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('gives 200 pipelined messages from guest and staff seq 1..200 without gaps, in order on every receiver', async () => {
    const g = await newGuest();
    const [gs, ss, watcherGuest, watcherStaff] = [await open(g.accessToken), await open(admin.accessToken), await open(g.accessToken), await open(agent.accessToken)];
    const sent: string[] = [];
    // Stay within the send burst of 20 per connection, spread over several connections.
    const senders = [gs, ss, await open(g.accessToken), await open(admin.accessToken), await open(g.accessToken), await open(admin.accessToken), await open(g.accessToken), await open(admin.accessToken), await open(g.accessToken), await open(admin.accessToken)];
    const perSender = new Map<TestSocket, string[]>();
    for (let i = 0; i < 20; i++) {
      for (const s of senders) {
        const cmid = s.sendMessage(g.conversationId, `m${i}`);
        sent.push(cmid);
        perSender.set(s, [...(perSender.get(s) ?? []), cmid]);
      }
    }
    await eventually(() => watcherStaff.messagesNew(g.conversationId).length >= 200 && watcherGuest.messagesNew(g.conversationId).length >= 200, 20_000, '200 messages');
    const seqs = (ms: Message[]) => ms.map((m) => m.seq);
    const expected = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(seqs(watcherStaff.messagesNew(g.conversationId))).toEqual(expected);
    expect(seqs(watcherGuest.messagesNew(g.conversationId))).toEqual(expected);
    // Each sender's own messages got increasing seqs, in the order it sent them.
    for (const [s, ids] of perSender) {
      await eventually(() => s.ofEvent('message.ack').length >= 20);
      const bySeq = new Map(s.ofEvent('message.ack').map((a) => [a.clientMsgId, a.message.seq]));
      const mine = ids.map((id) => bySeq.get(id)!);
      expect([...mine].sort((a, b) => a - b)).toEqual(mine);
      // ...and the others' messages arrived in seq order too.
      expect(seqs(s.messagesNew(g.conversationId))).toEqual([...seqs(s.messagesNew(g.conversationId))].sort((a, b) => a - b));
    }
    expect((await rows(g.conversationId)).rows.map((r) => r.seq)).toEqual(expected);
    expect(new Set((await rows(g.conversationId)).rows.map((r) => r.client_msg_id))).toEqual(new Set(sent));
  });

  it('answers a frame that follows sends only once they are acked, so it sees them (per connection, in order)', async () => {
    const g = await newGuest();
    const ss = await open(admin.accessToken);
    // Staff sends into two conversations, then a sync, in one burst: the sync is answered after every ack.
    const other = await newGuest();
    const ids = [0, 1, 2, 3, 4, 5].map((i) => ss.sendMessage(i % 2 ? other.conversationId : g.conversationId, `burst ${i}`));
    ss.send('conversation.sync', { conversationId: g.conversationId, afterSeq: 0 });
    const page = await ss.waitFor('conversation.messages');
    const answered = ss.frames.slice(0, ss.frames.indexOf(page));
    expect(new Set(answered.filter((f) => f.event === 'message.ack').map((f) => (f.data as { clientMsgId: string }).clientMsgId))).toEqual(new Set(ids));
    expect(page.data.messages.map((m) => m.body)).toEqual(['burst 0', 'burst 2', 'burst 4']);
    // The next burst after an idle moment is handled the same way.
    const more = ss.sendMessage(g.conversationId, 'burst 6');
    ss.send('conversation.sync', { conversationId: g.conversationId, afterSeq: 3 });
    const next = await ss.waitFor('conversation.messages', (d) => d.messages.some((m) => m.clientMsgId === more));
    expect(ss.frames.findIndex((f) => f.event === 'message.ack' && (f.data as { clientMsgId: string }).clientMsgId === more)).toBeLessThan(ss.frames.indexOf(next));
    expect(next.data.messages.map((m) => m.seq)).toEqual([4]);
  });

  it('lets a client that was away sync exactly what it missed, none twice', async () => {
    const g = await newGuest();
    const gs = await open(g.accessToken);
    for (let i = 1; i <= 3; i++) {
      const id = gs.sendMessage(g.conversationId, `before ${i}`);
      await gs.waitFor('message.ack', (d) => d.clientMsgId === id);
    }
    gs.close();
    await gs.closed;
    const ss = await open(agent.accessToken);
    for (let i = 1; i <= 4; i++) {
      const id = ss.sendMessage(g.conversationId, `while away ${i}`);
      await ss.waitFor('message.ack', (d) => d.clientMsgId === id);
    }
    const back = await open(g.accessToken);
    expect(back.frames[0].data).toMatchObject({ conversations: [{ id: g.conversationId, lastSeq: 7 }] });
    back.send('conversation.sync', { conversationId: g.conversationId, afterSeq: 3 });
    const page = await back.waitFor('conversation.messages');
    expect(page.data).toMatchObject({ conversationId: g.conversationId, hasMore: false });
    expect(page.data.messages.map((m) => [m.seq, m.body])).toEqual([[4, 'while away 1'], [5, 'while away 2'], [6, 'while away 3'], [7, 'while away 4']]);

    back.send('conversation.sync', { conversationId: g.conversationId, afterSeq: 0, limit: 2 });
    const first = await back.waitFor('conversation.messages', (d) => d.messages[0]?.seq === 1);
    expect(first.data.messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(first.data.hasMore).toBe(true);
  });

  it('serves history pages over HTTP: newest before `before`, ascending, with hasMore', async () => {
    const g = await newGuest();
    const gs = await open(g.accessToken);
    const acked: Message[] = [];
    // The page is JSON the database writes: text that JSON escapes must come back unchanged.
    const awkward = 'a "quote", a \\ backslash,\nlines,\ttabs, \u2028, emoji 😀 and 中文';
    for (let i = 1; i <= 5; i++) {
      const id = gs.sendMessage(g.conversationId, i === 5 ? awkward : `h${i}`);
      acked.push((await gs.waitFor('message.ack', (d) => d.clientMsgId === id)).data.message);
    }
    const ss = await open(agent.accessToken);
    const staffId = ss.sendMessage(g.conversationId, 'h6 from the desk');
    acked.push((await ss.waitFor('message.ack', (d) => d.clientMsgId === staffId)).data.message);
    const url = `${t.baseUrl}/api/conversations/${g.conversationId}/messages`;
    const newest = await request<HistoryPage>('GET', `${url}?limit=3`, { token: g.accessToken });
    expect(newest.status).toBe(200);
    expect(newest.headers.get('content-type')).toMatch(/^application\/json/);
    // Exactly what the acks carried, times and senders included.
    expect(newest.body.messages).toEqual(acked.slice(3));
    expect(newest.body.messages[1].body).toBe(awkward);
    expect(newest.body.messages[2].sender).toMatchObject({ type: 'staff', id: agent.user.id });
    expect(newest.body.hasMore).toBe(true);
    const older = await request<HistoryPage>('GET', `${url}?before=4&limit=10`, { token: agent.accessToken });
    expect(older.body).toMatchObject({ hasMore: false });
    expect(older.body.messages.map((m) => m.body)).toEqual(['h1', 'h2', 'h3']);
    expect((await request('GET', `${url}?limit=101`, { token: agent.accessToken })).status).toBe(400);
    expect((await request('GET', url)).status).toBe(401);
    // A conversation without messages has an empty page; one that does not exist is 404.
    const quiet = await newGuest();
    const empty = await request<HistoryPage>('GET', `${t.baseUrl}/api/conversations/${quiet.conversationId}/messages`, { token: agent.accessToken });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ messages: [], hasMore: false });
    expect((await request('GET', `${t.baseUrl}/api/conversations/${randomUUID()}/messages`, { token: agent.accessToken })).status).toBe(404);
  });

  it('moves read cursors forward only and announces real moves to the others', async () => {
    const g = await newGuest();
    const [gs, gs2, ss, other] = [await open(g.accessToken), await open(g.accessToken), await open(agent.accessToken), await open(admin.accessToken)];
    for (let i = 0; i < 3; i++) {
      const id = gs.sendMessage(g.conversationId, `r${i}`);
      await gs.waitFor('message.ack', (d) => d.clientMsgId === id);
    }
    await ss.waitFor('message.new', (d) => d.message.seq === 3 && d.message.conversationId === g.conversationId);
    ss.send('conversation.read', { conversationId: g.conversationId, seq: 2 });
    const read = await gs.waitFor('conversation.read', (d) => d.conversationId === g.conversationId);
    expect(read.data).toEqual({ conversationId: g.conversationId, reader: { type: 'staff', id: agent.user.id }, seq: 2 });
    await gs2.waitFor('conversation.read', (d) => d.conversationId === g.conversationId && d.seq === 2);
    await other.waitFor('conversation.read', (d) => d.conversationId === g.conversationId && d.seq === 2);
    const updated = await ss.waitFor('conversation.updated', (d) => d.conversation.id === g.conversationId);
    expect(updated.data.conversation).toMatchObject({ id: g.conversationId, lastSeq: 3, unread: 1 });

    const count = gs.ofEvent('conversation.read').length;
    ss.send('conversation.read', { conversationId: g.conversationId, seq: 1 });
    ss.send('conversation.read', { conversationId: g.conversationId, seq: 2 });
    await ss.ping();
    // Clamped to lastSeq.
    ss.send('conversation.read', { conversationId: g.conversationId, seq: 99 });
    await gs.waitFor('conversation.read', (d) => d.conversationId === g.conversationId && d.seq === 3);
    expect(gs.ofEvent('conversation.read').map((r) => r.seq).slice(count)).toEqual([3]);
    const { rows: cursor } = await db.query('SELECT seq FROM read_cursors WHERE conversation_id = $1 AND reader_id = $2', [g.conversationId, agent.user.id]);
    expect(cursor).toEqual([{ seq: 3 }]);
  });

  it("tells a guest in session.ready how far staff have read, so that read ticks survive a reconnect", async () => {
    const g = await newGuest();
    const gs = await open(g.accessToken);
    for (let i = 0; i < 3; i++) {
      const id = gs.sendMessage(g.conversationId, `m${i}`);
      await gs.waitFor('message.ack', (d) => d.clientMsgId === id);
    }
    // Nobody has read anything yet: the entry is as before.
    const fresh = await open(g.accessToken);
    expect(fresh.frames[0].data).toMatchObject({ conversations: [{ id: g.conversationId, lastSeq: 3 }] });
    expect((fresh.frames[0].data as { conversations: object[] }).conversations[0]).not.toHaveProperty('staffReadSeq');

    const [ss, other] = [await open(agent.accessToken), await open(admin.accessToken)];
    ss.send('conversation.read', { conversationId: g.conversationId, seq: 2 });
    await gs.waitFor('conversation.read', (d) => d.seq === 2);
    other.send('conversation.read', { conversationId: g.conversationId, seq: 1 });
    await gs.waitFor('conversation.read', (d) => d.seq === 1);
    // The highest cursor of any staff member.
    const again = await open(g.accessToken);
    expect(again.frames[0]).toMatchObject({ event: 'session.ready', data: { conversations: [{ id: g.conversationId, lastSeq: 3, staffReadSeq: 2 }] } });

    other.send('conversation.read', { conversationId: g.conversationId, seq: 3 });
    await gs.waitFor('conversation.read', (d) => d.seq === 3);
    const later = await open(g.accessToken);
    expect(later.frames[0].data).toMatchObject({ conversations: [{ id: g.conversationId, lastSeq: 3, staffReadSeq: 3 }] });
    // Staff still get no conversations in session.ready.
    expect((await open(agent.accessToken)).frames[0].data).toMatchObject({ conversations: [] });
  });

  it('passes typing on to the others, not to the typer, at most once per 2 s for active: true', async () => {
    const g = await newGuest();
    const [gs, gs2, ss] = [await open(g.accessToken), await open(g.accessToken), await open(agent.accessToken)];
    gs.send('typing', { conversationId: g.conversationId, active: true });
    gs.send('typing', { conversationId: g.conversationId, active: true });
    gs.send('typing', { conversationId: g.conversationId, active: false });
    await ss.waitFor('typing', (d) => d.conversationId === g.conversationId && !d.active);
    const seen = ss.ofEvent('typing').filter((d) => d.conversationId === g.conversationId);
    expect(seen).toEqual([
      { conversationId: g.conversationId, who: { type: 'guest', id: g.guest.id, name: 'Ada' }, active: true },
      { conversationId: g.conversationId, who: { type: 'guest', id: g.guest.id, name: 'Ada' }, active: false },
    ]);
    await gs2.ping();
    expect(gs2.ofEvent('typing')).toEqual([]);
  });

  it('sends and types under a new displayName on sockets opened before the change', async () => {
    const g = await newGuest();
    const porter = await createStaff(t.baseUrl, admin.accessToken, { displayName: 'Porter' });
    const [gs, ps] = [await open(g.accessToken), await open(porter.accessToken)];
    const before = ps.sendMessage(g.conversationId, 'on my way');
    expect((await gs.waitFor('message.new', (d) => d.message.clientMsgId === before)).data.message.sender.name).toBe('Porter');
    const res = await request('PATCH', `${t.baseUrl}/api/staff/${porter.user.id}`, { token: admin.accessToken, body: { displayName: 'Head Porter' } });
    expect(res.status).toBe(200);
    // The change travels over the bus: the socket takes it up within moments, without reconnecting.
    await eventually(async () => {
      const id = ps.sendMessage(g.conversationId, 'still on my way');
      return (await gs.waitFor('message.new', (d) => d.message.clientMsgId === id)).data.message.sender.name === 'Head Porter';
    }, 5_000, 'the new name on messages');
    ps.send('typing', { conversationId: g.conversationId, active: false });
    expect((await gs.waitFor('typing')).data.who).toEqual({ type: 'staff', id: porter.user.id, name: 'Head Porter' });
  });

  it('answers inbox.sync for staff with open conversations, newest activity first', async () => {
    const g1 = await newGuest();
    const g2 = await newGuest();
    const ss = await open(agent.accessToken);
    const s1 = await open(g1.accessToken);
    const id = s1.sendMessage(g1.conversationId, 'newest activity');
    await s1.waitFor('message.ack', (d) => d.clientMsgId === id);
    ss.send('inbox.sync', {});
    const snap = await ss.waitFor('inbox.snapshot');
    const ids = snap.data.conversations.map((c) => c.id);
    expect(ids[0]).toBe(g1.conversationId);
    expect(ids).toContain(g2.conversationId);
    expect(snap.data.conversations[0]).toMatchObject({ status: 'open', lastSeq: 1, unread: 1, lastMessage: { body: 'newest activity' } });
  });

  it('reopens a resolved conversation on a guest message, and refuses writes into a checked-out stay', async () => {
    const g = await newGuest();
    const ss = await open(agent.accessToken);
    const resolved = await request('PATCH', `${t.baseUrl}/api/conversations/${g.conversationId}`, { token: agent.accessToken, body: { status: 'resolved' } });
    expect(resolved.status).toBe(200);
    await ss.waitFor('conversation.updated', (d) => d.conversation.id === g.conversationId && d.conversation.status === 'resolved');
    const gs = await open(g.accessToken);
    const id = gs.sendMessage(g.conversationId, 'one more thing');
    await gs.waitFor('message.ack', (d) => d.clientMsgId === id);
    await ss.waitFor('conversation.updated', (d) => d.conversation.id === g.conversationId && d.conversation.status === 'open');

    expect((await checkOut(t.baseUrl, agent.accessToken, g.stayId)).status).toBe(200);
    const late = ss.sendMessage(g.conversationId, 'are you still there?');
    const err = await ss.waitFor('error', (d) => d.ref === late);
    expect(err.data.code).toBe('forbidden');
    expect((await rows(g.conversationId)).rows).toHaveLength(1);
  });
});
