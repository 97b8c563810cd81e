import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Message } from '@bellhop/protocol';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { poolOf } from '../src/common/sql.js';
import { dataSourceOptions, runMigrations } from '../src/database/data-source.js';
import { EmbeddedPostgres, freePort, sharedBuffersMb } from '../src/database/embedded-postgres.js';
import { StaysRepository } from '../src/modules/stays/stays.repository.js';
import { startServerProcess, startTestApp, type ServerProcess, type TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { checkIn, checkOut, joinGuest, loginStaff, refresh, request } from './support/http.js';
import { freezePostgres } from './support/process.js';
import { startPgProxy, type PgProxy } from './support/proxy.js';
import { connect, eventually, handshakeStatus, sleep, type TestSocket } from './support/ws.js';

describe('a server killed with SIGKILL during a burst', () => {
  let db: TestDatabase;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await server?.kill();
    await db?.drop();
  }, 30_000);

  it('has every acked message in the database after a restart, and a retry stores nothing twice', async () => {
    server = await startServerProcess({ DATABASE_URL: db.url, LOG_LEVEL: 'warn' });
    const admin = await loginStaff(server.baseUrl);
    const stay = await checkIn(server.baseUrl, admin.accessToken);
    const guest = await joinGuest(server.baseUrl, stay.joinCode);
    const senders: TestSocket[] = [];
    for (let i = 0; i < 5; i++) senders.push(await connect(server.wsUrl, guest.accessToken), await connect(server.wsUrl, admin.accessToken));
    const sent = new Map<string, string>();
    for (let i = 0; i < 20; i++) {
      for (const [n, s] of senders.entries()) {
        const body = `burst ${n}/${i}`;
        sent.set(s.sendMessage(guest.conversationId, body), body);
      }
    }
    await eventually(() => senders.reduce((n, s) => n + s.ofEvent('message.ack').length, 0) >= 10, 10_000, 'the first acks');
    await server.kill();
    await Promise.all(senders.map((s) => s.closed));
    const acked: Message[] = senders.flatMap((s) => s.ofEvent('message.ack').map((a) => a.message));
    expect(acked.length).toBeGreaterThanOrEqual(10);

    server = await startServerProcess({ DATABASE_URL: db.url, LOG_LEVEL: 'warn' });
    const { rows } = await db.query<{ id: string; seq: number; client_msg_id: string; body: string }>(
      'SELECT id, seq, client_msg_id, body FROM messages WHERE conversation_id = $1 ORDER BY seq',
      [guest.conversationId],
    );
    const byClientId = new Map(rows.map((r) => [r.client_msg_id, r]));
    for (const m of acked) expect(byClientId.get(m.clientMsgId)).toEqual({ id: m.id, seq: m.seq, client_msg_id: m.clientMsgId, body: m.body });
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));

    // The client resends everything it has no ack for (and one it has): nothing is stored twice.
    const again = await connect(server.wsUrl, admin.accessToken);
    const ackedIds = new Set(acked.map((m) => m.clientMsgId));
    const retry = [...sent.keys()].filter((id) => !ackedIds.has(id)).slice(0, 19);
    retry.push(acked[0].clientMsgId);
    for (const id of retry) again.sendMessage(guest.conversationId, sent.get(id)!, id);
    await eventually(() => again.ofEvent('message.ack').length === retry.length, 10_000, 'acks of the retries');
    expect(again.ofEvent('message.ack').find((a) => a.clientMsgId === acked[0].clientMsgId)!.message).toEqual(acked[0]);
    const after = await db.query<{ n: number; d: number }>('SELECT count(*)::int AS n, count(DISTINCT client_msg_id)::int AS d FROM messages WHERE conversation_id = $1', [guest.conversationId]);
    expect(after.rows[0].n).toBe(after.rows[0].d);
    again.close();
  }, 60_000);
});

/** Sends the same message again (same clientMsgId) every 2 s until it is acked, as the web client does. */
function retryUntilAcked(socket: TestSocket, conversationId: string, body: string, clientMsgId: string): Promise<unknown> {
  return eventually(
    async () => {
      socket.sendMessage(conversationId, body, clientMsgId);
      return socket.waitFor('message.ack', (d) => d.clientMsgId === clientMsgId, 2_000).catch(() => undefined);
    },
    20_000,
    'an ack once the database answers again',
  );
}

describe('Postgres going away mid-conversation', () => {
  let embedded: EmbeddedPostgres;
  let t: TestApp | undefined;
  let port: number;
  let dir: string | undefined;
  beforeAll(async () => {
    port = await freePort();
    dir = mkdtempSync(path.join(os.tmpdir(), 'bellhop-outage-'));
    embedded = new EmbeddedPostgres({ dataDir: path.join(dir, 'pg'), password: 'outage-password', port });
    const url = await embedded.start();
    const ds = new DataSource(dataSourceOptions(url));
    await ds.initialize();
    await runMigrations(ds);
    await ds.destroy();
    t = await startTestApp(url);
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await embedded?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it("sizes the embedded database's buffer cache from the machine's memory", async () => {
    const client = new pg.Client({ connectionString: embedded.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ mb: number }>(`SELECT (setting::bigint * 8192 / 1048576)::int AS mb FROM pg_settings WHERE name = 'shared_buffers'`);
      expect(rows[0].mb).toBe(sharedBuffersMb());
    } finally {
      await client.end();
    }
  });

  it('answers unavailable (never an ack) and 503 while it is down, and resumes without a restart', async () => {
    const admin = await loginStaff(t!.baseUrl);
    const stay = await checkIn(t!.baseUrl, admin.accessToken);
    const guest = await joinGuest(t!.baseUrl, stay.joinCode);
    const gs = await connect(t!.wsUrl, guest.accessToken);
    const ss = await connect(t!.wsUrl, admin.accessToken);
    const before = gs.sendMessage(guest.conversationId, 'before the outage');
    await gs.waitFor('message.ack', (d) => d.clientMsgId === before);

    await embedded.kill();
    const lost = gs.sendMessage(guest.conversationId, 'during the outage');
    const err = await gs.waitFor('error', (d) => d.ref === lost, 10_000);
    expect(err.data.code).toBe('unavailable');
    gs.send('conversation.sync', { conversationId: guest.conversationId, afterSeq: 0 });
    expect((await gs.waitFor('error', (d) => d.ref === 'conversation.sync', 10_000)).data.code).toBe('unavailable');
    expect(await handshakeStatus(t!.wsUrl, ['bellhop.v1', `bearer.${admin.accessToken}`])).toBe(503);
    expect((await request('GET', `${t!.baseUrl}/readyz`)).status).toBe(503);
    expect(gs.ofEvent('message.ack').map((a) => a.clientMsgId)).toEqual([before]);

    await embedded.start();
    // The same socket retries the same message: stored once, acked, and fanned out.
    await retryUntilAcked(gs, guest.conversationId, 'during the outage', lost);
    expect((await ss.waitFor('message.new', (d) => d.message.clientMsgId === lost, 10_000)).data.message.seq).toBe(2);
    await eventually(async () => (await handshakeStatus(t!.wsUrl, ['bellhop.v1', `bearer.${admin.accessToken}`])) === 101, 10_000, 'handshakes');
    expect((await request('GET', `${t!.baseUrl}/readyz`)).status).toBe(200);
    const check = new pg.Client({ connectionString: embedded.url });
    await check.connect();
    const { rows } = await check.query('SELECT seq, body FROM messages WHERE conversation_id = $1 ORDER BY seq', [guest.conversationId]);
    await check.end();
    expect(rows).toEqual([
      { seq: 1, body: 'before the outage' },
      { seq: 2, body: 'during the outage' },
    ]);
    gs.close();
    ss.close();
  }, 60_000);

  it('answers unavailable and 503 (sends, handshakes, requests) while it answers nothing at all (frozen), stores the retry once and leaves no socket behind', async () => {
    // An instance with a shorter statement timeout, so that the wait for an answer (4.5 s) is
    // shorter too, and longer than the 3 s a new pooled connection is given to connect.
    const short = await startTestApp(embedded.url, { DATABASE_STATEMENT_TIMEOUT_MS: '2500' });
    const admin = await loginStaff(short.baseUrl);
    const guest = await joinGuest(short.baseUrl, (await checkIn(short.baseUrl, admin.accessToken)).joinCode);
    const gs = await connect(short.wsUrl, guest.accessToken);
    // Connections open and idle in the pool, so that the send and the handshake below reach the
    // database and wait for its answer.
    const pool = poolOf(short.app.get(DataSource));
    await Promise.all([1, 2, 3, 4].map(() => pool.query('SELECT pg_sleep(0.05)')));
    expect(pool.idleCount).toBeGreaterThanOrEqual(3);
    let thaw: (() => void) | undefined = freezePostgres(path.join(dir!, 'pg'));
    try {
      const started = Date.now();
      const frozen = gs.sendMessage(guest.conversationId, 'while it is frozen');
      const refused = handshakeStatus(short.wsUrl, ['bellhop.v1', `bearer.${admin.accessToken}`]);
      const page = request('GET', `${short.baseUrl}/api/stays`, { token: admin.accessToken });
      expect((await gs.waitFor('error', (d) => d.ref === frozen, 10_000)).data.code).toBe('unavailable');
      // Not the database's statement timeout (it cannot run): the server's own wait for an answer.
      expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
      expect(await refused).toBe(503);
      expect((await page).status).toBe(503);
      expect(gs.ofEvent('message.ack')).toEqual([]);

      thaw();
      thaw = undefined;
      const check = new pg.Client({ connectionString: embedded.url });
      await check.connect();
      try {
        // Answered unavailable, so not stored: the batch the database runs once it is back is too
        // late to commit.
        await eventually(
          async () =>
            (await check.query(`SELECT 1 FROM pg_stat_activity WHERE query LIKE '%bellhop_send_batch%' AND state = 'active' AND pid <> pg_backend_pid()`)).rowCount === 0,
          10_000,
          'the late batch has run',
        );
        await sleep(500);
        expect((await check.query('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [guest.conversationId])).rows).toEqual([{ n: 0 }]);
        await retryUntilAcked(gs, guest.conversationId, 'while it is frozen', frozen);
        const { rows } = await check.query('SELECT seq, body FROM messages WHERE conversation_id = $1', [guest.conversationId]);
        expect(rows).toEqual([{ seq: 1, body: 'while it is frozen' }]);
        // The refused handshake's socket, registered once the database ran it, does not stay to
        // count against the staff member's limit.
        await eventually(
          async () => (await check.query(`SELECT 1 FROM realtime_sockets WHERE subject_type = 'staff'`)).rowCount === 0,
          10_000,
          'no socket row left for the refused handshake',
        );
      } finally {
        await check.end();
      }
      expect(await handshakeStatus(short.wsUrl, ['bellhop.v1', `bearer.${admin.accessToken}`])).toBe(101);
    } finally {
      thaw?.();
      gs.close();
      await short.close();
    }
  }, 60_000);
});

describe('a database that does not answer in time', () => {
  let db: TestDatabase;
  let t: TestApp | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { DATABASE_STATEMENT_TIMEOUT_MS: '1500' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('gives its own connections the statement timeout', async () => {
    const [row] = (await t!.app.get(DataSource).query(`SELECT current_setting('statement_timeout') AS timeout`)) as { timeout: string }[];
    expect(row.timeout).toBe('1500ms');
  });

  it('answers unavailable and 503 while a lock holds it up, serves everyone else, and stores the retry once', async () => {
    const admin = await loginStaff(t!.baseUrl);
    const guest = await joinGuest(t!.baseUrl, (await checkIn(t!.baseUrl, admin.accessToken)).joinCode);
    const other = await joinGuest(t!.baseUrl, (await checkIn(t!.baseUrl, admin.accessToken)).joinCode);
    const gs = await connect(t!.wsUrl, guest.accessToken);
    const os2 = await connect(t!.wsUrl, other.accessToken);
    // Another session holds the guest's conversation and the socket registry, and never lets go.
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE', [guest.conversationId]);
      await blocker.query('LOCK TABLE realtime_sockets IN EXCLUSIVE MODE');

      // Sent together, so that both go into one group-commit batch.
      const held = gs.sendMessage(guest.conversationId, 'held up');
      const elsewhere = os2.sendMessage(other.conversationId, 'another room');
      expect((await gs.waitFor('error', (d) => d.ref === held, 10_000)).data.code).toBe('unavailable');
      expect((await os2.waitFor('message.ack', (d) => d.clientMsgId === elsewhere, 10_000)).data.message.seq).toBe(1);
      expect(await handshakeStatus(t!.wsUrl, ['bellhop.v1', `bearer.${admin.accessToken}`])).toBe(503);

      await blocker.query('ROLLBACK');
      gs.sendMessage(guest.conversationId, 'held up', held);
      expect((await gs.waitFor('message.ack', (d) => d.clientMsgId === held, 10_000)).data.message.seq).toBe(1);
      expect(await handshakeStatus(t!.wsUrl, ['bellhop.v1', `bearer.${admin.accessToken}`])).toBe(101);
      const { rows } = await db.query<{ body: string }>('SELECT body FROM messages WHERE conversation_id = $1', [guest.conversationId]);
      expect(rows).toEqual([{ body: 'held up' }]);
    } finally {
      await blocker.end();
      gs.close();
      os2.close();
    }
  }, 30_000);

  // The refresh reads the guest's stay (with its conversation) or the staff member after rotating
  // the token; another session holds that read up.
  it.each([
    { who: 'a guest', table: 'conversations' },
    { who: 'a staff member', table: 'staff_users' },
  ])('writes nothing of the refresh of $who whose answer could not be read, so the same cookie works once it can', async ({ who, table }) => {
    const admin = await loginStaff(t!.baseUrl);
    const cookie = who === 'a guest' ? (await joinGuest(t!.baseUrl, (await checkIn(t!.baseUrl, admin.accessToken)).joinCode)).cookie : admin.cookie;
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      expect((await refresh(t!.baseUrl, cookie)).status).toBe(503);
      await blocker.query('ROLLBACK');
    } finally {
      await blocker.end();
    }
    const again = await refresh(t!.baseUrl, cookie);
    expect(again.status).toBe(200);
    expect(again.cookie).toBeDefined();
  }, 30_000);

  it('stores nothing of a check-in whose answer could not be read, so its retry is not refused as a taken room', async () => {
    const admin = await loginStaff(t!.baseUrl);
    // The answer's read fails once, as a statement timeout would make it (it cannot be held up by
    // another session: it reads rows only this transaction has seen).
    const repo = t!.app.get(StaysRepository);
    const find = repo.find;
    repo.find = () => {
      repo.find = find;
      return Promise.reject(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }));
    };
    const body = { guestName: 'Ada', familyName: 'Lovelace', roomNumber: 'R-503', checkOut: new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10) };
    try {
      expect((await request('POST', `${t!.baseUrl}/api/stays`, { token: admin.accessToken, body })).status).toBe(503);
    } finally {
      repo.find = find;
    }
    expect((await db.query(`SELECT id FROM stays WHERE room_number = 'R-503'`)).rows).toEqual([]);
    expect((await request('POST', `${t!.baseUrl}/api/stays`, { token: admin.accessToken, body })).status).toBe(201);
  });
});

describe('a bus connection that dies without a word', () => {
  let db: TestDatabase;
  let proxy: PgProxy;
  let t: TestApp | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await startPgProxy(db.url);
    // Statement timeout 4 s: the bus connection must answer its pings within 6 s. So the loss is
    // noticed more than 5 s (the catch-up's margin for clocks) after the message below: only a
    // catch-up from when the connection last answered finds it.
    t = await startTestApp(proxy.url, { DATABASE_STATEMENT_TIMEOUT_MS: '4000' });
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await db?.drop();
  });

  it('is noticed and replaced, and what was committed meanwhile is delivered', async () => {
    const admin = await loginStaff(t!.baseUrl);
    const guest = await joinGuest(t!.baseUrl, (await checkIn(t!.baseUrl, admin.accessToken)).joinCode);
    const gs = await connect(t!.wsUrl, guest.accessToken);
    const ss = await connect(t!.wsUrl, admin.accessToken);
    try {
      proxy.silenceBus();
      // Stored and acked (the pool's connections are fine), but the notification goes nowhere.
      const id = ss.sendMessage(guest.conversationId, 'your taxi is here');
      await ss.waitFor('message.ack', (d) => d.clientMsgId === id);
      const delivered = await gs.waitFor('message.new', (d) => d.message.clientMsgId === id, 20_000);
      expect(delivered.data.message.body).toBe('your taxi is here');
    } finally {
      gs.close();
      ss.close();
    }
  }, 30_000);

  it('once replaced, closes the sockets of sessions ended meanwhile and passes on the reads, names and changes it missed', async () => {
    const admin = await loginStaff(t!.baseUrl);
    const stayA = await checkIn(t!.baseUrl, admin.accessToken);
    const stayB = await checkIn(t!.baseUrl, admin.accessToken);
    const a = await joinGuest(t!.baseUrl, stayA.joinCode);
    const b = await joinGuest(t!.baseUrl, stayB.joinCode);
    const as = await connect(t!.wsUrl, a.accessToken);
    const bs = await connect(t!.wsUrl, b.accessToken);
    const ss = await connect(t!.wsUrl, admin.accessToken);
    try {
      const id = as.sendMessage(a.conversationId, 'is breakfast served in the room?');
      await ss.waitFor('message.new', (d) => d.message.clientMsgId === id);
      proxy.silenceBus();
      // Both are stored; their notifications go nowhere.
      ss.send('conversation.read', { conversationId: a.conversationId, seq: 1 });
      expect((await checkOut(t!.baseUrl, admin.accessToken, stayB.stay.id)).status).toBe(200);
      const renamed = await request('PATCH', `${t!.baseUrl}/api/staff/${admin.user.id}`, { token: admin.accessToken, body: { displayName: 'Night Desk' } });
      expect(renamed.status).toBe(200);
      const read = await as.waitFor('conversation.read', (d) => d.reader.type === 'staff' && d.seq === 1, 20_000);
      expect(read.data).toEqual({ conversationId: a.conversationId, reader: { type: 'staff', id: admin.user.id }, seq: 1 });
      expect(await bs.closed).toEqual({ code: 4401, reason: 'session ended' });
      await ss.waitFor('conversation.updated', (d) => d.conversation.id === b.conversationId && d.conversation.status === 'resolved', 5_000);
      // The catch-up passed the read on before that change: not to the connection that read.
      expect(ss.ofEvent('conversation.read').filter((d) => d.reader.type === 'staff')).toEqual([]);
      expect(as.closeCode).toBeUndefined();
      // The open staff socket sends under the name given while the bus was deaf.
      const reply = ss.sendMessage(a.conversationId, 'it is, until eleven');
      expect((await as.waitFor('message.new', (d) => d.message.clientMsgId === reply)).data.message.sender.name).toBe('Night Desk');
    } finally {
      as.close();
      bs.close();
      ss.close();
    }
  }, 40_000);
});

describe('graceful shutdown', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('answers every send it took before closing sockets with 1001', async () => {
    const t = await startTestApp(db.url);
    const admin = await loginStaff(t.baseUrl);
    const stay = await checkIn(t.baseUrl, admin.accessToken);
    const guest = await joinGuest(t.baseUrl, stay.joinCode);
    const gs = await connect(t.wsUrl, guest.accessToken);
    const ss = await connect(t.wsUrl, admin.accessToken);
    for (let i = 0; i < 20; i++) gs.sendMessage(guest.conversationId, `last words ${i}`);
    await gs.waitFor('message.ack');
    await t.close();
    expect((await gs.closed).code).toBe(1001);
    expect((await ss.closed).code).toBe(1001);
    const { rows } = await db.query<{ client_msg_id: string }>('SELECT client_msg_id FROM messages WHERE conversation_id = $1', [guest.conversationId]);
    // Nothing stored without its ack having been sent.
    expect(new Set(gs.ofEvent('message.ack').map((a) => a.clientMsgId))).toEqual(new Set(rows.map((r) => r.client_msg_id)));
  }, 30_000);
});
