import type { MigrationInterface, QueryRunner } from 'typeorm';

const SIGNATURE = 'bellhop_send_batch(uuid[], uuid[], uuid[], text[], uuid[], text[], text[], text[], text)';

const BOTH_LOCKED = `PERFORM 1 FROM stays s JOIN conversations c ON c.stay_id = s.id
          WHERE c.id = ANY(p_conv) ORDER BY c.id
          FOR SHARE OF s FOR NO KEY UPDATE OF c;`;

const CONVERSATIONS_LOCKED = `PERFORM 1 FROM conversations c
          WHERE c.id = ANY(p_conv) ORDER BY c.id
          FOR NO KEY UPDATE;`;

/**
 * `bellhop_send_batch` locked each request's stay (FOR SHARE) besides its conversation, so that
 * a send and a check-out of its stay happen one after the other. The conversation's lock alone
 * does that: check-out always updates the conversation in its own transaction
 * (StaysService.checkOut). A send that locked the conversation first is stored before the
 * check-out goes on; one that comes later waits for the check-out to commit, and the
 * classification that follows, with a snapshot taken after the lock, sees the stay checked out
 * and refuses it. The stay's lock cost a WAL record and a dirtied page per request.
 *
 * The function's body is otherwise unchanged: this edits the installed definition in place
 * (and fails if the statement is not found) instead of repeating the whole function.
 */
export class SendBatchLocksConversationsOnly1764100011000 implements MigrationInterface {
  name = 'SendBatchLocksConversationsOnly1764100011000';

  async up(q: QueryRunner): Promise<void> {
    await replaceInFunction(q, BOTH_LOCKED, CONVERSATIONS_LOCKED);
  }

  async down(q: QueryRunner): Promise<void> {
    await replaceInFunction(q, CONVERSATIONS_LOCKED, BOTH_LOCKED);
  }
}

async function replaceInFunction(q: QueryRunner, from: string, to: string): Promise<void> {
  const rows = (await q.query(`SELECT pg_get_functiondef($1::regprocedure) AS def`, [SIGNATURE])) as { def: string }[];
  const def = rows[0].def;
  if (def.split(from).length !== 2) throw new Error(`${SIGNATURE}: the statement to replace is not in its definition exactly once`);
  await q.query(def.replace(from, to));
}
