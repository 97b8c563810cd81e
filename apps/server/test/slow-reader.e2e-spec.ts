import { startTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { checkIn, joinGuest, loginStaff } from './support/http.js';
import { connect } from './support/ws.js';

/**
 * A reader that stops reading must not make the server buffer without bound: once its unsent
 * backlog passes 1 MiB it is cut off, and everyone else is served as before.
 */
describe('slow reader', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('is cut off once its backlog passes 1 MiB, and others keep being served', async () => {
    const admin = await loginStaff(t.baseUrl);
    const stay = await checkIn(t.baseUrl, admin.accessToken);
    const guest = await joinGuest(t.baseUrl, stay.joinCode);
    // 200 messages of 4000 characters: each conversation.sync answer is about 0.8 MB.
    await db.query(
      `INSERT INTO messages (conversation_id, seq, client_msg_id, sender_type, sender_id, sender_name, body)
       SELECT $1, g, gen_random_uuid(), 'guest', $2, 'Guest', repeat('x', 4000) FROM generate_series(1, 200) g`,
      [guest.conversationId, stay.stay.id],
    );
    await db.query('UPDATE conversations SET last_seq = 200 WHERE id = $1', [guest.conversationId]);

    const slow = await connect(t.wsUrl, admin.accessToken);
    const other = await connect(t.wsUrl, admin.accessToken);
    let received = 0;
    slow.ws.on('message', (data: Buffer) => (received += data.length));
    // Stop reading: the kernel buffers fill, then the server's own backlog grows.
    const raw = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    // 60 answers of ~0.8 MB (the general bucket's burst) would be ~48 MB if buffered.
    for (let i = 0; i < 60; i++) slow.send('conversation.sync', { conversationId: guest.conversationId, afterSeq: 0, limit: 200 });
    // The other connection of the same staff member is unaffected meanwhile.
    await other.ping();
    await new Promise((r) => setTimeout(r, 1500));
    raw.resume();
    const { code } = await slow.closed;
    expect([4408, 1006]).toContain(code);
    expect(received).toBeLessThan(24 * 1024 * 1024);

    await other.ping();
    const g = await connect(t.wsUrl, guest.accessToken);
    const id = g.sendMessage(guest.conversationId, 'still served');
    await g.waitFor('message.ack', (d) => d.clientMsgId === id);
    await other.waitFor('message.new', (d) => d.message.clientMsgId === id);
    g.close();
    other.close();
  });
});
