import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SendBatchFunction1764100004000 } from './1764100004000-SendBatchFunction.js';

/**
 * `bellhop_send_batch` plans its statements once per pooled connection, from the statistics of
 * that moment. A connection that planned them while `messages` was nearly empty (a new
 * installation, or the first minute after a restore, before autovacuum analyzes it) kept a plan
 * that reads all of `messages` to find retried clientMsgIds: a sequential scan and a sort, or a
 * full index scan under a nested loop. It grows with every message stored. 10,000 guests sending
 * 3,000 msgs/s to a server started on an empty database took more than a core of the database,
 * and the acks' p99 passed a second within a minute.
 *
 * The same function, with each lookup of a request (its conversation, its stay, an earlier
 * message under its clientMsgId) written as a keyed subquery per request, and sequential scans,
 * hash and merge joins ruled out: every statement here reads a batch's own rows by key, whatever
 * the statistics say.
 *
 * Its notification items are also written out as text (every string through `to_json`) instead of
 * built as json values and stripped of nulls, the bare form of an item only when the whole one is
 * too large, and each notification's items joined once: a fifth of the function's time for a batch
 * of 200 before. The payloads are the same JSON.
 */
export class SendBatchPlans1764100008000 implements MigrationInterface {
  name = 'SendBatchPlans1764100008000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION bellhop_send_batch(
        p_conv uuid[], p_cmid uuid[], p_id uuid[], p_stype text[], p_sid uuid[], p_sname text[], p_body text[],
        p_origin text[], p_channel text)
      RETURNS TABLE (o_outcome text, o_id uuid, o_seq integer, o_created_at timestamptz,
                     o_sender_type text, o_sender_id uuid, o_sender_name text, o_body text)
      LANGUAGE plpgsql
      -- Planned once per connection: replanning these statements for every call costs more than running them.
      SET plan_cache_mode = force_generic_plan
      -- Every lookup is by key: no plan made from the statistics of an empty table scans a growing one.
      SET enable_seqscan = off
      SET enable_hashjoin = off
      SET enable_mergejoin = off
      AS $fn$
      DECLARE
        v_now timestamptz := date_trunc('milliseconds', clock_timestamp());
        v_now_text text := to_char(v_now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
        v_out text[]; v_mid uuid[]; v_seq integer[]; v_at timestamptz[];
        v_stype text[]; v_sid uuid[]; v_sname text[]; v_body text[];
        v_reopened uuid[];
        v_items text[];
        v_item text;
        v_part text[] := '{}';
        v_len integer := 0;
        v_cid uuid;
      BEGIN
        PERFORM 1 FROM stays s JOIN conversations c ON c.stay_id = s.id
          WHERE c.id = ANY(p_conv) ORDER BY c.id
          FOR SHARE OF s FOR NO KEY UPDATE OF c;

        WITH req AS (
          SELECT r.* FROM unnest(p_conv, p_cmid, p_id, p_stype, p_sid, p_sname, p_body)
            WITH ORDINALITY AS r(cid, cmid, mid, stype, sid, sname, body, ord)
        ), k AS (
          SELECT req.*, c.last_seq, c.status AS cstatus,
                 (c.id IS NOT NULL AND (req.stype <> 'guest' OR c.stay_id = req.sid)) AS visible,
                 coalesce(s.status = 'active', false) AS active,
                 m.id AS d_id, m.seq AS d_seq, m.created_at AS d_at, m.sender_type AS d_stype,
                 m.sender_id AS d_sid, m.sender_name AS d_sname, m.body AS d_body
            FROM req
            LEFT JOIN LATERAL (SELECT c.* FROM conversations c WHERE c.id = req.cid LIMIT 1) c ON true
            LEFT JOIN LATERAL (SELECT s.* FROM stays s WHERE s.id = c.stay_id LIMIT 1) s ON true
            LEFT JOIN LATERAL (
              SELECT m.* FROM messages m WHERE m.conversation_id = req.cid AND m.client_msg_id = req.cmid LIMIT 1
            ) m ON true
        ), o AS (
          SELECT k.*,
                 CASE WHEN NOT k.visible THEN 'not_found'
                      WHEN k.d_id IS NOT NULL THEN 'duplicate'
                      WHEN NOT k.active THEN 'forbidden'
                      WHEN row_number() OVER w > 1 THEN 'repeat'
                      ELSE 'stored' END AS outcome
            FROM k
          WINDOW w AS (PARTITION BY k.cid, k.cmid, (k.visible AND k.d_id IS NULL AND k.active) ORDER BY k.ord)
        ), n AS (
          SELECT o.*,
                 o.last_seq + count(*) FILTER (WHERE o.outcome = 'stored')
                   OVER (PARTITION BY o.cid ORDER BY o.ord ROWS UNBOUNDED PRECEDING) AS nseq
            FROM o
        ), f AS (
          -- A repeat within the batch answers with the request it repeats (the first of its group).
          SELECT n.*, first_value(n.mid) OVER g AS f_mid, first_value(n.nseq) OVER g AS f_seq,
                 first_value(n.stype) OVER g AS f_stype, first_value(n.sid) OVER g AS f_sid,
                 first_value(n.sname) OVER g AS f_sname, first_value(n.body) OVER g AS f_body
            FROM n
          WINDOW g AS (PARTITION BY n.cid, n.cmid, n.outcome IN ('stored', 'repeat') ORDER BY n.ord)
        )
        SELECT array_agg(CASE WHEN f.outcome = 'repeat' THEN 'duplicate' ELSE f.outcome END ORDER BY f.ord),
               array_agg(CASE f.outcome WHEN 'stored' THEN f.mid WHEN 'duplicate' THEN f.d_id WHEN 'repeat' THEN f.f_mid END ORDER BY f.ord),
               array_agg(CASE f.outcome WHEN 'stored' THEN f.nseq WHEN 'duplicate' THEN f.d_seq WHEN 'repeat' THEN f.f_seq END ORDER BY f.ord),
               array_agg(CASE f.outcome WHEN 'stored' THEN v_now WHEN 'duplicate' THEN f.d_at WHEN 'repeat' THEN v_now END ORDER BY f.ord),
               array_agg(CASE f.outcome WHEN 'stored' THEN f.stype WHEN 'duplicate' THEN f.d_stype WHEN 'repeat' THEN f.f_stype END ORDER BY f.ord),
               array_agg(CASE f.outcome WHEN 'stored' THEN f.sid WHEN 'duplicate' THEN f.d_sid WHEN 'repeat' THEN f.f_sid END ORDER BY f.ord),
               array_agg(CASE f.outcome WHEN 'stored' THEN f.sname WHEN 'duplicate' THEN f.d_sname WHEN 'repeat' THEN f.f_sname END ORDER BY f.ord),
               array_agg(CASE f.outcome WHEN 'stored' THEN f.body WHEN 'duplicate' THEN f.d_body WHEN 'repeat' THEN f.f_body END ORDER BY f.ord),
               array_agg(DISTINCT f.cid) FILTER (WHERE f.outcome = 'stored' AND f.stype = 'guest' AND f.cstatus = 'resolved')
          INTO v_out, v_mid, v_seq, v_at, v_stype, v_sid, v_sname, v_body, v_reopened
          FROM f;

        IF 'stored' = ANY(v_out) THEN
          WITH s AS (
            SELECT u.* FROM unnest(p_conv, p_cmid, v_mid, v_seq, v_stype, v_sid, v_sname, v_body, v_out)
              AS u(cid, cmid, mid, seq, stype, sid, sname, body, outcome)
             WHERE u.outcome = 'stored'
          ), ins AS (
            INSERT INTO messages (id, conversation_id, seq, client_msg_id, sender_type, sender_id, sender_name, body, created_at)
            SELECT s.mid, s.cid, s.seq, s.cmid, s.stype, s.sid, s.sname, s.body, v_now FROM s
          ), upd AS (
            UPDATE conversations c
               SET last_seq = l.seq, last_message_id = l.mid, last_activity_at = v_now, updated_at = v_now,
                   status = CASE WHEN c.id = ANY(coalesce(v_reopened, '{}')) THEN 'open' ELSE c.status END
              FROM (SELECT DISTINCT ON (s.cid) s.cid, s.seq, s.mid FROM s ORDER BY s.cid, s.seq DESC) l
             WHERE c.id = l.cid
          )
          INSERT INTO read_cursors (conversation_id, reader_type, reader_id, seq, updated_at)
          SELECT s.cid, s.stype, s.sid, max(s.seq), v_now FROM s GROUP BY s.cid, s.stype, s.sid
          ON CONFLICT (conversation_id, reader_type, reader_id)
          DO UPDATE SET seq = GREATEST(read_cursors.seq, EXCLUDED.seq), updated_at = EXCLUDED.updated_at;

          -- Each item spelled out as text (every string through to_json), its bare form only for a
          -- message too large to travel: cheaper than building and stripping json values.
          SELECT array_agg(
                   CASE WHEN octet_length(i.whole) <= 7600 THEN i.whole
                        ELSE concat('{"id":"', i.mid, '","conversationId":"', i.cid, '","seq":', i.seq, i.origin, '}') END
                   ORDER BY i.ord)
            INTO v_items
            FROM (
              SELECT u.ord, u.mid, u.cid, u.seq, ',"origin":' || to_json(u.origin)::text AS origin,
                     concat('{"message":{"id":"', u.mid, '","conversationId":"', u.cid, '","seq":', u.seq,
                            ',"clientMsgId":"', u.cmid, '","sender":{"type":', to_json(u.stype), ',"id":"', u.sid,
                            '","name":', to_json(u.sname), '},"body":', to_json(u.body), ',"createdAt":"', v_now_text,
                            '"},"id":"', u.mid, '","conversationId":"', u.cid, '","seq":', u.seq,
                            ',"origin":' || to_json(u.origin)::text, '}') AS whole
                FROM unnest(p_conv, p_cmid, v_mid, v_seq, v_stype, v_sid, v_sname, v_body, p_origin, v_out)
                  WITH ORDINALITY AS u(cid, cmid, mid, seq, stype, sid, sname, body, origin, outcome, ord)
               WHERE u.outcome = 'stored'
            ) i;

          -- Notifications of at most 7,600 bytes, items in order, joined once per notification.
          FOREACH v_item IN ARRAY v_items LOOP
            IF v_len > 0 AND v_len + octet_length(v_item) + 1 > 7600 - 40 THEN
              PERFORM pg_notify(p_channel, '{"type":"messages.committed","items":[' || array_to_string(v_part, ',') || ']}');
              v_part := '{}';
              v_len := 0;
            END IF;
            v_part := array_append(v_part, v_item);
            v_len := v_len + octet_length(v_item) + 1;
          END LOOP;
          PERFORM pg_notify(p_channel, '{"type":"messages.committed","items":[' || array_to_string(v_part, ',') || ']}');

          FOREACH v_cid IN ARRAY coalesce(v_reopened, '{}') LOOP
            PERFORM pg_notify(p_channel, json_build_object('type', 'conversation.changed', 'conversationId', v_cid)::text);
          END LOOP;
        END IF;

        RETURN QUERY
          SELECT u.outcome, u.mid, u.seq, u.at, u.stype, u.sid, u.sname, u.body
            FROM unnest(v_out, v_mid, v_seq, v_at, v_stype, v_sid, v_sname, v_body)
              WITH ORDINALITY AS u(outcome, mid, seq, at, stype, sid, sname, body, ord)
           ORDER BY u.ord;
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    const previous = new SendBatchFunction1764100004000();
    await previous.down(q);
    await previous.up(q);
  }
}
