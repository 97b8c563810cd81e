import { randomUUID } from 'node:crypto';
import { REFRESH_COOKIE, type CreateStayResponse, type GuestAuthResponse, type HistoryPage, type StaffAuthResponse, type StaffList } from '@bellhop/protocol';
import { ADMIN, startTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { api, refreshCookie, request } from './support/http.js';
import { forgeJwt, jwtPayload } from './support/jwt.js';

const SECRET = 'e2e-secret-that-is-long-enough-0123456789abcdef';

describe('auth', () => {
  let db: TestDatabase;
  let t: TestApp;
  let h: ReturnType<typeof api>;
  let ip = 0;
  /** A fresh client address per test, so throttling in one test never leaks into another. */
  const fromNewAddress = () => ({ 'x-forwarded-for': `203.0.113.${++ip}, 10.0.0.1` });
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { TRUST_PROXY: '1' });
    h = api(t.baseUrl);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const login = (username: string, password: string, headers = fromNewAddress()) =>
    h.request<StaffAuthResponse>('POST', '/api/auth/login', { body: { username, password }, headers });

  describe('request bodies', () => {
    const post = (body: string, contentType: string) =>
      request('POST', `${t.baseUrl}/api/auth/login`, { body, headers: { 'content-type': contentType, origin: t.baseUrl } });
    const big = JSON.stringify({ username: 'x'.repeat(102_400), password: 'y' });

    it('answers 413 for a body over 100 KiB, whatever its type', async () => {
      for (const type of ['application/json', 'text/plain', 'application/octet-stream']) {
        const res = await post(big, type);
        expect([type, res.status, res.body]).toEqual([type, 413, { statusCode: 413, error: 'Payload Too Large', message: 'request body is larger than 100 KiB' }]);
        // A browser on an allowed origin can read the refusal.
        expect(res.headers.get('access-control-allow-origin')).toBe(t.baseUrl);
      }
    });

    it('answers 400 for a body that is not JSON, or not sent as JSON', async () => {
      expect((await post('{"username": ', 'application/json')).body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'request body is not valid JSON' });
      const plain = await post('username=admin', 'text/plain');
      expect(plain.status).toBe(400);
      expect(plain.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'request body must be JSON, sent with Content-Type: application/json' });
      // Outside the API a body is not looked at: an unknown path is still a 404.
      expect((await request('POST', `${t.baseUrl}/nowhere`, { body: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(404);
    });
  });

  describe('text fields and empty bodies', () => {
    it('answers 400, not 500, for a control character in a text field that would reach the database, and stores nothing', async () => {
      const bad = async (method: string, path: string, options: Parameters<typeof h.request>[2]) => {
        const res = await h.request<{ statusCode: number; message: string[] }>(method, path, options);
        return [res.status, res.body.message];
      };
      const staff = (await h.loginStaff()).accessToken;
      const controlIn = (field: string) => [400, [`${field}: contains a control character`]];
      expect(await bad('POST', '/api/auth/login', { body: { username: 'ad\u0000min', password: 'x' }, headers: fromNewAddress() })).toEqual(controlIn('username'));
      expect(await bad('POST', '/api/guest/join', { body: { roomNumber: '1\u0000', familyName: 'Lee' }, headers: fromNewAddress() })).toEqual(controlIn('roomNumber'));
      expect(await bad('POST', '/api/guest/join', { body: { roomNumber: '101', familyName: 'L\u0000ee' }, headers: fromNewAddress() })).toEqual(controlIn('familyName'));
      expect(await bad('POST', '/api/guest/join', { body: { code: 'ABCD\u0000EFGH' }, headers: fromNewAddress() })).toEqual(controlIn('code'));
      const stay = { guestName: 'A\u0000B', familyName: 'Lee', roomNumber: 'NUL1', checkOut: '2099-01-01' };
      expect(await bad('POST', '/api/stays', { token: staff, body: stay })).toEqual(controlIn('guestName'));
      expect(await bad('POST', '/api/staff', { token: staff, body: { username: 'nul.user', displayName: 'N\u0000', role: 'agent', password: 'long enough 1' } })).toEqual(
        controlIn('displayName'),
      );
      expect(await bad('GET', '/api/search?q=ab%00cd', { token: staff })).toEqual(controlIn('q'));
      expect((await db.query(`SELECT count(*)::int AS n FROM stays WHERE room_number = 'NUL1'`)).rows).toEqual([{ n: 0 }]);
      expect((await db.query(`SELECT count(*)::int AS n FROM staff_users WHERE username = 'nul.user'`)).rows).toEqual([{ n: 0 }]);
      // A password may hold any character: it is only hashed.
      expect((await login(ADMIN.username, `${ADMIN.password}\u0000`)).status).toBe(401);
    });

    it('refuses a field in the body of refresh, logout and check-out, and does nothing then', async () => {
      const signedIn = await login(ADMIN.username, ADMIN.password);
      const cookie = refreshCookie(signedIn.headers)!;
      const token = signedIn.body.accessToken;
      const refused = await h.request<{ message: string[] }>('POST', '/api/auth/refresh', { cookie, body: { x: 1 } });
      expect([refused.status, refused.body.message]).toEqual([400, ['(root): Unrecognized key: "x"']]);
      expect((await h.request('POST', '/api/auth/logout', { cookie, token, body: { x: 1 } })).status).toBe(400);
      // The session lives on, and the cookie was not rotated.
      expect((await h.request('GET', '/api/staff', { token })).status).toBe(200);
      const rotated = await h.refresh(cookie);
      expect(rotated.status).toBe(200);
      const stay = await h.checkIn(token);
      expect((await h.request('POST', `/api/stays/${stay.stay.id}/checkout`, { token, body: { x: 1 } })).status).toBe(400);
      expect((await db.query('SELECT status FROM stays WHERE id = $1', [stay.stay.id])).rows).toEqual([{ status: 'active' }]);
      expect((await h.request('POST', `/api/stays/${stay.stay.id}/checkout`, { token, body: {} })).status).toBe(200);
      expect((await h.request('POST', '/api/auth/logout', { cookie: rotated.cookie, token, body: {} })).status).toBe(204);
    });
  });

  describe('login', () => {
    it('answers a token, the user and an httpOnly SameSite=Strict refresh cookie on /api/auth', async () => {
      const res = await login(ADMIN.username, ADMIN.password);
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ username: ADMIN.username, role: 'admin', disabled: false });
      const claims = jwtPayload(res.body.accessToken);
      expect(claims).toMatchObject({ iss: 'bellhop', aud: 'staff', sub: res.body.user.id });
      expect(typeof claims.sid).toBe('string');
      expect((claims.exp as number) - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(900);
      expect(Date.parse(res.body.expiresAt)).toBe((claims.exp as number) * 1000);
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${REFRESH_COOKIE}=`))!;
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      expect(cookie).toMatch(/Path=\/api\/auth/);
      // PUBLIC_URL is http here.
      expect(cookie).not.toMatch(/Secure/i);
    });

    it('marks the cookie Secure when PUBLIC_URL is https', async () => {
      const https = await startTestApp(db.url, { PUBLIC_URL: 'https://chat.example.com' });
      try {
        const res = await request('POST', `${https.baseUrl}/api/auth/login`, { body: ADMIN });
        expect(res.status).toBe(200);
        expect(res.headers.getSetCookie().find((c) => c.startsWith(`${REFRESH_COOKIE}=`))).toMatch(/;\s*Secure/i);
      } finally {
        await https.close();
      }
    });

    it('accepts the username in any case', async () => {
      expect((await login(ADMIN.username.toUpperCase(), ADMIN.password)).status).toBe(200);
    });

    it('stores only hashes of refresh tokens', async () => {
      const res = await login(ADMIN.username, ADMIN.password);
      const raw = refreshCookie(res.headers)!.split('=')[1];
      const { rows } = await db.query(`SELECT 1 FROM refresh_tokens WHERE encode(token_hash, 'escape') = $1 OR encode(token_hash, 'hex') = $1`, [raw]);
      expect(rows).toHaveLength(0);
      const { rows: hashed } = await db.query(`SELECT 1 FROM refresh_tokens WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, [raw]);
      expect(hashed).toHaveLength(1);
    });

    it('answers one same 401 for a wrong password, an unknown user and a disabled account', async () => {
      const admin = await h.loginStaff();
      const disabled = await h.createStaff(admin.accessToken);
      await h.request('PATCH', `/api/staff/${disabled.user.id}`, { token: admin.accessToken, body: { disabled: true } });
      const answers = await Promise.all([
        login(ADMIN.username, 'wrong-password'),
        login('nobody-here', 'wrong-password'),
        login(disabled.user.username, disabled.password),
      ]);
      for (const res of answers) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual(answers[0].body);
      }
      expect(answers[0].body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    });

    it('answers 400 with field paths for a bad body, and refuses unknown fields', async () => {
      const res = await h.request<{ message: string[] }>('POST', '/api/auth/login', { body: { username: 'admin' }, headers: fromNewAddress() });
      expect(res.status).toBe(400);
      expect(res.body.message).toEqual([expect.stringMatching(/^password: /)]);
      const extra = await h.request<{ message: string[] }>('POST', '/api/auth/login', {
        body: { username: 'admin', password: 'x', admin: true },
        headers: fromNewAddress(),
      });
      expect(extra.status).toBe(400);
      const notJson = await h.request('POST', '/api/auth/login', { body: '{"username":', headers: fromNewAddress() });
      expect(notJson.status).toBe(400);
    });
  });

  describe('throttling', () => {
    it('locks a username after 5 failures in 15 minutes, even for the right password, with Retry-After', async () => {
      const admin = await h.loginStaff();
      const agent = await h.createStaff(admin.accessToken);
      for (let i = 0; i < 5; i++) expect((await login(agent.user.username, 'wrong-password')).status).toBe(401);
      const locked = await login(agent.user.username, agent.password);
      expect(locked.status).toBe(429);
      expect(locked.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      const retryAfter = Number(locked.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(14 * 60);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      // Any case of the username is the same account.
      expect((await login(agent.user.username.toUpperCase(), agent.password)).status).toBe(429);
      // Refusals during the lock do not count: exactly five failures are stored.
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM auth_failures WHERE key = lower($1)`, [agent.user.username]);
      expect(rows[0].n).toBe(5);
      // The lock lifts 15 minutes after it started.
      await db.query(`UPDATE auth_failures SET at = at - interval '15 minutes 1 second' WHERE key = lower($1)`, [agent.user.username]);
      expect((await login(agent.user.username, agent.password)).status).toBe(200);
    });

    it('clears the username count on a successful login', async () => {
      const admin = await h.loginStaff();
      const agent = await h.createStaff(admin.accessToken);
      for (let i = 0; i < 4; i++) expect((await login(agent.user.username, 'wrong-password')).status).toBe(401);
      expect((await login(agent.user.username, agent.password)).status).toBe(200);
      for (let i = 0; i < 4; i++) expect((await login(agent.user.username, 'wrong-password')).status).toBe(401);
      expect((await login(agent.user.username, agent.password)).status).toBe(200);
    });

    it('does not count bad bodies', async () => {
      const admin = await h.loginStaff();
      const agent = await h.createStaff(admin.accessToken);
      for (let i = 0; i < 6; i++) {
        const res = await h.request('POST', '/api/auth/login', { body: { username: agent.user.username, password: '' }, headers: fromNewAddress() });
        expect(res.status).toBe(400);
      }
      expect((await login(agent.user.username, agent.password)).status).toBe(200);
    });

    it('locks an address after 20 failures, for every username, using the first X-Forwarded-For hop', async () => {
      const address = { 'x-forwarded-for': '198.51.100.7' };
      for (let i = 0; i < 20; i++) expect((await login(`someone${i}`, 'wrong-password', address)).status).toBe(401);
      const locked = await login(ADMIN.username, ADMIN.password, { 'x-forwarded-for': '198.51.100.7, 10.9.9.9' });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another address is not affected.
      expect((await login(ADMIN.username, ADMIN.password)).status).toBe(200);
    });

    it('ignores X-Forwarded-For unless TRUST_PROXY=1', async () => {
      const direct = await startTestApp(db.url);
      try {
        // Twenty failures from "different" forwarded addresses are one peer: 127.0.0.1.
        for (let i = 0; i < 20; i++) {
          const res = await request('POST', `${direct.baseUrl}/api/auth/login`, {
            body: { username: `ghost${i}`, password: 'wrong-password' },
            headers: { 'x-forwarded-for': `192.0.2.${i}` },
          });
          expect(res.status).toBe(401);
        }
        const locked = await request('POST', `${direct.baseUrl}/api/auth/login`, {
          body: { username: ADMIN.username, password: ADMIN.password },
          headers: { 'x-forwarded-for': '192.0.2.200' },
        });
        expect(locked.status).toBe(429);
      } finally {
        await direct.close();
        await db.query(`DELETE FROM auth_failures WHERE kind = 'login_address' AND key = '127.0.0.1'`);
      }
    });
  });

  describe('access tokens', () => {
    let admin: Awaited<ReturnType<typeof h.loginStaff>>;
    let claims: Record<string, unknown>;
    const staffRoute = (token?: string) => h.request<{ statusCode: number }>('GET', '/api/stays', { token });

    beforeAll(async () => {
      admin = await h.loginStaff();
      claims = jwtPayload(admin.accessToken);
    });

    it('lets a valid one through', async () => {
      expect((await staffRoute(admin.accessToken)).status).toBe(200);
    });

    it.each([
      ['no token', undefined],
      ['a garbage token', 'not-a-jwt'],
      ['an empty bearer', ''],
    ])('answers 401 for %s', async (_name, token) => {
      const res = await staffRoute(token);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    });

    it('answers 401 for a token with alg none', async () => {
      expect((await staffRoute(forgeJwt(claims, { alg: 'none' }))).status).toBe(401);
    });

    it('answers 401 for a token signed with another secret', async () => {
      expect((await staffRoute(forgeJwt(claims, { secret: 'another-secret-that-is-long-enough-0123456789' }))).status).toBe(401);
    });

    it('answers 401 for another HMAC algorithm, even with the right secret', async () => {
      const head = Buffer.from(JSON.stringify({ alg: 'HS512', typ: 'JWT' })).toString('base64url');
      const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
      const { createHmac } = await import('node:crypto');
      const sig = createHmac('sha512', SECRET).update(`${head}.${body}`).digest('base64url');
      expect((await staffRoute(`${head}.${body}.${sig}`)).status).toBe(401);
    });

    it('checks exp with at most 30 s of leeway', async () => {
      const within = forgeJwt({ ...claims, iat: now() - 900, exp: now() - 10 }, { secret: SECRET });
      expect((await staffRoute(within)).status).toBe(200);
      const expired = forgeJwt({ ...claims, iat: now() - 900, exp: now() - 31 }, { secret: SECRET });
      expect((await staffRoute(expired)).status).toBe(401);
    });

    it('refuses a token living longer than 15 minutes', async () => {
      expect((await staffRoute(forgeJwt({ ...claims, iat: now(), exp: now() + 3600 }, { secret: SECRET }))).status).toBe(401);
    });

    it('takes a token without iat by its exp alone', async () => {
      const { iat: _iat, ...noIat } = claims as Record<string, unknown>;
      expect((await staffRoute(forgeJwt({ ...noIat, exp: now() + 600 }, { secret: SECRET }))).status).toBe(200);
      expect((await staffRoute(forgeJwt({ ...noIat, exp: now() + 3600 }, { secret: SECRET }))).status).toBe(401);
    });

    it('answers 401 for a wrong issuer or audience, or a sub that is not the session subject', async () => {
      for (const change of [{ iss: 'other' }, { aud: 'admin' }, { aud: 'guest' }, { sub: '00000000-0000-4000-8000-000000000000' }, { sid: '00000000-0000-4000-8000-000000000000' }]) {
        expect((await staffRoute(forgeJwt({ ...claims, ...change }, { secret: SECRET }))).status).toBe(401);
      }
    });

    it('answers 403 for a guest on a staff route and an agent on an admin route', async () => {
      const { joinCode } = await h.checkIn(admin.accessToken);
      const guest = await h.joinGuest(joinCode, fromNewAddress());
      const asGuest = await staffRoute(guest.accessToken);
      expect(asGuest.status).toBe(403);
      expect(asGuest.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      const agent = await h.createStaff(admin.accessToken);
      expect((await h.request('GET', '/api/staff', { token: agent.accessToken })).status).toBe(403);
      expect((await h.request('GET', '/api/staff', { token: guest.accessToken })).status).toBe(403);
      expect((await staffRoute(agent.accessToken)).status).toBe(200);
    });

    it('reads the role from the database on every request', async () => {
      const agent = await h.createStaff(admin.accessToken);
      expect((await h.request('GET', '/api/staff', { token: agent.accessToken })).status).toBe(403);
      await h.request('PATCH', `/api/staff/${agent.user.id}`, { token: admin.accessToken, body: { role: 'admin' } });
      expect((await h.request<StaffList>('GET', '/api/staff', { token: agent.accessToken })).status).toBe(200);
      await h.request('PATCH', `/api/staff/${agent.user.id}`, { token: admin.accessToken, body: { role: 'agent' } });
      expect((await h.request('GET', '/api/staff', { token: agent.accessToken })).status).toBe(403);
    });
  });

  // The hottest read checks the session in the page's own statement instead of the guard's: every
  // refusal the guard makes must hold there too.
  describe('the history route', () => {
    let admin: Awaited<ReturnType<typeof h.loginStaff>>;
    let stay: CreateStayResponse;
    const history = (token?: string, conversationId = stay.stay.conversationId) =>
      h.request<HistoryPage>('GET', `/api/conversations/${conversationId}/messages`, { token });
    const expect401 = async (token?: string, conversationId?: string) => {
      const res = await history(token, conversationId);
      expect([res.status, res.body]).toEqual([401, expect.objectContaining({ statusCode: 401, error: 'Unauthorized' })]);
    };

    beforeAll(async () => {
      admin = await h.loginStaff();
      stay = await h.checkIn(admin.accessToken);
    });

    it('refuses every token the guard refuses', async () => {
      expect((await history(admin.accessToken)).body).toEqual({ messages: [], hasMore: false });
      const claims = jwtPayload(admin.accessToken);
      const zero = '00000000-0000-4000-8000-000000000000';
      for (const token of [
        undefined,
        'not-a-jwt',
        forgeJwt(claims, { alg: 'none' }),
        forgeJwt(claims, { secret: 'another-secret-that-is-long-enough-0123456789' }),
        forgeJwt({ ...claims, iat: now() - 900, exp: now() - 31 }, { secret: SECRET }),
        forgeJwt({ ...claims, iat: now(), exp: now() + 3600 }, { secret: SECRET }),
        ...[{ iss: 'other' }, { aud: 'admin' }, { aud: 'guest' }, { sub: zero }, { sid: zero }].map((change) => forgeJwt({ ...claims, ...change }, { secret: SECRET })),
      ]) {
        await expect401(token);
      }
    });

    it('answers 401 once the session has ended, the account is disabled or the stay checked out', async () => {
      const s = await h.loginStaff();
      expect((await history(s.accessToken)).status).toBe(200);
      await h.logout(s.cookie);
      await expect401(s.accessToken);

      // Disabled in the database with the session still open: read on this request, not from a cache.
      const agent = await h.createStaff(admin.accessToken);
      expect((await history(agent.accessToken)).status).toBe(200);
      await db.query(`UPDATE staff_users SET disabled = true WHERE id = $1`, [agent.user.id]);
      await expect401(agent.accessToken);

      const own = await h.checkIn(admin.accessToken);
      const guest = await h.joinGuest(own.joinCode, fromNewAddress());
      expect((await history(guest.accessToken, guest.conversationId)).status).toBe(200);
      expect((await h.checkOut(admin.accessToken, own.stay.id)).status).toBe(200);
      await expect401(guest.accessToken, guest.conversationId);

      // Checked out in the database with the session still open: the stay's status is read too.
      const kept = await h.checkIn(admin.accessToken);
      const stayer = await h.joinGuest(kept.joinCode, fromNewAddress());
      expect((await history(stayer.accessToken, stayer.conversationId)).status).toBe(200);
      await db.query(`UPDATE stays SET status = 'checked_out' WHERE id = $1`, [kept.stay.id]);
      await expect401(stayer.accessToken, stayer.conversationId);
    });

    it('answers 401 before 400: a malformed request of an ended session', async () => {
      const s = await h.loginStaff();
      const malformed = (token: string) =>
        Promise.all([
          h.request('GET', '/api/conversations/not-an-id/messages', { token }),
          h.request('GET', `/api/conversations/${stay.stay.conversationId}/messages?limit=101`, { token }),
        ]);
      expect((await malformed(s.accessToken)).map((r) => r.status)).toEqual([400, 400]);
      await h.logout(s.cookie);
      expect((await malformed(s.accessToken)).map((r) => r.status)).toEqual([401, 401]);
    });

    it("answers a guest asking for another stay's conversation exactly as for one that does not exist", async () => {
      const own = await h.checkIn(admin.accessToken);
      const guest = await h.joinGuest(own.joinCode, fromNewAddress());
      const theirs = await history(guest.accessToken, stay.stay.conversationId);
      const nobodys = await history(guest.accessToken, randomUUID());
      expect([theirs.status, theirs.body]).toEqual([404, nobodys.body]);
      expect(nobodys.status).toBe(404);
    });
  });

  describe('refresh', () => {
    it('rotates the cookie and answers like login', async () => {
      const first = await h.loginStaff();
      const res = await h.refresh<StaffAuthResponse>(first.cookie);
      expect(res.status).toBe(200);
      expect(res.body.user.username).toBe(ADMIN.username);
      expect(jwtPayload(res.body.accessToken).sid).toBe(jwtPayload(first.accessToken).sid);
      expect(res.cookie).toBeDefined();
      expect(res.cookie).not.toBe(first.cookie);
      expect((await h.request('GET', '/api/stays', { token: res.body.accessToken })).status).toBe(200);
      // The new cookie rotates again.
      const again = await h.refresh(res.cookie!);
      expect(again.status).toBe(200);
    });

    it('answers a guest like join', async () => {
      const admin = await h.loginStaff();
      const { stay, joinCode } = await h.checkIn(admin.accessToken, { guestName: 'Grace' });
      const guest = await h.joinGuest(joinCode, fromNewAddress());
      const res = await h.refresh<GuestAuthResponse>(guest.cookie);
      expect(res.status).toBe(200);
      expect(res.body.guest).toEqual({ id: stay.id, name: 'Grace', roomNumber: stay.roomNumber });
      expect(res.body.conversationId).toBe(stay.conversationId);
      expect(jwtPayload(res.body.accessToken).aud).toBe('guest');
    });

    it('answers 401 without a cookie or with an unknown one', async () => {
      expect((await h.request('POST', '/api/auth/refresh')).status).toBe(401);
      expect((await h.refresh(`${REFRESH_COOKIE}=made-up`)).status).toBe(401);
    });

    it('refuses a rotated token within 30 s and nothing else happens', async () => {
      const first = await h.loginStaff();
      const next = await h.refresh<StaffAuthResponse>(first.cookie);
      const reuse = await h.refresh(first.cookie);
      expect(reuse.status).toBe(401);
      // The session lives on: its access tokens and its current cookie still work.
      expect((await h.request('GET', '/api/stays', { token: next.body.accessToken })).status).toBe(200);
      expect((await h.request('GET', '/api/stays', { token: first.accessToken })).status).toBe(200);
      expect((await h.refresh(next.cookie!)).status).toBe(200);
    });

    it('lets exactly one of two simultaneous refreshes win', async () => {
      const first = await h.loginStaff();
      const results = await Promise.all([h.refresh(first.cookie), h.refresh(first.cookie)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
      const winner = results.find((r) => r.status === 200)!;
      expect((await h.refresh(winner.cookie!)).status).toBe(200);
    });

    it('revokes the whole session when a rotated token comes back after 30 s', async () => {
      const first = await h.loginStaff();
      const next = await h.refresh<StaffAuthResponse>(first.cookie);
      const sid = jwtPayload(first.accessToken).sid as string;
      await db.query(`UPDATE refresh_tokens SET rotated_at = rotated_at - interval '31 seconds' WHERE session_id = $1 AND rotated_at IS NOT NULL`, [sid]);
      expect((await h.refresh(first.cookie)).status).toBe(401);
      expect((await h.request('GET', '/api/stays', { token: next.body.accessToken })).status).toBe(401);
      expect((await h.refresh(next.cookie!)).status).toBe(401);
      const { rows } = await db.query(`SELECT end_reason FROM sessions WHERE id = $1`, [sid]);
      expect(rows[0].end_reason).toBe('refresh_reuse');
      // Other sessions of the same user are untouched.
      const other = await h.loginStaff();
      expect((await h.request('GET', '/api/stays', { token: other.accessToken })).status).toBe(200);
    });

    it('refuses an expired refresh token', async () => {
      const first = await h.loginStaff();
      const sid = jwtPayload(first.accessToken).sid as string;
      await db.query(`UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE session_id = $1`, [sid]);
      expect((await h.refresh(first.cookie)).status).toBe(401);
    });
  });

  describe('logout', () => {
    it('answers 204, clears the cookie and ends the session', async () => {
      const s = await h.loginStaff();
      const other = await h.loginStaff();
      const res = await h.logout(s.cookie);
      expect(res.status).toBe(204);
      expect(res.headers.getSetCookie().some((c) => c.startsWith(`${REFRESH_COOKIE}=;`))).toBe(true);
      expect((await h.request('GET', '/api/stays', { token: s.accessToken })).status).toBe(401);
      expect((await h.refresh(s.cookie)).status).toBe(401);
      // Only that session.
      expect((await h.request('GET', '/api/stays', { token: other.accessToken })).status).toBe(200);
    });

    it('ends the session of the bearer token too, and is harmless without either', async () => {
      const s = await h.loginStaff();
      expect((await h.logout(undefined, s.accessToken)).status).toBe(204);
      expect((await h.request('GET', '/api/stays', { token: s.accessToken })).status).toBe(401);
      expect((await h.logout()).status).toBe(204);
    });

    it('works for guests', async () => {
      const admin = await h.loginStaff();
      const { joinCode } = await h.checkIn(admin.accessToken);
      const guest = await h.joinGuest(joinCode, fromNewAddress());
      expect((await h.logout(guest.cookie)).status).toBe(204);
      expect((await h.refresh(guest.cookie)).status).toBe(401);
      const sid = jwtPayload(guest.accessToken).sid as string;
      const { rows } = await db.query(`SELECT ended_at IS NOT NULL AS ended, end_reason FROM sessions WHERE id = $1`, [sid]);
      expect(rows[0]).toEqual({ ended: true, end_reason: 'logout' });
    });
  });
});
