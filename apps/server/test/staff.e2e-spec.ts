import type { StaffDirectory, StaffList, StaffUser } from '@bellhop/protocol';
import { ADMIN, startServerProcess, startTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import type { BusEvent } from '../src/common/event-bus.js';
import { listenToBus } from './support/bus.js';
import { api, request } from './support/http.js';
import { jwtPayload } from './support/jwt.js';

describe('staff accounts', () => {
  let db: TestDatabase;
  let t: TestApp;
  let h: ReturnType<typeof api>;
  let adminToken: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url);
    h = api(t.baseUrl);
    adminToken = (await h.loginStaff()).accessToken;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('creates the first admin from ADMIN_USERNAME/ADMIN_PASSWORD, once', async () => {
    const list = await h.request<StaffList>('GET', '/api/staff', { token: adminToken });
    expect(list.status).toBe(200);
    expect(list.body.items.filter((u) => u.role === 'admin')).toEqual([
      expect.objectContaining({ username: ADMIN.username, role: 'admin', disabled: false }),
    ]);
    // A second instance on the same database adds nobody.
    const second = await startTestApp(db.url, { ADMIN_USERNAME: 'other-admin', ADMIN_PASSWORD: 'other-password-1' });
    await second.close();
    const { rows } = await db.query(`SELECT username FROM staff_users WHERE role = 'admin'`);
    expect(rows).toEqual([{ username: ADMIN.username }]);
  });

  it('stores argon2id hashes with m ≥ 19 MiB, t = 2, p = 1', async () => {
    const { rows } = await db.query<{ password_hash: string }>(`SELECT password_hash FROM staff_users WHERE username = $1`, [ADMIN.username]);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=(\d+),t=2,p=1\$/);
    expect(Number(/m=(\d+)/.exec(rows[0].password_hash)![1])).toBeGreaterThanOrEqual(19456);
  });

  it('creates a member (201) who can log in, and lists everyone', async () => {
    const res = await h.request<StaffUser>('POST', '/api/staff', {
      token: adminToken,
      body: { username: 'Front.Desk', displayName: 'Front Desk', role: 'agent', password: 'front-desk-pw' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      username: 'Front.Desk',
      displayName: 'Front Desk',
      role: 'agent',
      disabled: false,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect((await h.loginStaff('front.desk', 'front-desk-pw')).user.id).toBe(res.body.id);
    const list = await h.request<StaffList>('GET', '/api/staff', { token: adminToken });
    expect(list.body.items.map((u) => u.username)).toContain('Front.Desk');
    expect(JSON.stringify(list.body)).not.toMatch(/password/i);
  });

  it('answers 409 for a taken username, in any case', async () => {
    await h.createStaff(adminToken, { username: 'taken.name' });
    const res = await h.request('POST', '/api/staff', {
      token: adminToken,
      body: { username: 'TAKEN.name', displayName: 'Someone', role: 'agent', password: 'some-password' },
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
  });

  it('validates bodies strictly', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ username: 'ab', displayName: 'X', role: 'agent', password: 'long-enough' }, /^username: /],
      [{ username: 'valid.name', displayName: 'X', role: 'boss', password: 'long-enough' }, /^role: /],
      [{ username: 'valid.name', displayName: 'X', role: 'agent', password: 'short' }, /^password: /],
      [{ username: 'valid.name', displayName: 'X', role: 'agent', password: 'long-enough', extra: 1 }, /extra|unrecognized/i],
    ];
    for (const [body, message] of cases) {
      const res = await h.request<{ message: string[] }>('POST', '/api/staff', { token: adminToken, body });
      expect(res.status).toBe(400);
      expect(res.body.message).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    }
  });

  it('is for admins only', async () => {
    const agent = await h.createStaff(adminToken);
    expect((await h.request('GET', '/api/staff', { token: agent.accessToken })).status).toBe(403);
    expect((await h.request('POST', '/api/staff', { token: agent.accessToken, body: {} })).status).toBe(403);
    expect((await h.request('PATCH', `/api/staff/${agent.user.id}`, { token: agent.accessToken, body: { role: 'admin' } })).status).toBe(403);
    expect((await h.request('GET', '/api/staff')).status).toBe(401);
  });

  it('updates display name and role', async () => {
    const agent = await h.createStaff(adminToken);
    const res = await h.request<StaffUser>('PATCH', `/api/staff/${agent.user.id}`, { token: adminToken, body: { displayName: 'Night Porter', role: 'admin' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: agent.user.id, displayName: 'Night Porter', role: 'admin' });
    // A display name or role change leaves sessions alone.
    expect((await h.request('GET', '/api/staff', { token: agent.accessToken })).status).toBe(200);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await h.request('PATCH', '/api/staff/00000000-0000-4000-8000-000000000000', { token: adminToken, body: {} })).status).toBe(404);
    const bad = await h.request<{ message: string[] }>('PATCH', '/api/staff/not-an-id', { token: adminToken, body: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual([expect.stringMatching(/^id: /)]);
  });

  it('ends every session of a member who is disabled; they cannot log in until enabled', async () => {
    const agent = await h.createStaff(adminToken);
    const second = await h.loginStaff(agent.user.username, agent.password);
    const bus = await listenToBus(db.url);
    const res = await h.request<StaffUser>('PATCH', `/api/staff/${agent.user.id}`, { token: adminToken, body: { disabled: true } });
    expect(res.status).toBe(200);
    expect(res.body.disabled).toBe(true);
    try {
      // Every instance hears which sessions ended, to close their sockets.
      const ended = await bus.waitFor((e): e is Extract<BusEvent, { type: 'sessions.ended' }> => e.type === 'sessions.ended');
      expect([...ended.sessionIds].sort()).toEqual([jwtPayload(agent.accessToken).sid, jwtPayload(second.accessToken).sid].sort());
    } finally {
      await bus.close();
    }
    for (const s of [agent, second]) {
      expect((await h.request('GET', '/api/stays', { token: s.accessToken })).status).toBe(401);
      expect((await h.refresh(s.cookie)).status).toBe(401);
    }
    expect((await h.request('POST', '/api/auth/login', { body: { username: agent.user.username, password: agent.password } })).status).toBe(401);
    await h.request('PATCH', `/api/staff/${agent.user.id}`, { token: adminToken, body: { disabled: false } });
    expect((await h.loginStaff(agent.user.username, agent.password)).user.disabled).toBe(false);
  });

  it('ends every session of a member who gets a new password; the new one works, the old one not', async () => {
    const agent = await h.createStaff(adminToken);
    const res = await h.request('PATCH', `/api/staff/${agent.user.id}`, { token: adminToken, body: { password: 'brand-new-password' } });
    expect(res.status).toBe(200);
    expect((await h.request('GET', '/api/stays', { token: agent.accessToken })).status).toBe(401);
    expect((await h.refresh(agent.cookie)).status).toBe(401);
    expect((await h.request('POST', '/api/auth/login', { body: { username: agent.user.username, password: agent.password } })).status).toBe(401);
    expect((await h.loginStaff(agent.user.username, 'brand-new-password')).accessToken).toBeTruthy();
  });

  describe('directory', () => {
    it('names every active colleague, sorted by display name, for agents and admins alike', async () => {
      const zoe = await h.createStaff(adminToken, { displayName: 'zoë Night' });
      const angel = await h.createStaff(adminToken, { displayName: 'Ángel Day', role: 'admin' });
      const bob = await h.createStaff(adminToken, { displayName: 'bob Desk' });
      const gone = await h.createStaff(adminToken, { displayName: 'Aaron Gone' });
      expect((await h.request('PATCH', `/api/staff/${gone.user.id}`, { token: adminToken, body: { disabled: true } })).status).toBe(200);

      const res = await h.request<StaffDirectory>('GET', '/api/staff/directory', { token: bob.accessToken });
      expect(res.status).toBe(200);
      const items = res.body.items;
      // Exactly what an assignee needs: no usernames, flags or dates.
      for (const item of items) expect(Object.keys(item).sort()).toEqual(['displayName', 'id', 'role']);
      expect(items).toEqual(expect.arrayContaining([
        { id: zoe.user.id, displayName: 'zoë Night', role: 'agent' },
        { id: angel.user.id, displayName: 'Ángel Day', role: 'admin' },
        { id: bob.user.id, displayName: 'bob Desk', role: 'agent' },
      ]));
      const ids = items.map((i) => i.id);
      expect(ids).not.toContain(gone.user.id);
      // Case and accents aside: Ángel, bob, zoë.
      expect(ids.indexOf(angel.user.id)).toBeLessThan(ids.indexOf(bob.user.id));
      expect(ids.indexOf(bob.user.id)).toBeLessThan(ids.indexOf(zoe.user.id));
      const names = items.map((i) => i.displayName);
      expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base', numeric: true })));

      // Everyone active is there, and the admin sees the same list.
      const { rows } = await db.query<{ id: string }>(`SELECT id FROM staff_users WHERE NOT disabled`);
      expect([...ids].sort()).toEqual(rows.map((r) => r.id).sort());
      const asAdmin = await h.request<StaffDirectory>('GET', '/api/staff/directory', { token: adminToken });
      expect(asAdmin.status).toBe(200);
      expect(asAdmin.body).toEqual(res.body);
    });

    it('follows renames and re-enabled accounts at once', async () => {
      const agent = await h.createStaff(adminToken, { displayName: 'Temp Name' });
      const other = await h.createStaff(adminToken);
      await h.request('PATCH', `/api/staff/${agent.user.id}`, { token: adminToken, body: { displayName: 'Settled Name', disabled: true } });
      const hidden = await h.request<StaffDirectory>('GET', '/api/staff/directory', { token: other.accessToken });
      expect(hidden.body.items.map((i) => i.id)).not.toContain(agent.user.id);
      await h.request('PATCH', `/api/staff/${agent.user.id}`, { token: adminToken, body: { disabled: false } });
      const shown = await h.request<StaffDirectory>('GET', '/api/staff/directory', { token: other.accessToken });
      expect(shown.body.items).toContainEqual({ id: agent.user.id, displayName: 'Settled Name', role: 'agent' });
    });

    it('is for staff only: 401 without a valid token, 403 for a guest', async () => {
      expect((await h.request('GET', '/api/staff/directory')).status).toBe(401);
      expect((await h.request('GET', '/api/staff/directory', { token: 'not-a-token' })).status).toBe(401);
      const guest = await h.joinGuest((await h.checkIn(adminToken)).joinCode);
      const res = await h.request('GET', '/api/staff/directory', { token: guest.accessToken });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    });
  });

  it('keeps one active admin: the last one can be neither demoted nor disabled', async () => {
    const me = await h.loginStaff();
    const list = await h.request<StaffList>('GET', '/api/staff', { token: me.accessToken });
    for (const u of list.body.items.filter((x) => x.role === 'admin' && x.id !== me.user.id)) {
      expect((await h.request('PATCH', `/api/staff/${u.id}`, { token: me.accessToken, body: { role: 'agent' } })).status).toBe(200);
    }
    const demote = await h.request('PATCH', `/api/staff/${me.user.id}`, { token: me.accessToken, body: { role: 'agent' } });
    expect(demote.status).toBe(409);
    expect(demote.body).toMatchObject({ statusCode: 409, message: 'at least one active admin must remain' });
    expect((await h.request('PATCH', `/api/staff/${me.user.id}`, { token: me.accessToken, body: { disabled: true } })).status).toBe(409);
    // With a second admin, either may step down.
    const other = await h.createStaff(me.accessToken, { role: 'admin' });
    // Two admins demoting each other at once: one of them stays admin. The loser is refused by
    // the last-admin rule (409), or by the guard (403) when the winner committed first.
    const both = await Promise.all([
      h.request('PATCH', `/api/staff/${me.user.id}`, { token: other.accessToken, body: { role: 'agent' } }),
      h.request('PATCH', `/api/staff/${other.user.id}`, { token: me.accessToken, body: { role: 'agent' } }),
    ]);
    const statuses = both.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM staff_users WHERE role = 'admin' AND NOT disabled`);
    expect(rows[0].n).toBe(1);
  });
});

describe('first admin without ADMIN_USERNAME', () => {
  it('creates `admin` with a random password shown once on stdout, never in the JSON logs', async () => {
    const db = await createTestDatabase();
    const server = await startServerProcess({ DATABASE_URL: db.url, ADMIN_USERNAME: '', ADMIN_PASSWORD: '' });
    try {
      const out = server.output();
      const match = /username: (\S+)\s+password: (\S+)/.exec(out);
      expect(match).not.toBeNull();
      const [, username, password] = match!;
      expect(username).toBe('admin');
      expect(password.length).toBeGreaterThanOrEqual(16);
      // Exactly once, and in no JSON log line.
      expect(out.split(password).length - 1).toBe(1);
      for (const line of out.split('\n').filter((l) => l.startsWith('{'))) expect(line).not.toContain(password);
      const res = await request('POST', `${server.baseUrl}/api/auth/login`, { body: { username, password } });
      expect(res.status).toBe(200);
    } finally {
      await server.stop();
    }
    // A restart finds the admin and prints nothing.
    const again = await startServerProcess({ DATABASE_URL: db.url, ADMIN_USERNAME: '', ADMIN_PASSWORD: '' });
    try {
      expect(again.output()).not.toMatch(/password:/);
    } finally {
      await again.stop();
      await db.drop();
    }
  }, 60_000);
});
