import { startTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { checkIn, checkOut, createStaff, joinGuest, loginStaff, type StaffLogin } from './support/http.js';
import { connect, eventually, handshakeStatus, HandshakeRefused, type TestSocket } from './support/ws.js';

describe('two instances on one database', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let admin: StaffLogin;
  const sockets: TestSocket[] = [];
  const open = async (app: TestApp, token: string) => {
    const s = await connect(app.wsUrl, token);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestApp(db.url);
    b = await startTestApp(db.url, { ALLOWED_ORIGINS: a.baseUrl });
    admin = await loginStaff(a.baseUrl);
  }, 30_000);
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('delivers messages, reads and typing across instances, in seq order', async () => {
    const stay = await checkIn(a.baseUrl, admin.accessToken);
    const guest = await joinGuest(a.baseUrl, stay.joinCode);
    const gA = await open(a, guest.accessToken);
    const gB = await open(b, guest.accessToken);
    const sB = await open(b, admin.accessToken);
    for (let i = 0; i < 20; i++) gA.sendMessage(guest.conversationId, `m${i}`);
    for (let i = 0; i < 20; i++) sB.sendMessage(guest.conversationId, `r${i}`);
    const expected = Array.from({ length: 40 }, (_, i) => i + 1);
    const conv = guest.conversationId;
    await eventually(
      () => gA.ofEvent('message.ack').length === 20 && sB.ofEvent('message.ack').length === 20 && gB.messagesNew(conv).length === 40 && sB.messagesNew(conv).length === 20,
      10_000,
      'every message on both instances',
    ).catch((e: Error) => {
      throw new Error(`${e.message}: ${[gA.ofEvent('message.ack').length, sB.ofEvent('message.ack').length, gB.messagesNew(conv).length, sB.messagesNew(conv).length, JSON.stringify(gA.errors()), JSON.stringify(sB.errors())]}`);
    }
    );
    const seqs = sB.messagesNew(conv).map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(gB.messagesNew(guest.conversationId).map((m) => m.seq)).toEqual(expected);

    sB.send('typing', { conversationId: guest.conversationId, active: true });
    expect((await gA.waitFor('typing')).data).toMatchObject({ who: { type: 'staff', id: admin.user.id }, active: true });
    // A reader whose cursor is behind (a sender's cursor already sits on its own last message).
    const reader = await open(b, (await createStaff(a.baseUrl, admin.accessToken)).accessToken);
    reader.send('conversation.read', { conversationId: guest.conversationId, seq: 40 });
    await gA.waitFor('conversation.read', (d) => d.seq === 40 && d.conversationId === conv);
  }, 20_000);

  it('counts staff presence and sockets per subject across instances, and closes ended sessions everywhere', async () => {
    const stay = await checkIn(a.baseUrl, admin.accessToken);
    const guest = await joinGuest(a.baseUrl, stay.joinCode);
    const gA = await open(a, guest.accessToken);
    // Staff sockets of the previous test may still be closing: start from nobody online.
    const latest = () => gA.ofEvent('presence').at(-1)?.staffOnline;
    await eventually(() => latest() === 0, 10_000, 'no staff online');
    const base = 0;
    const agent = await createStaff(a.baseUrl, admin.accessToken);
    const onB = await open(b, agent.accessToken);
    await gA.waitFor('presence', (d) => d.staffOnline === base + 1);
    onB.close();
    await gA.waitFor('presence', (d) => d.staffOnline === base);

    const many = await Promise.all([...Array.from({ length: 5 }, () => open(a, guest.accessToken)), ...Array.from({ length: 4 }, () => open(b, guest.accessToken))]);
    await expect(connect(b.wsUrl, guest.accessToken)).rejects.toEqual(new HandshakeRefused(429));
    expect(await handshakeStatus(a.wsUrl, ['bellhop.v1', `bearer.${guest.accessToken}`])).toBe(429);

    await checkOut(a.baseUrl, admin.accessToken, stay.stay.id);
    const codes = await Promise.all([gA, ...many].map((s) => s.closed));
    expect(new Set(codes.map((c) => c.code))).toEqual(new Set([4401]));
  });
});
