/**
 * Setup that goes straight to the database (it is not measured): staff members, stays with their
 * conversations, one session per subject, and pre-filled history.
 */
import pg from 'pg';

const JOIN_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

export interface SeededGuest {
  stayId: string;
  conversationId: string;
  sessionId: string;
}

export interface SeededStaff {
  id: string;
  sessionId: string;
}

export function joinCode(runTag: number, index: number): string {
  let s = '';
  let v = (runTag & 0x7fff) * 32 ** 5 + index;
  for (let i = 0; i < 8; i++) {
    s = JOIN_ALPHABET[v % 32] + s;
    v = Math.floor(v / 32);
  }
  return s;
}

export function roomPrefix(runTag: number): string {
  return `b${runTag.toString(36)}`;
}

export function createPool(url: string, max = 4): pg.Pool {
  return new pg.Pool({ connectionString: url, max });
}

export async function seedStaff(pool: pg.Pool, runTag: number, count: number): Promise<SeededStaff[]> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO staff_users (username, display_name, role, password_hash)
     SELECT 'bench-' || $1 || '-' || i, 'Console ' || i, 'agent', 'unusable'
     FROM generate_series(1, $2::int) i RETURNING id`,
    [runTag.toString(36), count],
  );
  const sessions = await pool.query<{ id: string; subject_id: string }>(
    `INSERT INTO sessions (subject_type, subject_id) SELECT 'staff', unnest($1::uuid[]) RETURNING id, subject_id`,
    [rows.map((r) => r.id)],
  );
  const sid = new Map(sessions.rows.map((r) => [r.subject_id, r.id]));
  return rows.map((r) => ({ id: r.id, sessionId: sid.get(r.id)! }));
}

/** `count` active stays, each with its conversation and one session, in insertion order. */
export async function seedGuests(pool: pg.Pool, runTag: number, count: number): Promise<SeededGuest[]> {
  const out: SeededGuest[] = [];
  const prefix = roomPrefix(runTag);
  const BATCH = 5000;
  for (let from = 0; from < count; from += BATCH) {
    const n = Math.min(BATCH, count - from);
    const idx = Array.from({ length: n }, (_, i) => from + i);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const stays = await client.query<{ id: string; room_number: string }>(
        `INSERT INTO stays (guest_name, family_name, family_name_key, room_number, check_in, check_out, join_code)
         SELECT 'Guest ' || i, 'Bench', 'bench', $1 || i, current_date - 1, current_date + 3, code
         FROM unnest($2::int[], $3::text[]) AS t(i, code)
         RETURNING id, room_number`,
        [prefix, idx, idx.map((i) => joinCode(runTag, i))],
      );
      const byRoom = new Map(stays.rows.map((r) => [r.room_number, r.id]));
      const stayIds = idx.map((i) => byRoom.get(`${prefix}${i}`)!);
      const convs = await client.query<{ id: string; stay_id: string }>(
        `INSERT INTO conversations (stay_id) SELECT unnest($1::uuid[]) RETURNING id, stay_id`,
        [stayIds],
      );
      const sessions = await client.query<{ id: string; subject_id: string }>(
        `INSERT INTO sessions (subject_type, subject_id) SELECT 'guest', unnest($1::uuid[]) RETURNING id, subject_id`,
        [stayIds],
      );
      await client.query('COMMIT');
      const conv = new Map(convs.rows.map((r) => [r.stay_id, r.id]));
      const sess = new Map(sessions.rows.map((r) => [r.subject_id, r.id]));
      for (const stayId of stayIds) out.push({ stayId, conversationId: conv.get(stayId)!, sessionId: sess.get(stayId)! });
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
  return out;
}

/**
 * `perConversation` messages in each of the given conversations (alternating guest and staff),
 * inserted with generate_series, then the conversations' last_seq/last message updated.
 */
export async function prefillHistory(
  pool: pg.Pool,
  guests: SeededGuest[],
  perConversation: number,
  staffId: string,
  onProgress: (done: number) => void,
): Promise<void> {
  const BATCH = 500;
  for (let from = 0; from < guests.length; from += BATCH) {
    const part = guests.slice(from, from + BATCH);
    const convIds = part.map((g) => g.conversationId);
    await pool.query(
      `INSERT INTO messages (conversation_id, seq, client_msg_id, sender_type, sender_id, sender_name, body, created_at)
       SELECT c.conversation_id, s, gen_random_uuid(),
              CASE WHEN s % 2 = 0 THEN 'staff' ELSE 'guest' END,
              CASE WHEN s % 2 = 0 THEN $3::uuid ELSE c.stay_id END,
              CASE WHEN s % 2 = 0 THEN 'Console 1' ELSE 'Guest' END,
              'Message ' || s || ' about the ' ||
                (ARRAY['towels','breakfast','taxi','late checkout','wifi password','spa booking','parking','room service'])[1 + (s % 8)] ||
                ', thank you ' || substr(md5(c.conversation_id::text || s), 1, 8),
              now() - make_interval(mins => $2::int - s)
       FROM unnest($1::uuid[], $4::uuid[]) AS c(conversation_id, stay_id)
       CROSS JOIN generate_series(1, $2::int) AS s`,
      [convIds, perConversation, staffId, part.map((g) => g.stayId)],
    );
    await pool.query(
      `UPDATE conversations c SET last_seq = m.seq, last_message_id = m.id, last_activity_at = m.created_at, updated_at = now()
       FROM messages m WHERE m.conversation_id = c.id AND m.seq = $2::int AND c.id = ANY($1::uuid[])`,
      [convIds, perConversation],
    );
    onProgress(Math.min(from + BATCH, guests.length) * perConversation);
  }
  await pool.query('VACUUM ANALYZE messages');
  await pool.query('ANALYZE conversations');
}

/** lastSeq of the given conversations (consoles start their order check from it). */
/**
 * After bulk setup, does what a database in service has long done: vacuums and analyzes the
 * tables the setup filled and forces a checkpoint, so that autovacuum and the checkpoint of the
 * setup's writes do not run during the measurements. Without `checkpoint`, the vacuum only: the
 * pages first written after a checkpoint go to the WAL whole, about 5,000 a second for the first
 * seconds of load, which a measurement right after one would pay for. Steps the role may not take
 * are skipped; the answer says what was done.
 */
export async function settle(pool: pg.Pool, { checkpoint = true }: { checkpoint?: boolean } = {}): Promise<string> {
  const done: string[] = [];
  const steps = ['VACUUM (ANALYZE) stays, conversations, sessions, messages, read_cursors', ...(checkpoint ? ['CHECKPOINT'] : [])];
  for (const sql of steps) {
    try {
      await pool.query(sql);
      done.push(sql.split(' ')[0].toLowerCase());
    } catch {
      // Not permitted (a DATABASE_URL without the rights): measure anyway.
    }
  }
  return done.length > 0 ? done.join(' + ') : 'nothing (not permitted)';
}

export async function lastSeqs(pool: pg.Pool, conversationIds: string[]): Promise<[string, number][]> {
  const { rows } = await pool.query<{ id: string; last_seq: number }>(
    `SELECT id, last_seq FROM conversations WHERE id = ANY($1::uuid[]) AND last_seq > 0`,
    [conversationIds],
  );
  return rows.map((r) => [r.id, r.last_seq]);
}

/** Removes what this run created (when it ran against a database given by DATABASE_URL). */
export async function cleanup(pool: pg.Pool, runTag: number, staffIds: string[], stayIds: string[]): Promise<void> {
  await pool.query(`DELETE FROM sessions WHERE subject_id = ANY($1::uuid[]) OR subject_id = ANY($2::uuid[])`, [staffIds, stayIds]);
  await pool.query(`DELETE FROM stays WHERE room_number LIKE $1 || '%' AND id = ANY($2::uuid[])`, [roomPrefix(runTag), stayIds]);
  await pool.query(`DELETE FROM staff_users WHERE id = ANY($1::uuid[])`, [staffIds]);
}
