import type { MigrationInterface, QueryRunner } from 'typeorm';

/** SQLSTATE of a send batch refused for running past its deadline (see isDatabaseUnavailable). */
export const PAST_DEADLINE = 'BH001';

/**
 * `message.send` answers `unavailable` when the database gives no answer in time (see
 * answerTimeoutMs): "nothing was stored, retry". A database that was frozen or cut off still runs
 * the batch it was sent once it is back, though, and committed it: a message answered
 * `unavailable` appeared later, for a client that may have given it up or sent it again under a
 * new clientMsgId.
 *
 * The server now sends each batch with a deadline in the database's clock, a second before it
 * gives up on the answer. This function runs the batch, then, still inside its transaction,
 * refuses to go on past that deadline: a batch run that late is rolled back, its notifications
 * with it. The function without a deadline is left as it is, for servers of the previous version
 * during a rolling upgrade.
 */
export class SendBatchDeadline1764100012000 implements MigrationInterface {
  name = 'SendBatchDeadline1764100012000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION bellhop_send_batch(
        p_conv uuid[], p_cmid uuid[], p_id uuid[], p_stype text[], p_sid uuid[], p_sname text[], p_body text[],
        p_origin text[], p_channel text, p_deadline timestamptz)
      RETURNS TABLE (o_outcome text, o_id uuid, o_seq integer, o_created_at timestamptz,
                     o_sender_type text, o_sender_id uuid, o_sender_name text, o_body text)
      LANGUAGE plpgsql
      AS $fn$
      BEGIN
        RETURN QUERY SELECT * FROM bellhop_send_batch(p_conv, p_cmid, p_id, p_stype, p_sid, p_sname, p_body, p_origin, p_channel);
        IF clock_timestamp() > p_deadline THEN
          RAISE EXCEPTION 'this send batch ran past its deadline, %: nothing is stored', p_deadline USING ERRCODE = '${PAST_DEADLINE}';
        END IF;
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION bellhop_send_batch(uuid[], uuid[], uuid[], text[], uuid[], text[], text[], text[], text, timestamptz)`);
  }
}
