import { randomUUID } from 'node:crypto';
import { startServerProcess, ADMIN, type ServerProcess } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { checkIn, joinGuest, loginStaff, refresh, request } from './support/http.js';
import { connect, handshakeStatus } from './support/ws.js';

/** Logs go to operators and log stores: they must never carry credentials or what guests wrote. */
describe('logs', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startServerProcess({ DATABASE_URL: db.url, LOG_LEVEL: 'trace' });
  }, 30_000);
  afterAll(async () => {
    await server?.kill();
    await db?.drop();
  });

  it('are JSON lines that hold no token, password, cookie or message body', async () => {
    const secretBody = `room-service-${randomUUID()}`;
    const staff = await loginStaff(server.baseUrl);
    const stay = await checkIn(server.baseUrl, staff.accessToken);
    const guest = await joinGuest(server.baseUrl, stay.joinCode);
    const refreshed = await refresh<{ accessToken: string }>(server.baseUrl, guest.cookie);
    const badPassword = `wrong-${randomUUID()}`;
    await request('POST', `${server.baseUrl}/api/auth/login`, { body: { username: ADMIN.username, password: badPassword } });
    await request('GET', `${server.baseUrl}/api/conversations`, { token: `${staff.accessToken}x` });
    await handshakeStatus(server.wsUrl, ['bellhop.v1', `bearer.${guest.accessToken}x`]);

    const g = await connect(server.wsUrl, guest.accessToken);
    const s = await connect(server.wsUrl, staff.accessToken);
    const id = g.sendMessage(guest.conversationId, secretBody);
    await g.waitFor('message.ack', (d) => d.clientMsgId === id);
    await s.waitFor('message.new', (d) => d.message.body === secretBody);
    g.raw(`{"event":"message.send","data":{"body":"${secretBody}-bad"}}`);
    await g.waitFor('error');
    g.close();
    s.close();
    await server.stop();

    const output = server.output();
    const lines = output.split('\n').filter((l) => l.trim().startsWith('{'));
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const secrets = {
      staffAccessToken: staff.accessToken,
      guestAccessToken: guest.accessToken,
      refreshedAccessToken: refreshed.body.accessToken,
      guestRefreshCookie: guest.cookie.split('=')[1],
      staffRefreshCookie: staff.cookie.split('=')[1],
      adminPassword: ADMIN.password,
      badPassword,
      messageBody: secretBody,
      joinCode: stay.joinCode,
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect({ name, found: output.includes(value) }).toEqual({ name, found: false });
    }
  });
});
