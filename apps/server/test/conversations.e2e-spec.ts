import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ConversationPage, ConversationSummary, SearchPage, TranscriptJson } from '@bellhop/protocol';
import { searchStatement } from '../src/modules/conversations/conversations.repository.js';
import { EAST_ASIAN_LETTER, letterPairs } from '../src/modules/conversations/search-terms.js';
import { RealtimeRepository } from '../src/modules/realtime/realtime.repository.js';
import { startTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, searchIndexPending, type TestDatabase } from './support/database.js';
import { checkIn, checkOut, createStaff, joinGuest, loginStaff, request, type GuestLogin, type StaffLogin } from './support/http.js';
import { connect, eventually, type TestSocket } from './support/ws.js';

describe('conversations: inbox, status, search, transcript', () => {
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
  const newGuest = async (guestName = 'Ada'): Promise<GuestLogin & { stayId: string; roomNumber: string }> => {
    const stay = await checkIn(t.baseUrl, admin.accessToken, { guestName });
    return { ...(await joinGuest(t.baseUrl, stay.joinCode)), stayId: stay.stay.id, roomNumber: stay.stay.roomNumber };
  };
  const say = async (s: TestSocket, conversationId: string, body: string) => {
    const id = s.sendMessage(conversationId, body);
    return (await s.waitFor('message.ack', (d) => d.clientMsgId === id)).data.message;
  };

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

  it('lists conversations newest activity first in cursor pages, with unread per staff member', async () => {
    const guests = [await newGuest(), await newGuest(), await newGuest()];
    const gs = await open(guests[0].accessToken);
    await say(gs, guests[0].conversationId, 'one');
    await say(gs, guests[0].conversationId, 'two');
    const ss = await open(agent.accessToken);
    ss.send('conversation.read', { conversationId: guests[0].conversationId, seq: 1 });
    await ss.waitFor('conversation.updated', (d) => d.conversation.id === guests[0].conversationId);

    const all: ConversationSummary[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: ConversationPage } = await request<ConversationPage>('GET', `${t.baseUrl}/api/conversations?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: agent.accessToken });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      all.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    const ids = all.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toBe(guests[0].conversationId);
    // Without messages, activity is the creation: the later stay comes first.
    expect(ids.indexOf(guests[2].conversationId)).toBeLessThan(ids.indexOf(guests[1].conversationId));
    for (const g of guests) expect(ids).toContain(g.conversationId);
    expect(all[0]).toMatchObject({ stay: { id: guests[0].stayId, roomNumber: guests[0].roomNumber, guestName: 'Ada', status: 'active' }, status: 'open', assigneeId: null, lastSeq: 2, unread: 1, lastMessage: { body: 'two', seq: 2 } });
    const forAdmin = await request<ConversationPage>('GET', `${t.baseUrl}/api/conversations`, { token: admin.accessToken });
    expect(forAdmin.body.items.find((c) => c.id === guests[0].conversationId)!.unread).toBe(2);

    expect((await request('GET', `${t.baseUrl}/api/conversations?cursor=garbage`, { token: agent.accessToken })).status).toBe(400);
    expect((await request('GET', `${t.baseUrl}/api/conversations?limit=101`, { token: agent.accessToken })).status).toBe(400);
    expect((await request('GET', `${t.baseUrl}/api/conversations`, { token: guests[0].accessToken })).status).toBe(403);
    expect((await request('GET', `${t.baseUrl}/api/conversations`)).status).toBe(401);
  });

  it('changes status and assignee, checks the assignee, and tells staff', async () => {
    const g = await newGuest();
    const ss = await open(admin.accessToken);
    const url = `${t.baseUrl}/api/conversations/${g.conversationId}`;
    const res = await request<ConversationSummary>('PATCH', url, { token: agent.accessToken, body: { assigneeId: agent.user.id } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: g.conversationId, assigneeId: agent.user.id, status: 'open' });
    await ss.waitFor('conversation.updated', (d) => d.conversation.id === g.conversationId && d.conversation.assigneeId === agent.user.id);

    const resolved = await request<ConversationSummary>('PATCH', url, { token: agent.accessToken, body: { status: 'resolved', assigneeId: null } });
    expect(resolved.body).toMatchObject({ status: 'resolved', assigneeId: null });
    const open_ = await request<ConversationPage>('GET', `${t.baseUrl}/api/conversations?status=open&limit=100`, { token: agent.accessToken });
    expect(open_.body.items.map((c) => c.id)).not.toContain(g.conversationId);
    const resolvedList = await request<ConversationPage>('GET', `${t.baseUrl}/api/conversations?status=resolved`, { token: agent.accessToken });
    expect(resolvedList.body.items.map((c) => c.id)).toContain(g.conversationId);

    const disabled = await createStaff(t.baseUrl, admin.accessToken);
    await request('PATCH', `${t.baseUrl}/api/staff/${disabled.user.id}`, { token: admin.accessToken, body: { disabled: true } });
    for (const assigneeId of [randomUUID(), disabled.user.id]) {
      const bad = await request<{ message: string[] }>('PATCH', url, { token: agent.accessToken, body: { assigneeId } });
      expect(bad.status).toBe(400);
    }
    expect((await request('PATCH', url, { token: agent.accessToken, body: { status: 'closed' } })).status).toBe(400);
    expect((await request('PATCH', url, { token: agent.accessToken, body: { nope: 1 } })).status).toBe(400);
    expect((await request('PATCH', `${t.baseUrl}/api/conversations/${randomUUID()}`, { token: agent.accessToken, body: { status: 'open' } })).status).toBe(404);
    expect((await request('PATCH', `${t.baseUrl}/api/conversations/not-an-id`, { token: agent.accessToken, body: { status: 'open' } })).status).toBe(400);
    expect((await request('PATCH', url, { token: g.accessToken, body: { status: 'open' } })).status).toBe(403);
  });

  it('searches whole words in any case, newest first, in pages, including checked-out stays; staff only', async () => {
    const g1 = await newGuest();
    const g2 = await newGuest();
    const s1 = await open(g1.accessToken);
    const s2 = await open(g2.accessToken);
    const word = `zebra${Date.now().toString(36)}`;
    const older = await say(s1, g1.conversationId, `The ${word.toUpperCase()} is in the lobby`);
    await say(s1, g1.conversationId, `not a ${word}s match`);
    const newer = await say(s2, g2.conversationId, `another ${word}, please`);
    await checkOut(t.baseUrl, agent.accessToken, g1.stayId);

    const first = await request<SearchPage>('GET', `${t.baseUrl}/api/search?q=${word}&limit=1`, { token: agent.accessToken });
    expect(first.status).toBe(200);
    expect(first.body.items.map((i) => i.message.id)).toEqual([newer.id]);
    expect(first.body.items[0].conversation).toMatchObject({ id: g2.conversationId });
    const second = await request<SearchPage>('GET', `${t.baseUrl}/api/search?q=${word}&limit=1&cursor=${first.body.nextCursor}`, { token: agent.accessToken });
    expect(second.body.items.map((i) => i.message.id)).toEqual([older.id]);
    expect(second.body.items[0].conversation.stay.status).toBe('checked_out');
    expect(second.body.nextCursor).toBeNull();

    expect((await request('GET', `${t.baseUrl}/api/search?q=x`, { token: agent.accessToken })).status).toBe(400);
    expect((await request('GET', `${t.baseUrl}/api/search?q=${word}&limit=101`, { token: agent.accessToken })).status).toBe(400);
    expect((await request('GET', `${t.baseUrl}/api/search?q=${word}`, { token: g2.accessToken })).status).toBe(403);
  });

  it('finds Chinese, Japanese and Korean words inside the text they are written in, alone or with spaced words', async () => {
    const g = await newGuest();
    const s = await open(g.accessToken);
    const tag = Date.now().toString(36);
    const asked = await say(s, g.conversationId, `你好，请问早餐几点？ wifi${tag}`);
    const other = await say(s, g.conversationId, `房间的无线网络密码是什么 wifi${tag}`);
    const search = async (q: string) =>
      (await request<SearchPage>('GET', `${t.baseUrl}/api/search?q=${encodeURIComponent(q)}`, { token: agent.accessToken })).body.items.map((i) => i.message.id);
    expect(await search('早餐')).toEqual([asked.id]);
    expect(await search('你好')).toEqual([asked.id]);
    expect(await search('请问 几点')).toEqual([asked.id]);
    expect(await search(`wifi${tag} 密码`)).toEqual([other.id]);
    expect(await search(`wifi${tag}`)).toEqual([other.id, asked.id]);
    expect(await search(`早餐 密码`)).toEqual([]);
    // Punctuation alone finds nothing, as before.
    expect(await search('？？')).toEqual([]);
  });

  it('finds katakana words with the long-vowel mark, East Asian letters written with Latin ones or digits, and single letters', async () => {
    const g = await newGuest();
    const s = await open(g.accessToken);
    const tag = Date.now().toString(36);
    const coffee = await say(s, g.conversationId, `ホットコーヒーを二つお願いします ${tag}`);
    const room = await say(s, g.conversationId, `房间101的毛巾不够 ${tag}`);
    const wifi = await say(s, g.conversationId, `请问WiFi密码是多少？ ${tag}`);
    const search = async (q: string) =>
      (await request<SearchPage>('GET', `${t.baseUrl}/api/search?q=${encodeURIComponent(q)}`, { token: agent.accessToken })).body.items.map((i) => i.message.id);
    expect(await search('コーヒー')).toEqual([coffee.id]);
    expect(await search('房间101')).toEqual([room.id]);
    expect(await search('房间102')).toEqual([]);
    expect(await search('wifi密码')).toEqual([wifi.id]);
    expect(await search(`毛巾 ${tag}`)).toEqual([room.id]);
    // Letters alone, with a word or without (a search has at least 2 characters).
    expect(await search(`巾 ${tag}`)).toEqual([room.id]);
    expect(await search('巾 毛')).toEqual([room.id]);
  });

  it('finds what was typed from East Asian text with prices, versions, addresses and floors in it', async () => {
    const g = await newGuest();
    const s = await open(g.accessToken);
    const tag = Date.now().toString(36);
    const texts = ['早餐3.5元一位', '请登录example.com密码在卡上', '请升级到v1.2版本', '加1/2杯牛奶', '发到user@mail.com的邮箱', '我在3楼，10点到，2024年3月再来'];
    const said = [];
    for (const text of texts) said.push(await say(s, g.conversationId, `${text} ${tag}`));
    const search = async (q: string) =>
      (await request<SearchPage>('GET', `${t.baseUrl}/api/search?q=${encodeURIComponent(q)}`, { token: agent.accessToken })).body.items.map((i) => i.message.id);
    expect(await search('3.5元')).toEqual([said[0].id]);
    expect(await search('example.com密码')).toEqual([said[1].id]);
    expect(await search('v1.2版本')).toEqual([said[2].id]);
    expect(await search('1/2杯')).toEqual([said[3].id]);
    expect(await search('user@mail.com的')).toEqual([said[4].id]);
    expect(await search('3楼')).toEqual([said[5].id]);
    expect(await search('10点到')).toEqual([said[5].id]);
    expect(await search('2024年3月')).toEqual([said[5].id]);
    expect(await search('4楼')).toEqual([]);
    const fullWidth = await say(s, g.conversationId, `在３階 ${tag}`);
    expect(await search('３階')).toEqual([fullWidth.id]);
  });

  it('pairs letters in the database as the search does', async () => {
    // Every range's edges, then code points picked across the planes: each written twice, with a
    // digit between, so that each one that counts makes pairs.
    const edges = [...EAST_ASIAN_LETTER.matchAll(/\\u\{?([0-9A-F]+)\}?/g)].map((m) => parseInt(m[1], 16)).flatMap((cp) => [cp - 1, cp, cp + 1]);
    let x = 7;
    const sampled = Array.from({ length: 3000 }, () => (x = (x * 48271) % 2147483647) % 0x32000);
    const points = [...edges, ...sampled].filter((cp) => cp > 0x20 && (cp < 0xd800 || cp > 0xdfff));
    const text = points.map((cp) => `${String.fromCodePoint(cp)}7${String.fromCodePoint(cp)} `).join('') + ' ３階１０点 ９/10号 ０';
    const { rows } = await db.query<{ pairs: string[] }>('SELECT tsvector_to_array(bellhop_cjk_grams($1)) AS pairs', [text]);
    expect(new Set(rows[0].pairs)).toEqual(new Set(letterPairs(text)));
    expect(rows[0].pairs.length).toBeGreaterThan(1000);
    const has = await db.query<{ has: boolean }>('SELECT bellhop_has_cjk($1) AS has', ['7 Extra towels, 3.5 please!']);
    expect(has.rows[0].has).toBe(false);
  });

  it('looks East Asian searches up in their own index, not by reading every message', async () => {
    const statement = searchStatement('早餐 wifi密码', null, 20)!;
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      // Whether the index can serve the search at all: on a table this small a scan costs less.
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      await client.query('SET LOCAL enable_indexscan = off');
      const plan = (await client.query<{ 'QUERY PLAN': string }>({ text: `EXPLAIN ${statement.text}`, values: statement.values })).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toContain('messages_body_cjk_idx');
    } finally {
      await client.end();
    }
  });

  it('merges the search index pending list in bulk shortly after messages are stored', async () => {
    const g = await newGuest();
    const s = await open(g.accessToken);
    const word = `heron${Date.now().toString(36)}`;
    const said = [];
    for (let i = 0; i < 5; i++) said.push(await say(s, g.conversationId, `${word} number ${i}`));
    const pairs = await say(s, g.conversationId, `${word} 鹭鸶第六`);
    // Found at once (send-batch spec: from the pending list, through the index)...
    const hits = await request<SearchPage>('GET', `${t.baseUrl}/api/search?q=${word}`, { token: agent.accessToken });
    expect(hits.body.items.map((i) => i.message.id)).toEqual([...said, pairs].map((m) => m.id).reverse());
    const found = await request<SearchPage>('GET', `${t.baseUrl}/api/search?q=${encodeURIComponent('鹭鸶第六')}`, { token: agent.accessToken });
    expect(found.body.items.map((i) => i.message.id)).toEqual([pairs.id]);
    // ...and merged into the indexes proper by the server, not left for autovacuum.
    await eventually(async () => (await searchIndexPending(db)) === 0, 5_000, 'an empty pending list');
    await eventually(async () => (await searchIndexPending(db, 'messages_body_cjk_idx')) === 0, 5_000, 'an empty pending list of letter pairs');
  });

  it('exports a transcript as txt or json for staff and for the guest of that stay', async () => {
    const g = await newGuest('Grace');
    const gs = await open(g.accessToken);
    const ss = await open(agent.accessToken);
    const m1 = await say(gs, g.conversationId, 'Hello\nsecond line');
    await say(ss, g.conversationId, 'Hi Grace');
    const stamp = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;

    const txt = await request<string>('GET', `${t.baseUrl}/api/conversations/${g.conversationId}/transcript?format=txt`, { token: g.accessToken });
    expect(txt.status).toBe(200);
    expect(txt.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"]+\.txt"$/);
    expect(txt.headers.get('content-type')).toMatch(/^text\/plain/);
    const lines = txt.body.trimEnd().split('\n');
    expect(lines[0]).toBe(`[${stamp(m1.createdAt)}] Grace: Hello`);
    expect(lines[1]).toBe('  second line');
    expect(lines[2]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\dZ\] Reception: Hi Grace$/);

    const json = await request<TranscriptJson>('GET', `${t.baseUrl}/api/conversations/${g.conversationId}/transcript?format=json`, { token: agent.accessToken });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"]+\.json"$/);
    expect(json.body.conversation).toMatchObject({ id: g.conversationId, lastSeq: 2 });
    expect(json.body.messages.map((m) => m.body)).toEqual(['Hello\nsecond line', 'Hi Grace']);
    expect((await request('GET', `${t.baseUrl}/api/conversations/${g.conversationId}/transcript?format=pdf`, { token: agent.accessToken })).status).toBe(400);
    expect((await request('GET', `${t.baseUrl}/api/conversations/${randomUUID()}/transcript`, { token: agent.accessToken })).status).toBe(404);
  });

  it('answers one conversation to staff (with their unread) and to the guest of that stay; others get 404 as for a missing one', async () => {
    const stay = await checkIn(t.baseUrl, admin.accessToken, { guestName: 'Mary', familyName: 'Shelley' });
    const g = await joinGuest(t.baseUrl, stay.joinCode);
    const other = await newGuest();
    const gs = await open(g.accessToken);
    await say(gs, g.conversationId, 'one');
    await say(gs, g.conversationId, 'two');
    const ss = await open(agent.accessToken);
    ss.send('conversation.read', { conversationId: g.conversationId, seq: 1 });
    await ss.waitFor('conversation.updated', (d) => d.conversation.id === g.conversationId);

    const url = `${t.baseUrl}/api/conversations/${g.conversationId}`;
    const forAgent = await request<ConversationSummary>('GET', url, { token: agent.accessToken });
    expect(forAgent.status).toBe(200);
    expect(forAgent.body).toEqual({
      id: g.conversationId,
      stay: { id: stay.stay.id, roomNumber: stay.stay.roomNumber, guestName: 'Mary', familyName: 'Shelley', checkOut: stay.stay.checkOut, status: 'active' },
      status: 'open',
      assigneeId: null,
      lastSeq: 2,
      lastMessage: expect.objectContaining({ body: 'two', seq: 2 }),
      unread: 1,
      guestReadSeq: 2,
      updatedAt: expect.any(String),
    });
    // The same conversation as the inbox page shows it.
    const page = await request<ConversationPage>('GET', `${t.baseUrl}/api/conversations?limit=100`, { token: agent.accessToken });
    expect(page.body.items.find((c) => c.id === g.conversationId)).toEqual(forAgent.body);
    expect((await request<ConversationSummary>('GET', url, { token: admin.accessToken })).body.unread).toBe(2);
    const forGuest = await request<ConversationSummary>('GET', url, { token: g.accessToken });
    expect(forGuest.status).toBe(200);
    expect(forGuest.body).toMatchObject({ id: g.conversationId, lastSeq: 2, stay: { id: stay.stay.id, familyName: 'Shelley' } });

    const missing = await request('GET', `${t.baseUrl}/api/conversations/${randomUUID()}`, { token: other.accessToken });
    const notHers = await request('GET', url, { token: other.accessToken });
    expect(notHers.status).toBe(404);
    expect(notHers.body).toEqual(missing.body);
    expect((await request('GET', `${t.baseUrl}/api/conversations/${randomUUID()}`, { token: agent.accessToken })).status).toBe(404);
    expect((await request('GET', `${t.baseUrl}/api/conversations/not-an-id`, { token: agent.accessToken })).status).toBe(400);
    expect((await request('GET', `${t.baseUrl}/api/conversations/not-an-id`, { token: g.accessToken })).status).toBe(400);
    expect((await request('GET', url)).status).toBe(401);

    // A checked-out guest's token no longer works; staff still see the conversation.
    expect((await checkOut(t.baseUrl, agent.accessToken, stay.stay.id)).status).toBe(200);
    expect((await request('GET', url, { token: g.accessToken })).status).toBe(401);
    expect((await request<ConversationSummary>('GET', url, { token: agent.accessToken })).body).toMatchObject({ status: 'resolved', stay: { status: 'checked_out' } });
  });

  it('notes which connection moved a read cursor, for as long as the cursor stays where it moved it', async () => {
    const g = await newGuest();
    const gs = await open(g.accessToken);
    const first = await open(agent.accessToken);
    const second = await open(agent.accessToken);
    await say(gs, g.conversationId, 'is the pool open?');
    const since = new Date(Date.now() - 60_000);
    const repo = t.app.get(RealtimeRepository);
    const cursorOf = async () => (await repo.changedSince(since)).reads.find((r) => r.conversationId === g.conversationId && r.readerType === 'staff');

    first.send('conversation.read', { conversationId: g.conversationId, seq: 1 });
    await second.waitFor('conversation.read', (d) => d.conversationId === g.conversationId && d.seq === 1);
    const connectionId = (await cursorOf())?.origin;
    expect(connectionId).toEqual(expect.any(String));
    // A reply from the other connection moves the cursor too (its sender has read it): not by the first.
    await say(second, g.conversationId, 'until ten tonight');
    expect(await cursorOf()).toMatchObject({ seq: 2, origin: null });
  });

  it("shows staff how far the guest has read, in pages, search hits and conversation.updated", async () => {
    const g = await newGuest();
    const gs = await open(g.accessToken);
    const ss = await open(agent.accessToken);
    const word = `kiwi${Date.now().toString(36)}`;
    await say(ss, g.conversationId, `first ${word}`);
    await say(ss, g.conversationId, 'second');
    const listed = async () => (await request<ConversationPage>('GET', `${t.baseUrl}/api/conversations?limit=100`, { token: admin.accessToken })).body.items.find((c) => c.id === g.conversationId);
    expect(await listed()).toMatchObject({ guestReadSeq: 0, stay: { familyName: 'Lovelace' } });

    gs.send('conversation.read', { conversationId: g.conversationId, seq: 1 });
    const updated = await ss.waitFor('conversation.updated', (d) => d.conversation.id === g.conversationId && d.conversation.guestReadSeq === 1);
    expect(updated.data.conversation.stay.familyName).toBe('Lovelace');
    expect(await listed()).toMatchObject({ guestReadSeq: 1 });
    const hits = await request<SearchPage>('GET', `${t.baseUrl}/api/search?q=${word}`, { token: agent.accessToken });
    expect(hits.body.items[0].conversation).toMatchObject({ id: g.conversationId, guestReadSeq: 1, stay: { familyName: 'Lovelace' } });
    // A staff member's own reads are not the guest's.
    ss.send('conversation.read', { conversationId: g.conversationId, seq: 2 });
    await ss.waitFor('conversation.updated', (d) => d.conversation.id === g.conversationId && d.conversation.unread === 0 && d.conversation.lastSeq === 2, 5_000);
    await ss.ping();
    expect(await listed()).toMatchObject({ guestReadSeq: 1 });
  });

  it('announces a new stay to staff with conversation.updated', async () => {
    const ss = await open(agent.accessToken);
    const stay = await checkIn(t.baseUrl, admin.accessToken);
    const u = await ss.waitFor('conversation.updated', (d) => d.conversation.id === stay.stay.conversationId);
    expect(u.data.conversation).toMatchObject({ status: 'open', lastSeq: 0, lastMessage: null, unread: 0, stay: { id: stay.stay.id } });
  });
});
