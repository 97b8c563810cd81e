import { type CreateStayResponse, type GuestAuthResponse, type Stay, type StayList, staySchema } from '@bellhop/protocol';
import pg from 'pg';
import { startTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { api, localDate } from './support/http.js';
import { StaysJobs } from '../src/modules/stays/stays.jobs.js';
import type { BusEvent } from '../src/common/event-bus.js';
import { listenToBus } from './support/bus.js';
import { jwtPayload } from './support/jwt.js';
import { eventually, sleep } from './support/ws.js';

describe('stays and guest join', () => {
  let db: TestDatabase;
  let t: TestApp;
  let h: ReturnType<typeof api>;
  let staff: string;
  let room = 0;
  let ip = 0;
  const newRoom = () => `R${++room}`;
  const fromNewAddress = () => ({ 'x-forwarded-for': `192.0.2.${++ip}` });
  const join = (body: unknown, headers: Record<string, string> = fromNewAddress()) =>
    h.request<GuestAuthResponse>('POST', '/api/guest/join', { body, headers });

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { TRUST_PROXY: '1' });
    h = api(t.baseUrl);
    staff = (await h.createStaff((await h.loginStaff()).accessToken)).accessToken;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  describe('check-in', () => {
    it('answers 201 with the stay, a join code ABCD-EFGH and its link; check-in defaults to today', async () => {
      const res = await h.request<CreateStayResponse>('POST', '/api/stays', {
        token: staff,
        body: { guestName: ' Ada ', familyName: 'Lovelace', roomNumber: '101', checkOut: localDate(2) },
      });
      expect(res.status).toBe(201);
      expect(res.body.stay).toEqual({
        id: expect.any(String),
        guestName: 'Ada',
        familyName: 'Lovelace',
        roomNumber: '101',
        checkIn: localDate(0),
        checkOut: localDate(2),
        status: 'active',
        conversationId: expect.any(String),
      });
      expect(res.body.joinCode).toMatch(/^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{4}$/);
      expect(res.body.joinUrl).toBe(`${t.baseUrl}/join/${res.body.joinCode}`);
      const { rows } = await db.query(`SELECT c.status, c.stay_id FROM conversations c WHERE c.id = $1`, [res.body.stay.conversationId]);
      expect(rows).toEqual([{ status: 'open', stay_id: res.body.stay.id }]);
    });

    it('accepts an explicit check-in, and a one-night stay', async () => {
      const r = newRoom();
      const stay = await h.checkIn(staff, { roomNumber: r, checkIn: localDate(-1), checkOut: localDate(-1) });
      expect(stay.stay).toMatchObject({ checkIn: localDate(-1), checkOut: localDate(-1) });
    });

    it('answers 409 when the room has an active stay, and frees it at check-out', async () => {
      const r = newRoom();
      const first = await h.checkIn(staff, { roomNumber: r });
      const again = await h.request('POST', '/api/stays', { token: staff, body: { guestName: 'B', familyName: 'C', roomNumber: r, checkOut: localDate(1) } });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      expect((await h.checkOut(staff, first.stay.id)).status).toBe(200);
      expect((await h.checkIn(staff, { roomNumber: r })).stay.roomNumber).toBe(r);
    });

    it('keeps at most one active stay per room under concurrent check-ins', async () => {
      const r = newRoom();
      const body = { guestName: 'A', familyName: 'B', roomNumber: r, checkOut: localDate(1) };
      const results = await Promise.all(Array.from({ length: 5 }, () => h.request('POST', '/api/stays', { token: staff, body })));
      expect(results.map((x) => x.status).sort()).toEqual([201, 409, 409, 409, 409]);
    });

    it('answers 400 when check-in is after check-out, given or defaulted', async () => {
      const given = await h.request<{ message: string[] }>('POST', '/api/stays', {
        token: staff,
        body: { guestName: 'A', familyName: 'B', roomNumber: newRoom(), checkIn: localDate(3), checkOut: localDate(2) },
      });
      expect(given.status).toBe(400);
      expect(given.body.message).toEqual([expect.stringMatching(/^checkIn: /)]);
      const defaulted = await h.request<{ message: string[] }>('POST', '/api/stays', {
        token: staff,
        body: { guestName: 'A', familyName: 'B', roomNumber: newRoom(), checkOut: localDate(-1) },
      });
      expect(defaulted.status).toBe(400);
      expect(defaulted.body.message).toEqual([expect.stringMatching(/^checkOut: /)]);
    });

    it('validates bodies strictly and stores nothing from a bad one', async () => {
      const before = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM stays`);
      const cases: unknown[] = [
        {},
        { guestName: 'A', familyName: 'B', roomNumber: '12345678901', checkOut: localDate(1) },
        { guestName: 'A', familyName: 'B', roomNumber: ' ', checkOut: localDate(1) },
        { guestName: 'A', familyName: 'B', roomNumber: '1', checkOut: '2026-13-01' },
        { guestName: 'A', familyName: 'B', roomNumber: '1', checkOut: localDate(1), vip: true },
        { guestName: 1, familyName: 'B', roomNumber: '1', checkOut: localDate(1) },
        [{ guestName: 'A' }],
      ];
      for (const body of cases) {
        const res = await h.request<{ statusCode: number; message: string[] }>('POST', '/api/stays', { token: staff, body });
        expect(res.status).toBe(400);
        expect(Array.isArray(res.body.message)).toBe(true);
      }
      const after = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM stays`);
      expect(after.rows[0].n).toBe(before.rows[0].n);
    });

    it('is for staff only', async () => {
      const { joinCode } = await h.checkIn(staff);
      const guest = await h.joinGuest(joinCode, fromNewAddress());
      const body = { guestName: 'A', familyName: 'B', roomNumber: newRoom(), checkOut: localDate(1) };
      expect((await h.request('POST', '/api/stays', { body })).status).toBe(401);
      expect((await h.request('POST', '/api/stays', { token: guest.accessToken, body })).status).toBe(403);
      expect((await h.request('GET', '/api/stays', { token: guest.accessToken })).status).toBe(403);
    });
  });

  describe('list', () => {
    it('lists active stays by default, newest check-in first, and checked-out ones on request', async () => {
      const older = await h.checkIn(staff, { roomNumber: newRoom(), checkIn: localDate(-5), checkOut: localDate(5) });
      const newer = await h.checkIn(staff, { roomNumber: newRoom(), checkIn: localDate(-2), checkOut: localDate(5) });
      const gone = await h.checkIn(staff, { roomNumber: newRoom() });
      await h.checkOut(staff, gone.stay.id);

      const active = await h.request<StayList>('GET', '/api/stays', { token: staff });
      expect(active.status).toBe(200);
      const ids = active.body.items.map((s) => s.id);
      expect(ids).toContain(older.stay.id);
      expect(ids.indexOf(newer.stay.id)).toBeLessThan(ids.indexOf(older.stay.id));
      expect(ids).not.toContain(gone.stay.id);
      expect(active.body.items.every((s) => s.status === 'active')).toBe(true);
      const checkIns = active.body.items.map((s) => s.checkIn);
      expect([...checkIns].sort().reverse()).toEqual(checkIns);

      const out = await h.request<StayList>('GET', '/api/stays?status=checked_out', { token: staff });
      expect(out.body.items.map((s) => s.id)).toContain(gone.stay.id);
      expect(out.body.items.every((s) => s.status === 'checked_out')).toBe(true);

      const bad = await h.request<{ message: string[] }>('GET', '/api/stays?status=gone', { token: staff });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toEqual([expect.stringMatching(/^status: /)]);
    });
  });

  describe('join card reprint', () => {
    it('lists each active stay with the join code and link it got at check-in', async () => {
      const first = await h.checkIn(staff, { roomNumber: newRoom() });
      const second = await h.checkIn(staff, { roomNumber: newRoom() });
      const res = await h.request<StayList>('GET', '/api/stays', { token: staff });
      expect(res.status).toBe(200);
      for (const created of [first, second]) {
        const item = res.body.items.find((s) => s.id === created.stay.id);
        expect(item).toEqual({ ...created.stay, joinCode: created.joinCode, joinUrl: created.joinUrl });
      }
      for (const item of res.body.items) {
        expect(item.joinCode).toMatch(/^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{4}$/);
        expect(item.joinUrl).toBe(`${t.baseUrl}/join/${item.joinCode}`);
      }
      // An older client reading items as Stay still gets exactly the Stay.
      expect(staySchema.parse(res.body.items.find((s) => s.id === first.stay.id))).toEqual(first.stay);
    });

    it('gives a code that still lets the guest in on another device', async () => {
      const created = await h.checkIn(staff, { roomNumber: newRoom() });
      await h.joinGuest(created.joinCode, fromNewAddress());
      const list = await h.request<StayList>('GET', '/api/stays', { token: staff });
      const item = list.body.items.find((s) => s.id === created.stay.id)!;
      const again = await join({ code: item.joinCode });
      expect(again.status).toBe(200);
      expect(again.body.guest.id).toBe(created.stay.id);
    });

    it('leaves the code and link out of checked-out stays', async () => {
      const created = await h.checkIn(staff, { roomNumber: newRoom() });
      await h.checkOut(staff, created.stay.id);
      const out = await h.request<StayList>('GET', '/api/stays?status=checked_out', { token: staff });
      expect(out.status).toBe(200);
      const item = out.body.items.find((s) => s.id === created.stay.id);
      expect(item).toEqual({ ...created.stay, status: 'checked_out' });
      for (const s of out.body.items) {
        expect(s).not.toHaveProperty('joinCode');
        expect(s).not.toHaveProperty('joinUrl');
      }
      const active = await h.request<StayList>('GET', '/api/stays', { token: staff });
      expect(active.body.items.map((s) => s.id)).not.toContain(created.stay.id);
      expect(JSON.stringify(active.body)).not.toContain(created.joinCode);
    });
  });

  describe('check-out', () => {
    it('answers 200 with the stay, resolves the conversation, then 409 the second time', async () => {
      const { stay } = await h.checkIn(staff);
      const res = await h.checkOut(staff, stay.id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...stay, status: 'checked_out' });
      const { rows } = await db.query(`SELECT status FROM conversations WHERE id = $1`, [stay.conversationId]);
      expect(rows[0].status).toBe('resolved');
      const again = await h.checkOut(staff, stay.id);
      expect(again.status).toBe(409);
    });

    it('answers 404 for an unknown stay and 400 for a malformed id', async () => {
      expect((await h.checkOut(staff, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
      const bad = await h.checkOut(staff, 'nope');
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ statusCode: 400, message: [expect.stringMatching(/^id: /)] });
    });

    it('ends every session of the stay: its guests get 401 and cannot refresh or join again', async () => {
      const { stay, joinCode } = await h.checkIn(staff, { familyName: 'Curie' });
      const phone = await h.joinGuest(joinCode, fromNewAddress());
      const tablet = await h.joinGuest({ roomNumber: stay.roomNumber, familyName: 'curie' }, fromNewAddress());
      // A guest token on a staff route is 403 while the stay is active...
      expect((await h.request('GET', '/api/stays', { token: phone.accessToken })).status).toBe(403);
      expect((await h.checkOut(staff, stay.id)).status).toBe(200);
      for (const g of [phone, tablet]) {
        // ...and 401 once it is checked out.
        expect((await h.request('GET', '/api/stays', { token: g.accessToken })).status).toBe(401);
        expect((await h.refresh(g.cookie)).status).toBe(401);
      }
      expect((await join({ code: joinCode })).status).toBe(401);
      const { rows } = await db.query(`SELECT end_reason FROM sessions WHERE subject_id = $1`, [stay.id]);
      expect(rows).toEqual([{ end_reason: 'checked_out' }, { end_reason: 'checked_out' }]);
    });
  });

  describe('join', () => {
    let stay: Stay;
    let code: string;
    beforeAll(async () => {
      const created = await h.checkIn(staff, { guestName: 'Zoë', familyName: '  Müller-Lüdenscheidt ', roomNumber: '12a' });
      stay = created.stay;
      code = created.joinCode;
    });

    it.each([
      ['as shown', (c: string) => c],
      ['in lower case', (c: string) => c.toLowerCase()],
      ['without the dash', (c: string) => c.replace('-', '')],
      ['lower case without the dash, with spaces', (c: string) => ` ${c.replace('-', '').toLowerCase()} `],
    ])('accepts the code %s', async (_name, form) => {
      const res = await join({ code: form(code) });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        accessToken: expect.any(String),
        expiresAt: expect.any(String),
        guest: { id: stay.id, name: 'Zoë', roomNumber: '12a' },
        conversationId: stay.conversationId,
      });
      expect(res.headers.getSetCookie().some((c) => c.startsWith('bellhop_refresh='))).toBe(true);
    });

    it.each([
      ['the exact name', '12a', 'Müller-Lüdenscheidt'],
      ['another case and no accents', '12A', 'MULLER-LUDENSCHEIDT'],
      ['surrounding spaces', ' 12a ', '  muller-ludenscheidt  '],
      ['decomposed accents', '12a', 'Mu\u0308ller-Lu\u0308denscheidt'],
    ])('accepts room + family name with %s', async (_name, roomNumber, familyName) => {
      const res = await join({ roomNumber, familyName });
      expect(res.status).toBe(200);
      expect(res.body.guest.id).toBe(stay.id);
    });

    it('gives every device its own session, all valid at once', async () => {
      const a = await h.joinGuest(code, fromNewAddress());
      const b = await h.joinGuest(code, fromNewAddress());
      expect(a.accessToken).not.toBe(b.accessToken);
      expect((await h.refresh(a.cookie)).status).toBe(200);
      expect((await h.refresh(b.cookie)).status).toBe(200);
    });

    it('answers 401 for a wrong code, a wrong name or another room', async () => {
      for (const body of [{ code: 'ZZZZ-ZZZZ' }, { code: 'not a code' }, { roomNumber: '12a', familyName: 'Miller' }, { roomNumber: '13a', familyName: 'Müller-Lüdenscheidt' }]) {
        const res = await join(body);
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      }
    });

    it('answers 400 for a bad body', async () => {
      for (const body of [{}, { code: '' }, { code: 'ABCD-EFGH', roomNumber: '1' }, { roomNumber: '1' }, { code: 12345678 }]) {
        expect((await join(body)).status).toBe(400);
      }
    });

    it('locks joins from an address after 10 failures in 15 minutes, even with a right code', async () => {
      const address = { 'x-forwarded-for': '198.51.100.99' };
      for (let i = 0; i < 10; i++) expect((await join({ code: 'ZZZZ-ZZZ2' }, address)).status).toBe(401);
      const locked = await join({ code }, address);
      expect(locked.status).toBe(429);
      const retryAfter = Number(locked.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(14 * 60);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      // Bad bodies during the lock are still 400 and do not count; other addresses are unaffected.
      expect((await join({}, address)).status).toBe(400);
      expect((await join({ code })).status).toBe(200);
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM auth_failures WHERE kind = 'join_address' AND key = '198.51.100.99'`);
      expect(rows[0].n).toBe(10);
    });
  });

  describe('events', () => {
    it('announces a new conversation, and at check-out its change and the end of its sessions', async () => {
      const bus = await listenToBus(db.url);
      try {
        const { stay, joinCode } = await h.checkIn(staff);
        await bus.waitFor((e): e is BusEvent => e.type === 'conversation.changed' && e.conversationId === stay.conversationId);
        const a = await h.joinGuest(joinCode, fromNewAddress());
        const b = await h.joinGuest(joinCode, fromNewAddress());
        bus.events.length = 0;
        await h.checkOut(staff, stay.id);
        const ended = await bus.waitFor((e): e is Extract<BusEvent, { type: 'sessions.ended' }> => e.type === 'sessions.ended');
        expect([...ended.sessionIds].sort()).toEqual([jwtPayload(a.accessToken).sid, jwtPayload(b.accessToken).sid].sort());
        await bus.waitFor((e): e is BusEvent => e.type === 'conversation.changed' && e.conversationId === stay.conversationId);
        // A refused second check-out announces nothing.
        bus.events.length = 0;
        expect((await h.checkOut(staff, stay.id)).status).toBe(409);
        await new Promise((r) => setTimeout(r, 200));
        expect(bus.events).toEqual([]);
      } finally {
        await bus.close();
      }
    });
  });

  describe('jobs', () => {
    it('checks out a stay still active 24 h after its check-out date, and no other', async () => {
      const overdue = await h.checkIn(staff, { checkIn: localDate(-4), checkOut: localDate(-2) });
      const lastNight = await h.checkIn(staff, { checkIn: localDate(-4), checkOut: localDate(-1) });
      const today = await h.checkIn(staff, { checkIn: localDate(-1), checkOut: localDate(0) });
      const guest = await h.joinGuest(overdue.joinCode, fromNewAddress());

      const count = await t.app.get(StaysJobs).runAutoCheckout();
      expect(count).toBe(1);

      const out = await h.request<StayList>('GET', '/api/stays?status=checked_out', { token: staff });
      expect(out.body.items.map((s) => s.id)).toContain(overdue.stay.id);
      const active = await h.request<StayList>('GET', '/api/stays', { token: staff });
      expect(active.body.items.map((s) => s.id)).toEqual(expect.arrayContaining([lastNight.stay.id, today.stay.id]));
      expect((await h.refresh(guest.cookie)).status).toBe(401);
      const { rows } = await db.query(`SELECT status FROM conversations WHERE id = $1`, [overdue.stay.conversationId]);
      expect(rows[0].status).toBe('resolved');
      // Nothing left to do the second time.
      expect(await t.app.get(StaysJobs).runAutoCheckout()).toBe(0);
    });

    it('run at start-up too: a server started later checks out what became overdue meanwhile', async () => {
      const overdue = await h.checkIn(staff, { checkIn: localDate(-4), checkOut: localDate(-2) });
      const later = await startTestApp(db.url);
      try {
        const status = async () => (await db.query<{ status: string }>('SELECT status FROM stays WHERE id = $1', [overdue.stay.id])).rows[0].status;
        await eventually(async () => (await status()) === 'checked_out', 5_000, 'the overdue stay checked out');
      } finally {
        await later.close();
      }
    });

    it('deletes conversations with their stays, messages and sessions after the retention period', async () => {
      const old = await h.checkIn(staff);
      const recent = await h.checkIn(staff);
      const active = await h.checkIn(staff);
      await h.joinGuest(old.joinCode, fromNewAddress());
      for (const s of [old, recent]) await h.checkOut(staff, s.stay.id);
      for (const [i, s] of [old, recent, active].entries()) {
        await db.query(
          `INSERT INTO messages (conversation_id, seq, client_msg_id, sender_type, sender_name, body)
           VALUES ($1, 1, gen_random_uuid(), 'guest', 'Ada', $2), ($1, 2, gen_random_uuid(), 'guest', 'Ada', $2)`,
          [s.stay.conversationId, `hello ${i}`],
        );
      }
      // Checked out 90 days and a minute ago (RETENTION_DAYS defaults to 90), and 89 days ago.
      await db.query(`UPDATE stays SET checked_out_at = now() - interval '90 days 1 minute' WHERE id = $1`, [old.stay.id]);
      await db.query(`UPDATE stays SET checked_out_at = now() - interval '89 days' WHERE id = $1`, [recent.stay.id]);

      const deleted = await t.app.get(StaysJobs).runRetention();
      expect(deleted).toEqual({ stays: 1, conversations: 1, messages: 2 });

      const left = await db.query<{ id: string }>(`SELECT id FROM stays WHERE id = ANY($1::uuid[])`, [[old.stay.id, recent.stay.id, active.stay.id]]);
      expect(left.rows.map((r) => r.id).sort()).toEqual([recent.stay.id, active.stay.id].sort());
      for (const [table, column] of [['conversations', 'id'], ['messages', 'conversation_id']]) {
        const { rows } = await db.query(`SELECT 1 FROM ${table} WHERE ${column} = $1`, [old.stay.conversationId]);
        expect(rows).toHaveLength(0);
      }
      const sessions = await db.query(`SELECT 1 FROM sessions WHERE subject_id = $1`, [old.stay.id]);
      expect(sessions.rows).toHaveLength(0);
      const kept = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE conversation_id = ANY($1::uuid[])`, [
        [recent.stay.conversationId, active.stay.conversationId],
      ]);
      expect(kept.rows[0].n).toBe(4);
    });

    it('honours RETENTION_DAYS', async () => {
      const short = await startTestApp(db.url, { RETENTION_DAYS: '1' });
      try {
        const s = await h.checkIn(staff);
        await h.checkOut(staff, s.stay.id);
        await db.query(`UPDATE stays SET checked_out_at = now() - interval '25 hours' WHERE id = $1`, [s.stay.id]);
        const deleted = await short.app.get(StaysJobs).runRetention();
        expect(deleted.stays).toBeGreaterThanOrEqual(1);
        expect((await db.query(`SELECT 1 FROM stays WHERE id = $1`, [s.stay.id])).rows).toHaveLength(0);
      } finally {
        await short.close();
      }
    });

    it('is not cut short by the statement timeout nor the wait for an answer: it waits for a lock as long as it takes', async () => {
      const short = await startTestApp(db.url, { RETENTION_DAYS: '1', DATABASE_STATEMENT_TIMEOUT_MS: '100' });
      const blocker = new pg.Client({ connectionString: db.url });
      await blocker.connect();
      try {
        const s = await h.checkIn(staff);
        await h.checkOut(staff, s.stay.id);
        await db.query(`UPDATE stays SET checked_out_at = now() - interval '25 hours' WHERE id = $1`, [s.stay.id]);
        // Another session holds the stay's conversation for longer than any statement may run
        // (0.1 s) and than an answer is waited for (2.1 s).
        await blocker.query('BEGIN');
        await blocker.query('SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE', [s.stay.conversationId]);
        const released = sleep(2600).then(() => blocker.query('ROLLBACK'));
        const deleted = await short.app.get(StaysJobs).runRetention();
        await released;
        expect(deleted.stays).toBeGreaterThanOrEqual(1);
        expect((await db.query(`SELECT 1 FROM stays WHERE id = $1`, [s.stay.id])).rows).toHaveLength(0);
      } finally {
        await blocker.end();
        await short.close();
      }
    });
  });
});
