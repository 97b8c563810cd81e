import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { DataSource } from 'typeorm';
import { poolOf } from '../src/common/sql.js';
import { dataSourceOptions } from '../src/database/data-source.js';
import { createLogger } from '../src/common/logger.js';
import { MessagesRepository, SEARCH_INDEX_MERGE_LOCK, type SendRequest } from '../src/modules/messages/messages.repository.js';
import { SearchIndexJobs } from '../src/modules/messages/search-index.jobs.js';
import { StaysRepository } from '../src/modules/stays/stays.repository.js';
import { listenToBus, type BusListener } from './support/bus.js';
import { createTestDatabase, searchIndexPending, type TestDatabase } from './support/database.js';
import { eventually, sleep } from './support/ws.js';

// The group commit (the bellhop_send_batch function) against a real Postgres: outcomes, seqs,
// rows, conversations, read cursors and the bus notifications it sends.

/** A batch with a deadline far enough off not to matter here (see the deadline's own test). */
const commitSoon = (repo: MessagesRepository, requests: SendRequest[]) => repo.commitBatch(requests, new Date(Date.now() + 60_000));

describe('the group commit of a batch of sends', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let repo: MessagesRepository;
  let bus: BusListener;

  async function stay(status: 'active' | 'checked_out' = 'active'): Promise<{ stayId: string; conversationId: string }> {
    const code = randomUUID().replace(/-/g, '').slice(0, 8).toUpperCase();
    const { rows } = await db.query<{ stay_id: string; conversation_id: string }>(
      `WITH s AS (
         INSERT INTO stays (guest_name, family_name, family_name_key, room_number, check_in, check_out, status, join_code, checked_out_at)
         VALUES ('Ana', 'Silva', 'silva', $1, current_date, current_date + 1, $2, $3, CASE WHEN $2 = 'checked_out' THEN now() END)
         RETURNING id
       )
       INSERT INTO conversations (stay_id) SELECT id FROM s RETURNING stay_id, id AS conversation_id`,
      [`R-${code}`, status, code],
    );
    return { stayId: rows[0].stay_id, conversationId: rows[0].conversation_id };
  }

  const guestSend = (s: { stayId: string; conversationId: string }, body: string, clientMsgId = randomUUID(), origin?: string): SendRequest => ({
    conversationId: s.conversationId,
    clientMsgId,
    body,
    sender: { type: 'guest', id: s.stayId, name: 'Ana' },
    origin,
  });

  const pending = () => searchIndexPending(db);
  /** Runs `fn` while another connection (another instance) holds the search index merge. */
  async function whileAnotherMerges(fn: () => Promise<void>): Promise<void> {
    const other = await poolOf(ds).connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [SEARCH_INDEX_MERGE_LOCK]);
      await fn();
    } finally {
      await other.query('ROLLBACK');
      other.release();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url));
    await ds.initialize();
    repo = new MessagesRepository(ds);
    bus = await listenToBus(db.url);
  });
  afterAll(async () => {
    await bus?.close();
    await ds?.destroy();
    await db?.drop();
  });
  beforeEach(async () => {
    await bus.flush();
    bus.events.length = 0;
    bus.payloadBytes.length = 0;
  });

  it('answers every request in order: stored with gapless seqs, duplicates with the original, not_found, forbidden', async () => {
    const a = await stay();
    const b = await stay();
    const out = await stay('checked_out');
    const earlier = guestSend(a, 'stored before');
    const [first] = await commitSoon(repo, [earlier]);
    expect(first).toMatchObject({ kind: 'stored', message: { seq: 1, body: 'stored before' } });
    await bus.flush();
    bus.events.length = 0;
    bus.payloadBytes.length = 0;

    const repeated = guestSend(a, 'twice in one batch');
    const outcomes = await commitSoon(repo, [
      guestSend(a, 'one', undefined, 'socket-1'),
      repeated,
      { ...earlier, body: 'a retry may differ' },
      { ...guestSend(a, 'into a foreign stay'), conversationId: b.conversationId },
      guestSend(out, 'after check-out'),
      { ...guestSend(a, 'nowhere'), conversationId: randomUUID() },
      { ...repeated, body: 'the repeat' },
      guestSend(b, 'b one'),
      guestSend(a, 'three'),
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['stored', 'stored', 'duplicate', 'not_found', 'forbidden', 'not_found', 'duplicate', 'stored', 'stored']);
    const seqs = outcomes.map((o) => ('message' in o ? `${o.message.conversationId === a.conversationId ? 'a' : 'b'}${o.message.seq}` : '-'));
    expect(seqs).toEqual(['a2', 'a3', 'a1', '-', '-', '-', 'a3', 'b1', 'a4']);
    // A duplicate answers with what is stored, not with what the retry carried.
    expect(outcomes[2]).toEqual({ kind: 'duplicate', message: (first as { message: unknown }).message });
    expect(outcomes[6]).toEqual({ kind: 'duplicate', message: (outcomes[1] as { message: unknown }).message });
    if (outcomes[0].kind !== 'stored') throw new Error('unreachable');
    expect(outcomes[0].message).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      conversationId: a.conversationId,
      seq: 2,
      clientMsgId: expect.any(String),
      sender: { type: 'guest', id: a.stayId, name: 'Ana' },
      body: 'one',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });

    const rows = await db.query<{ conversation_id: string; seq: number; body: string }>(
      'SELECT conversation_id, seq, body FROM messages WHERE conversation_id = ANY($1::uuid[]) ORDER BY conversation_id = $2 DESC, seq',
      [[a.conversationId, b.conversationId, out.conversationId], a.conversationId],
    );
    expect(rows.rows.map((r) => r.body)).toEqual(['stored before', 'one', 'twice in one batch', 'three', 'b one']);
    const conv = await db.query<{ id: string; last_seq: number; last_message_id: string }>('SELECT id, last_seq, last_message_id FROM conversations WHERE id = ANY($1::uuid[]) ORDER BY last_seq DESC', [
      [a.conversationId, b.conversationId, out.conversationId],
    ]);
    expect(conv.rows.map((r) => r.last_seq)).toEqual([4, 1, 0]);
    if (outcomes[8].kind !== 'stored') throw new Error('unreachable');
    expect(conv.rows[0].last_message_id).toBe(outcomes[8].message.id);
    const cursors = await db.query<{ conversation_id: string; seq: number }>("SELECT conversation_id, seq FROM read_cursors WHERE reader_type = 'guest' ORDER BY seq DESC");
    expect(cursors.rows).toEqual([
      { conversation_id: a.conversationId, seq: 4 },
      { conversation_id: b.conversationId, seq: 1 },
    ]);

    await bus.flush();
    const items = bus.events.flatMap((e) => (e.type === 'messages.committed' ? e.items : []));
    // Only what this batch stored, in seq order per conversation, whole, with the sending socket.
    const stored = outcomes.flatMap((o) => (o.kind === 'stored' ? [o.message] : []));
    expect(items).toEqual(stored.map((m, i) => ({ message: m, id: m.id, conversationId: m.conversationId, seq: m.seq, ...(i === 0 ? { origin: 'socket-1' } : {}) })));
  });

  it('gives messages time-ordered ids (UUIDv7): in request order within a batch, and after those of earlier batches', async () => {
    const a = await stay();
    const b = await stay();
    const ids = async (n: number) =>
      (await commitSoon(repo, Array.from({ length: n }, (_, i) => guestSend(i % 2 ? a : b, `ordered ${i}`)))).map((o) => {
        if (o.kind !== 'stored') throw new Error(`not stored: ${o.kind}`);
        return o.message.id;
      });
    const first = await ids(20);
    await sleep(2);
    const second = await ids(20);
    const all = [...first, ...second];
    for (const id of all) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...all].sort()).toEqual(all);
    // The id's first 48 bits are the time it was made, in ms.
    const madeAt = parseInt(all[0].replace(/-/g, '').slice(0, 12), 16);
    expect(Math.abs(madeAt - Date.now())).toBeLessThan(60_000);
  });

  it('makes a send wait for a check-out of its stay in progress, then refuses it and stores nothing', async () => {
    const s = await stay();
    const stays = new StaysRepository(ds);
    let send: ReturnType<MessagesRepository['commitBatch']> | undefined;
    // The check-out's own statements, in its order (StaysService.checkOut), held open before commit.
    await ds.transaction(async (tx) => {
      await stays.lockStatus(tx, s.stayId);
      await stays.markCheckedOut(tx, s.stayId);
      await stays.resolveConversation(tx, s.stayId);
      send = commitSoon(repo, [guestSend(s, 'sent during check-out')]);
      expect(await Promise.race([send.then(() => 'answered'), sleep(300).then(() => 'waiting')])).toBe('waiting');
    });
    expect((await send!).map((o) => o.kind)).toEqual(['forbidden']);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [s.conversationId]);
    expect(rows[0].n).toBe(0);
  });

  it('does not wait for a lock on the stay alone: the conversation is what a send locks', async () => {
    const s = await stay();
    let send: ReturnType<MessagesRepository['commitBatch']> | undefined;
    await ds.transaction(async (tx) => {
      await new StaysRepository(ds).lockStatus(tx, s.stayId);
      send = commitSoon(repo, [guestSend(s, 'while the stay row is locked')]);
      expect(await Promise.race([send.then(() => 'answered'), sleep(2_000).then(() => 'waiting')])).toBe('answered');
    });
    expect((await send!).map((o) => o.kind)).toEqual(['stored']);
  });

  it('carries any text through the notification exactly as stored', async () => {
    const a = await stay();
    const body = 'He said "hi" \\ then\nleft\ttabbed \u2028 – 你好 😀 </script> \u0001';
    const name = 'Zoë "Z" O\'Neil';
    const outcomes = await commitSoon(repo, [{ ...guestSend(a, body), sender: { type: 'guest', id: a.stayId, name } }, guestSend(a, 'plain', undefined, 'socket-\\"x"')]);
    await bus.flush();
    const items = bus.events.flatMap((e) => (e.type === 'messages.committed' ? e.items : []));
    expect(items).toEqual(
      outcomes.map((o, i) => (o.kind === 'stored' ? { message: o.message, id: o.message.id, conversationId: a.conversationId, seq: o.message.seq, ...(i === 1 ? { origin: 'socket-\\"x"' } : {}) } : null)),
    );
    expect(items[0].message).toMatchObject({ body, sender: { name } });
  });

  it('finds a body by search as soon as it is stored, from the index pending list, and after the bulk merge', async () => {
    const options = await db.query<{ reloptions: string[] | null }>("SELECT reloptions FROM pg_class WHERE relname = 'messages_body_tsv_idx'");
    expect(options.rows[0].reloptions).toContain('fastupdate=on');
    // Through the index, not by reading the few rows of the table: with sequential scans ruled out.
    const search = (word: string) =>
      ds.transaction(async (m) => {
        await m.query('SET LOCAL enable_seqscan = off');
        const sql = "SELECT id FROM messages WHERE body_tsv @@ plainto_tsquery('simple', $1)";
        const plan = (await m.query<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${sql}`, [word])).map((r) => r['QUERY PLAN']).join('\n');
        expect(plan).toContain('Bitmap Index Scan on messages_body_tsv_idx');
        return (await m.query<{ id: string }[]>(sql, [word])).map((r) => r.id);
      });
    await repo.mergeSearchIndexPendingList();
    expect(await pending()).toBe(0);

    const a = await stay();
    const word = `w${randomUUID().slice(0, 8)}`;
    const [stored] = await commitSoon(repo, [guestSend(a, `looking for ${word} please`), guestSend(a, 'and two towels')]);
    const id = stored.kind === 'stored' ? stored.message.id : 'not stored';
    // Not yet in the index proper: the send only appended to the pending list, which a search reads too.
    expect(await pending()).toBe(2);
    expect(await search(word)).toEqual([id]);
    expect(await repo.mergeSearchIndexPendingList()).toBeGreaterThan(0);
    expect(await pending()).toBe(0);
    expect(await search(word)).toEqual([id]);
    expect(await repo.mergeSearchIndexPendingList()).toBe(0);

    // While another instance merges, this one skips its turn instead of waiting.
    await whileAnotherMerges(async () => expect(await repo.mergeSearchIndexPendingList()).toBeNull());
    expect(await repo.mergeSearchIndexPendingList()).toBe(0);
  });

  it('merges the pending list only after messages were stored, one merge at a time, and again after a skipped turn', async () => {
    const jobs = new SearchIndexJobs(repo, 60_000, createLogger('silent'));
    await repo.mergeSearchIndexPendingList();
    const a = await stay();
    await commitSoon(repo, [guestSend(a, 'one'), guestSend(a, 'two')]);
    await jobs.merge();
    expect(await pending()).toBe(2); // not told of stored messages: nothing to do

    jobs.noteStored();
    await whileAnotherMerges(async () => {
      await jobs.merge();
      expect(await pending()).toBe(2); // another instance merging: this turn is skipped...
    });
    await jobs.merge();
    expect(await pending()).toBe(0); // ...and the next one merges, with no new message

    await commitSoon(repo, [guestSend(a, 'three')]);
    jobs.noteStored();
    const first = jobs.merge();
    expect(jobs.merge()).toBe(first);
    await first;
    expect(await pending()).toBe(0);
  });

  it('stops merging and says so once when its database role does not own the index; sends still find their way into the index', async () => {
    // Migrations run by another role: this server's role may write messages but not merge the index.
    const role = `bellhop_app_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const dbName = new URL(db.url).pathname.slice(1);
    await db.query(`CREATE ROLE ${role} NOLOGIN`);
    await db.query(`GRANT CONNECT ON DATABASE "${dbName}" TO ${role}`);
    await db.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await db.query(`GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO ${role}`);
    const base = dataSourceOptions(db.url);
    const extra = base.extra as { options: string };
    const appDs = new DataSource({ ...base, extra: { ...extra, options: `${extra.options} -c role=${role}` } });
    await appDs.initialize();
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    let merges = 0;
    const appRepo = new (class extends MessagesRepository {
      override mergeSearchIndexPendingList(): Promise<number | null> {
        merges++;
        return super.mergeSearchIndexPendingList();
      }
    })(appDs);
    const jobs = new SearchIndexJobs(appRepo, 20, logger);
    try {
      await repo.mergeSearchIndexPendingList();
      const a = await stay();
      await commitSoon(appRepo, [guestSend(a, 'towels for room four')]);
      expect(await pending()).toBe(1);

      jobs.onApplicationBootstrap();
      jobs.noteStored();
      await eventually(() => lines.length > 0, 5_000, 'a warning');
      const warning = JSON.parse(lines[0]) as { msg: string };
      expect(warning.msg).toContain('does not own messages_body_tsv_idx');
      expect(warning.msg).toContain('the send that fills a pending list merges it');

      // The timer is stopped: no further turn, no further warning, however many messages arrive.
      const tried = merges;
      await commitSoon(appRepo, [guestSend(a, 'and a late checkout')]);
      jobs.noteStored();
      await sleep(200);
      expect(merges).toBe(tried);
      expect(lines).toHaveLength(1);
      expect(await pending()).toBe(2);
    } finally {
      await jobs.onModuleDestroy();
      await appDs.destroy();
      await db.query(`DROP OWNED BY ${role}`);
      await db.query(`DROP ROLE ${role}`);
    }
  });

  it('stores nothing and notifies nothing when it runs past its deadline, and stores the same batch in time', async () => {
    const a = await stay();
    const late = [guestSend(a, 'answered unavailable long ago')];
    await expect(repo.commitBatch(late, new Date(Date.now() - 1000))).rejects.toMatchObject({ code: 'BH001' });
    await bus.flush();
    expect(bus.events).toEqual([]);
    const count = async () => (await db.query('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [a.conversationId])).rows[0].n;
    expect(await count()).toBe(0);
    expect((await db.query('SELECT last_seq FROM conversations WHERE id = $1', [a.conversationId])).rows[0].last_seq).toBe(0);
    expect((await repo.commitBatch(late, new Date(Date.now() + 5_000)))[0]).toMatchObject({ kind: 'stored', message: { seq: 1 } });
    expect(await count()).toBe(1);
  });

  it('writes nothing and notifies nothing when nothing in the batch is stored', async () => {
    const out = await stay('checked_out');
    const outcomes = await commitSoon(repo, [guestSend(out, 'late'), { ...guestSend(out, 'lost'), conversationId: randomUUID() }]);
    expect(outcomes).toEqual([{ kind: 'forbidden' }, { kind: 'not_found' }]);
    await bus.flush();
    expect(bus.events).toEqual([]);
    expect((await db.query('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [out.conversationId])).rows[0].n).toBe(0);
  });

  it('splits notifications below the NOTIFY limit in order, and sends a message too large to travel by id', async () => {
    const a = await stay();
    const b = await stay();
    const long = 'x'.repeat(1000);
    const huge = '😀'.repeat(4000); // 16,000 bytes: cannot travel whole
    const requests = [
      ...Array.from({ length: 30 }, (_, i) => guestSend(i % 2 ? a : b, `${i} ${long}`)),
      guestSend(a, huge),
      guestSend(b, 'after the huge one'),
    ];
    const outcomes = await commitSoon(repo, requests);
    expect(outcomes.every((o) => o.kind === 'stored')).toBe(true);
    await bus.flush();
    expect(bus.events.every((e) => e.type === 'messages.committed')).toBe(true);
    expect(bus.events.length).toBeGreaterThan(3);
    expect(Math.max(...bus.payloadBytes)).toBeLessThan(8000);
    const items = bus.events.flatMap((e) => (e.type === 'messages.committed' ? e.items : []));
    expect(items.map((i) => i.id)).toEqual(outcomes.map((o) => (o.kind === 'stored' ? o.message.id : '')));
    const bigItem = items[30];
    expect(bigItem.message).toBeUndefined();
    expect(bigItem).toMatchObject({ conversationId: a.conversationId, seq: 16 });
    expect(items[31].message?.body).toBe('after the huge one');
    const stored = await db.query<{ body: string }>('SELECT body FROM messages WHERE id = $1', [bigItem.id]);
    expect(stored.rows[0].body).toBe(huge);
  });

  it('reopens a resolved conversation on a guest message and announces it; a staff message does not', async () => {
    const a = await stay();
    const b = await stay();
    await db.query("UPDATE conversations SET status = 'resolved' WHERE id = ANY($1::uuid[])", [[a.conversationId, b.conversationId]]);
    const staffId = (await db.query<{ id: string }>("INSERT INTO staff_users (username, display_name, role, password_hash) VALUES ($1, 'Desk', 'agent', 'x') RETURNING id", [`desk-${randomUUID().slice(0, 8)}`])).rows[0].id;
    await commitSoon(repo, [
      guestSend(a, 'I need towels'),
      { conversationId: b.conversationId, clientMsgId: randomUUID(), body: 'Anything else?', sender: { type: 'staff', id: staffId, name: 'Desk' } },
    ]);
    const status = await db.query<{ id: string; status: string }>('SELECT id, status FROM conversations WHERE id = ANY($1::uuid[])', [[a.conversationId, b.conversationId]]);
    expect(Object.fromEntries(status.rows.map((r) => [r.id, r.status]))).toEqual({ [a.conversationId]: 'open', [b.conversationId]: 'resolved' });
    await bus.flush();
    expect(bus.events.filter((e) => e.type === 'conversation.changed')).toEqual([{ type: 'conversation.changed', conversationId: a.conversationId }]);
    const cursor = await db.query<{ reader_type: string; seq: number }>('SELECT reader_type, seq FROM read_cursors WHERE conversation_id = $1', [b.conversationId]);
    expect(cursor.rows).toEqual([{ reader_type: 'staff', seq: 1 }]);
  });

  it('finds each request by key, also with plans made while the messages table was nearly empty', async () => {
    const a = await stay();
    const b = await stay();
    await db.query('ANALYZE messages');
    // One pooled connection, so the function's plans are made on the first call below and kept.
    const options = dataSourceOptions(db.url);
    const single = new DataSource({ ...options, extra: { ...options.extra, max: 1 } });
    await single.initialize();
    const plans: string[] = [];
    const onNotice = (n: { message?: string }) => plans.push(n.message ?? '');
    const client = await poolOf(single).connect();
    try {
      client.on('notice', onNotice);
      await client.query("LOAD 'auto_explain'");
      await client.query("SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; SET auto_explain.log_level = 'notice'");
      client.release();
      const one = new MessagesRepository(single);
      const first = guestSend(a, 'planned now');
      expect((await commitSoon(one, [first]))[0].kind).toBe('stored');

      // The table grows after the plans were made.
      await db.query(
        `INSERT INTO messages (conversation_id, seq, client_msg_id, sender_type, sender_id, sender_name, body)
         SELECT $1, g, gen_random_uuid(), 'guest', $2, 'Ana', 'filler' FROM generate_series(1, 3000) g`,
        [b.conversationId, b.stayId],
      );
      await db.query('UPDATE conversations SET last_seq = 3000 WHERE id = $1', [b.conversationId]);
      plans.length = 0;
      const outcomes = await commitSoon(one, [{ ...first, body: 'a retry' }, guestSend(a, 'next'), guestSend(b, 'after the filler')]);
      expect(outcomes.map((o) => (o.kind === 'stored' || o.kind === 'duplicate' ? `${o.kind} ${o.message.seq}` : o.kind))).toEqual(['duplicate 1', 'stored 2', 'stored 3001']);

      const executed = plans.join('\n');
      expect(executed).toMatch(/Query Text: WITH req AS/);
      // An earlier message under a clientMsgId: looked up per request through the unique index...
      expect(executed).toMatch(/Index Cond: \(\(conversation_id = \w+\.cid\) AND \(client_msg_id = \w+\.cmid\)\)/);
      // ...and no table read whole, whatever its size.
      expect(executed).not.toMatch(/Seq Scan on (messages|conversations|stays)\b/);
      expect(executed).not.toMatch(/Materialize/);
    } finally {
      client.off('notice', onNotice);
      await single.destroy();
    }
  });
});
