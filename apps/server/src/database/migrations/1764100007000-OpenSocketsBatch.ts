import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Handshakes arriving together share one round trip and one transaction:
 * `bellhop_open_sockets` takes arrays (one element per handshake) and answers one
 * `bellhop_open_socket` row per handshake, in order, with `o_ord` its 1-based position.
 *
 * It first takes the advisory lock of every subject in the batch, in key order, so two batches
 * (of this or another instance) wait for each other instead of deadlocking; then opens the
 * sockets one by one in the order given, so two handshakes of one subject in one batch count each
 * other against the subject's limit exactly as if they had come one after the other.
 *
 * `bellhop_open_socket` plans its statements once per connection; a connection that planned them
 * while `realtime_sockets` was empty (a server just started) kept a sequential scan of it, which
 * grew with every socket opened: during a ramp to 20,000 sockets the last thousands took seconds.
 * Every statement there is a keyed lookup, so sequential scans are ruled out for it.
 */
export class OpenSocketsBatch1764100007000 implements MigrationInterface {
  name = 'OpenSocketsBatch1764100007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION bellhop_open_socket(uuid, uuid, uuid, text, uuid, integer, integer) SET enable_seqscan = off`);
    await q.query(`
      CREATE FUNCTION bellhop_open_sockets(
        p_instance uuid, p_socket uuid[], p_session uuid[], p_type text[], p_subject uuid[], p_max integer, p_ttl_seconds integer)
      RETURNS TABLE (o_ord integer, o_subject_type text, o_subject_id uuid, o_ended boolean, o_role text, o_display_name text,
                     o_disabled boolean, o_stay_status text, o_guest_name text, o_room_number text,
                     o_conversation_id uuid, o_ok boolean, o_registered boolean, o_last_seq integer, o_staff_read_seq integer)
      LANGUAGE plpgsql
      SET plan_cache_mode = force_generic_plan
      AS $fn$
      DECLARE
        v_key bigint;
        v_i integer;
      BEGIN
        FOR v_key IN
          SELECT DISTINCT hashtextextended('ws:' || u.t || ':' || u.s::text, 0)
            FROM unnest(p_type, p_subject) AS u(t, s) ORDER BY 1
        LOOP
          PERFORM pg_advisory_xact_lock(v_key);
        END LOOP;
        FOR v_i IN 1 .. coalesce(array_length(p_socket, 1), 0) LOOP
          RETURN QUERY SELECT v_i, o.* FROM bellhop_open_socket(
            p_instance, p_socket[v_i], p_session[v_i], p_type[v_i], p_subject[v_i], p_max, p_ttl_seconds) o;
        END LOOP;
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS bellhop_open_sockets(uuid, uuid[], uuid[], text[], uuid[], integer, integer)`);
    await q.query(`ALTER FUNCTION bellhop_open_socket(uuid, uuid, uuid, text, uuid, integer, integer) RESET enable_seqscan`);
  }
}
