import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { checkIn, checkOut, createStaff, joinGuest, loginStaff, request, type GuestLogin, type StaffLogin } from './support/http.js';
import { forgeJwt, jwtPayload } from './support/jwt.js';
import { connect, eventually, handshakeStatus, HandshakeRefused, type TestSocket } from './support/ws.js';

const JWT_SECRET = 'e2e-secret-that-is-long-enough-0123456789abcdef';

/** A full garbage collection: node's own when started with --expose-gc, else one exposed now. */
const collectGarbage: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  })();

describe('WebSocket handshake, bad input, limits and isolation', () => {
  let db: TestDatabase;
  let t: TestApp;
  let admin: StaffLogin;
  let agent: StaffLogin;
  let guestA: GuestLogin;
  let guestB: GuestLogin;
  /** Long-lived sockets of an unrelated guest, taking turns: one socket's send bucket (burst 20) would run dry over this file's checks. */
  let bystanders: TestSocket[] = [];
  let checks = 0;
  const sockets: TestSocket[] = [];
  const open = async (token: string) => {
    const s = await connect(t.wsUrl, token);
    sockets.push(s);
    return s;
  };
  const newGuest = async () => joinGuest(t.baseUrl, (await checkIn(t.baseUrl, admin.accessToken)).joinCode);
  const stored = async (conversationId: string) =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [conversationId])).rows[0].n;

  /** The server keeps serving everyone else: an unrelated client still gets answers and acks. */
  const stillServing = async () => {
    const bystander = bystanders[checks++ % bystanders.length];
    await bystander.ping();
    const id = bystander.sendMessage(bystanderConversation, 'still here');
    await bystander.waitFor('message.ack', (d) => d.clientMsgId === id);
  };
  let bystanderConversation: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url);
    admin = await loginStaff(t.baseUrl);
    agent = await createStaff(t.baseUrl, admin.accessToken);
    guestA = await newGuest();
    guestB = await newGuest();
    const c = await newGuest();
    bystanderConversation = c.conversationId;
    bystanders = await Promise.all(Array.from({ length: 4 }, () => connect(t.wsUrl, c.accessToken)));
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await stillServing();
  });
  afterAll(async () => {
    for (const b of bystanders) b.close();
    await t?.close();
    await db?.drop();
  });

  describe('handshake', () => {
    it('refuses a client that does not offer bellhop.v1 with 400, before looking at anything else', async () => {
      expect(await handshakeStatus(t.wsUrl, [`bearer.${agent.accessToken}`])).toBe(400);
      expect(await handshakeStatus(t.wsUrl, [], { origin: 'https://evil.example' })).toBe(400);
    });

    it('refuses a foreign Origin with 403 and accepts the app origin or none', async () => {
      const protocols = ['bellhop.v1', `bearer.${agent.accessToken}`];
      expect(await handshakeStatus(t.wsUrl, protocols, { origin: 'https://evil.example' })).toBe(403);
      expect(await handshakeStatus(t.wsUrl, ['bellhop.v1', 'bearer.nope'], { origin: 'https://evil.example' })).toBe(403);
      expect(await handshakeStatus(t.wsUrl, protocols, { origin: t.baseUrl })).toBe(101);
      expect(await handshakeStatus(t.wsUrl, protocols)).toBe(101);
    });

    it('refuses a missing, forged, foreign-signed or ended-session token with 401', async () => {
      const claims = jwtPayload(agent.accessToken);
      expect(await handshakeStatus(t.wsUrl, ['bellhop.v1'])).toBe(401);
      expect(await handshakeStatus(t.wsUrl, ['bellhop.v1', 'bearer.not-a-jwt'])).toBe(401);
      expect(await handshakeStatus(t.wsUrl, ['bellhop.v1', `bearer.${forgeJwt(claims, { secret: 'another-secret' })}`])).toBe(401);
      expect(await handshakeStatus(t.wsUrl, ['bellhop.v1', `bearer.${forgeJwt(claims, { alg: 'none' })}`])).toBe(401);
      const gone = await createStaff(t.baseUrl, admin.accessToken);
      await request('POST', `${t.baseUrl}/api/auth/logout`, { token: gone.accessToken, cookie: gone.cookie });
      expect(await handshakeStatus(t.wsUrl, ['bellhop.v1', `bearer.${gone.accessToken}`])).toBe(401);
    });

    it('refuses a checked-out guest and a disabled staff member with 401, and registers no socket for them', async () => {
      const stay = await checkIn(t.baseUrl, admin.accessToken);
      const g = await joinGuest(t.baseUrl, stay.joinCode);
      const off = await createStaff(t.baseUrl, admin.accessToken);
      expect(await handshakeStatus(t.wsUrl, ['bellhop.v1', `bearer.${g.accessToken}`])).toBe(101);
      expect((await checkOut(t.baseUrl, admin.accessToken, stay.stay.id)).status).toBe(200);
      expect((await request('PATCH', `${t.baseUrl}/api/staff/${off.user.id}`, { token: admin.accessToken, body: { disabled: true } })).status).toBe(200);
      expect(await handshakeStatus(t.wsUrl, ['bellhop.v1', `bearer.${g.accessToken}`])).toBe(401);
      expect(await handshakeStatus(t.wsUrl, ['bellhop.v1', `bearer.${off.accessToken}`])).toBe(401);
      await eventually(
        async () => (await db.query('SELECT count(*)::int AS n FROM realtime_sockets WHERE subject_id = ANY($1::uuid[])', [[g.guest.id, off.user.id]])).rows[0].n === 0,
        5_000,
        'no socket rows',
      );
    });

    it('selects exactly bellhop.v1 whatever else is offered', async () => {
      const s = await connect(t.wsUrl, agent.accessToken, { protocols: ['x.other', 'bellhop.v1', `bearer.${agent.accessToken}`] });
      sockets.push(s);
      expect(s.protocol).toBe('bellhop.v1');
    });

    it('refuses an 11th socket of one subject with 429, and admits one again after a close', async () => {
      const g = await newGuest();
      const ten = await Promise.all(Array.from({ length: 10 }, () => open(g.accessToken)));
      await expect(connect(t.wsUrl, g.accessToken)).rejects.toEqual(new HandshakeRefused(429));
      // Another subject is not affected.
      await open(agent.accessToken);
      ten[0].close();
      await ten[0].closed;
      await eventually(async () => (await handshakeStatus(t.wsUrl, ['bellhop.v1', `bearer.${g.accessToken}`])) === 101, 5_000, 'a free slot');
    });

    it('admits exactly 10 sockets of one subject from a burst that shares round trips, and forgets them all on close', async () => {
      const g = await newGuest();
      const others = await Promise.all(Array.from({ length: 3 }, () => newGuest()));
      // Handshakes arriving together are registered in shared batches: the cap must hold inside a batch too.
      const burst = await Promise.allSettled([
        ...Array.from({ length: 25 }, () => connect(t.wsUrl, g.accessToken)),
        ...others.map((o) => connect(t.wsUrl, o.accessToken)),
      ]);
      const opened = burst.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      sockets.push(...opened);
      const refused = burst.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      expect(opened).toHaveLength(13);
      expect(refused).toHaveLength(15);
      expect(refused.every((e) => e instanceof HandshakeRefused && e.status === 429)).toBe(true);
      const ready = await Promise.all(opened.map((s) => s.waitFor('session.ready')));
      expect(ready.filter((f) => f.data.conversations[0]?.id === g.conversationId)).toHaveLength(10);
      const rows = async () =>
        (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM realtime_sockets WHERE subject_id = ANY($1::uuid[])', [[g.guest.id, ...others.map((o) => o.guest.id)]]))
          .rows[0].n;
      expect(await rows()).toBe(13);
      for (const s of opened) s.close();
      await Promise.all(opened.map((s) => s.closed));
      await eventually(async () => (await rows()) === 0, 5_000, 'every socket row deleted');
    });

    it('does not keep the upgrade request (its headers carry the token) for as long as the socket is open', async () => {
      const g = await newGuest();
      const server = t.app.getHttpServer() as Server;
      const requests: WeakRef<IncomingMessage>[] = [];
      const grab = (req: IncomingMessage) => requests.push(new WeakRef(req));
      server.prependListener('upgrade', grab);
      const s = await open(g.accessToken);
      server.off('upgrade', grab);
      await s.waitFor('session.ready');
      expect(requests).toHaveLength(1);
      // The framework remembers the latest connection's arguments: one more socket moves it on.
      await (await open(g.accessToken)).waitFor('session.ready');
      await eventually(async () => {
        collectGarbage();
        await new Promise((r) => setImmediate(r));
        return requests[0].deref() === undefined;
      }, 5_000, 'the upgrade request collected');
      await s.ping();
    });
  });

  describe('malformed frames get error frames, never a close, and store nothing', () => {
    let s: TestSocket;
    beforeEach(async () => {
      s = await open(guestA.accessToken);
    });
    const nextError = () => s.next('error');

    it('non-JSON text', async () => {
      const e = nextError();
      s.raw('this is not json');
      expect((await e).data).toEqual({ code: 'bad_request', message: expect.any(String) });
      s.raw('{"event":"ping","data":{"t":1}');
      expect((await s.next('error')).data.code).toBe('bad_request');
      await s.ping();
    });

    it('JSON that is not an {event, data} object', async () => {
      for (const bad of ['[]', '42', 'null', '"ping"', '{"data":{}}', '{"event":"ping","data":{"t":1},"extra":1}']) {
        const e = nextError();
        s.raw(bad);
        expect((await e).data.code).toBe('bad_request');
      }
      await s.ping();
    });

    it('binary frames', async () => {
      const e = nextError();
      s.raw(Buffer.from(JSON.stringify({ event: 'ping', data: { t: 1 } })), true);
      expect((await e).data.code).toBe('bad_request');
    });

    it('unknown events and server event names', async () => {
      for (const event of ['nope', 'message.ack', 'message.new', 'session.ready', 'error', 'pong']) {
        const e = nextError();
        s.raw(JSON.stringify({ event, data: {} }));
        expect((await e).data).toEqual({ code: 'unknown_event', message: expect.any(String), ref: event });
      }
    });

    it('missing, extra or out-of-bounds fields (shape errors win over access errors)', async () => {
      const cmid = randomUUID();
      const cases: unknown[] = [
        { event: 'message.send', data: { conversationId: guestA.conversationId, clientMsgId: cmid, body: 'hi', extra: true } },
        { event: 'message.send', data: { conversationId: guestA.conversationId, body: 'hi' } },
        { event: 'message.send', data: { conversationId: 'not-a-uuid', clientMsgId: cmid, body: 'hi' } },
        { event: 'conversation.sync', data: { conversationId: guestB.conversationId, afterSeq: -1 } },
        { event: 'conversation.sync', data: { conversationId: guestA.conversationId, afterSeq: 0, limit: 201 } },
        { event: 'conversation.read', data: { conversationId: guestA.conversationId, seq: 1.5 } },
        { event: 'typing', data: { conversationId: guestA.conversationId } },
        { event: 'inbox.sync', data: { x: 1 } },
        { event: 'ping', data: {} },
        { event: 'ping' },
      ];
      for (const frame of cases) {
        const e = nextError();
        s.raw(JSON.stringify(frame));
        expect((await e).data.code).toBe('bad_request');
      }
      expect(s.errors()[0].ref).toBe(cmid);
      expect(await stored(guestA.conversationId)).toBe(0);
    });

    it('bodies over 4000 code points, empty or only whitespace', async () => {
      for (const body of ['😀'.repeat(4001), '', '   \n\t ', 'a'.repeat(4001)]) {
        const cmid = randomUUID();
        const e = nextError();
        s.sendMessage(guestA.conversationId, body, cmid);
        expect((await e).data).toMatchObject({ code: 'bad_request', ref: cmid });
      }
      expect(await stored(guestA.conversationId)).toBe(0);
      // The limit counts code points, not UTF-16 units, and applies after trimming.
      const ok = s.sendMessage(guestA.conversationId, ` ${'😀'.repeat(4000)} `);
      expect((await s.waitFor('message.ack', (d) => d.clientMsgId === ok)).data.message.body).toBe('😀'.repeat(4000));
      await db.query('DELETE FROM messages WHERE conversation_id = $1', [guestA.conversationId]);
      await db.query('UPDATE conversations SET last_seq = 0, last_message_id = NULL WHERE id = $1', [guestA.conversationId]);
    });

    it('control characters anywhere, even at an end', async () => {
      for (const body of ['hello\u0007', '\u0000hello', 'hel\u001blo', 'hello\r', 'hello\r\nworld', 'x\u007f', 'x\u0085y']) {
        const cmid = randomUUID();
        const e = nextError();
        s.sendMessage(guestA.conversationId, body, cmid);
        expect((await e).data).toMatchObject({ code: 'bad_request', ref: cmid });
      }
      expect(await stored(guestA.conversationId)).toBe(0);
    });
  });

  describe('close codes', () => {
    it('closes a frame over 64 KiB with 1009', async () => {
      const s = await open(guestA.accessToken);
      s.raw(JSON.stringify({ event: 'ping', data: { t: 1, pad: 'x'.repeat(70 * 1024) } }));
      expect((await s.closed).code).toBe(1009);
    });

    it('closes invalid UTF-8 with 1007', async () => {
      const s = await open(guestA.accessToken);
      s.raw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
      expect((await s.closed).code).toBe(1007);
    });

    it('answers a send flood past the bucket with rate_limited, stores nothing of it, then closes 4429', async () => {
      const g = await newGuest();
      const s = await open(g.accessToken);
      const ids: string[] = [];
      for (let i = 0; i < 60; i++) ids.push(s.sendMessage(g.conversationId, `flood ${i}`));
      // Invalid sends take a token too.
      s.raw(JSON.stringify({ event: 'message.send', data: { nope: 1 } }));
      expect((await s.closed).code).toBe(4429);
      const limited = s.errors().filter((e) => e.code === 'rate_limited');
      expect(limited.length).toBeGreaterThanOrEqual(20);
      const acked = new Set(s.ofEvent('message.ack').map((a) => a.clientMsgId));
      expect(acked.size).toBeGreaterThanOrEqual(20);
      for (const e of limited) expect(acked.has(e.ref!)).toBe(false);
      const { rows } = await db.query<{ client_msg_id: string }>('SELECT client_msg_id FROM messages WHERE conversation_id = $1', [g.conversationId]);
      for (const r of rows) expect(limited.some((e) => e.ref === r.client_msg_id)).toBe(false);
      // Another connection of the same guest is not limited by it.
      const fresh = await open(g.accessToken);
      await fresh.ping();
    });

    it('limits other events to their own bucket (a burst of 60)', async () => {
      const s = await open(guestA.accessToken);
      for (let i = 0; i < 70; i++) s.send('ping', { t: i });
      await s.waitFor('error', (d) => d.code === 'rate_limited' && d.ref === 'ping');
      expect(s.ofEvent('pong').length).toBeGreaterThanOrEqual(60);
      // The send bucket is untouched.
      const id = s.sendMessage(guestA.conversationId, 'still allowed');
      await s.waitFor('message.ack', (d) => d.clientMsgId === id);
      await db.query('DELETE FROM messages WHERE conversation_id = $1', [guestA.conversationId]);
      await db.query('UPDATE conversations SET last_seq = 0, last_message_id = NULL WHERE id = $1', [guestA.conversationId]);
    });

    it('closes with 4401 when the session ends by logout', async () => {
      const staff = await createStaff(t.baseUrl, admin.accessToken);
      const s = await open(staff.accessToken);
      await request('POST', `${t.baseUrl}/api/auth/logout`, { token: staff.accessToken, cookie: staff.cookie });
      expect((await s.closed).code).toBe(4401);
    });

    it('closes a guest with 4401 at check-out', async () => {
      const stay = await checkIn(t.baseUrl, admin.accessToken);
      const g = await joinGuest(t.baseUrl, stay.joinCode);
      const s = await open(g.accessToken);
      await checkOut(t.baseUrl, agent.accessToken, stay.stay.id);
      expect((await s.closed).code).toBe(4401);
      expect(await handshakeStatus(t.wsUrl, ['bellhop.v1', `bearer.${g.accessToken}`])).toBe(401);
    });

    it('closes with 4401 once the token has expired (exp + leeway)', async () => {
      const claims = jwtPayload(agent.accessToken);
      const now = Math.floor(Date.now() / 1000);
      // Expired 28 s ago: still inside the 30 s leeway for the handshake, out of it 2 s later.
      const token = forgeJwt({ ...claims, iat: now - 100, exp: now - 28 }, { secret: JWT_SECRET });
      const s = await open(token);
      expect((await s.closed).code).toBe(4401);
    });
  });

  describe("a guest never reaches another stay's conversation", () => {
    const stranger = () => randomUUID();

    it('over HTTP: every route answers exactly as for an id that does not exist', async () => {
      const routes = (id: string) => [
        ['GET', `/api/conversations/${id}/messages`],
        ['GET', `/api/conversations/${id}/transcript`],
        ['GET', `/api/conversations/${id}/transcript?format=json`],
        ['PATCH', `/api/conversations/${id}`],
        ['GET', '/api/conversations'],
        ['GET', '/api/search?q=hello'],
      ];
      const theirs = routes(guestB.conversationId);
      const nobody = routes(stranger());
      for (let i = 0; i < theirs.length; i++) {
        const [method, path] = theirs[i];
        const a = await request(method, `${t.baseUrl}${path}`, { token: guestA.accessToken, body: method === 'PATCH' ? { status: 'resolved' } : undefined });
        const b = await request(nobody[i][0], `${t.baseUrl}${nobody[i][1]}`, { token: guestA.accessToken, body: method === 'PATCH' ? { status: 'resolved' } : undefined });
        expect([path, a.status, a.body]).toEqual([path, b.status, b.body]);
        expect([403, 404]).toContain(a.status);
      }
      // Their own conversation works.
      expect((await request('GET', `${t.baseUrl}/api/conversations/${guestA.conversationId}/messages`, { token: guestA.accessToken })).status).toBe(200);
    });

    it('over WebSocket: every event answers exactly as for an id that does not exist', async () => {
      const s = await open(guestA.accessToken);
      const staffSide = await open(agent.accessToken);
      const ask = async (conversationId: string) => {
        const out = [];
        for (const frame of [
          { event: 'message.send', data: { conversationId, clientMsgId: randomUUID(), body: 'let me in' } },
          { event: 'conversation.sync', data: { conversationId, afterSeq: 0 } },
          { event: 'conversation.read', data: { conversationId, seq: 1 } },
          { event: 'typing', data: { conversationId, active: false } },
        ]) {
          const e = s.next('error');
          s.raw(JSON.stringify(frame));
          const { code, message } = (await e).data;
          out.push([frame.event, code, message]);
        }
        return out;
      };
      const theirs = await ask(guestB.conversationId);
      expect(theirs).toEqual(await ask(stranger()));
      expect(theirs.map((x) => x[1])).toEqual(['not_found', 'not_found', 'not_found', 'not_found']);
      expect(await stored(guestB.conversationId)).toBe(0);
      await staffSide.ping();
      expect(staffSide.ofEvent('typing')).toEqual([]);
      expect(staffSide.ofEvent('conversation.read')).toEqual([]);
    });

    it('answers not_found for typing into another conversation even within the typing throttle', async () => {
      const s = await open(guestA.accessToken);
      s.send('typing', { conversationId: guestA.conversationId, active: true });
      await s.ping();
      expect(s.ofEvent('error')).toEqual([]);
      const e = s.next('error');
      s.send('typing', { conversationId: guestB.conversationId, active: true });
      expect((await e).data).toMatchObject({ code: 'not_found' });
    });

    it('refuses a staff-only event from a guest with forbidden', async () => {
      const s = await open(guestA.accessToken);
      s.send('inbox.sync', {});
      expect((await s.waitFor('error')).data).toMatchObject({ code: 'forbidden', ref: 'inbox.sync' });
    });
  });
});

describe('heartbeat', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { HEARTBEAT_MS: '1000' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('drops a socket that stops answering pings and keeps one that answers', async () => {
    const admin = await loginStaff(t.baseUrl);
    const alive = await connect(t.wsUrl, admin.accessToken);
    const dead = await connect(t.wsUrl, admin.accessToken, { autoPong: false });
    expect(dead.frames[0].data).toMatchObject({ heartbeatMs: 1000 });
    const { code, reason } = await dead.closed;
    expect([code, reason]).toEqual([4408, 'heartbeat missed']);
    await alive.ping();
    expect(alive.closeCode).toBeUndefined();
    alive.close();
  });
});
