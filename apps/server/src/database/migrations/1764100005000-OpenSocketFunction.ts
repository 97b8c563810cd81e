import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The database side of a WebSocket handshake as one function, so a handshake costs one round
 * trip on a statement that is planned once per connection (a multi-statement simple query was
 * parsed and planned on every handshake).
 *
 * `session_principals`: a session with its subject (the staff member, or the stay and its
 * conversation), read by every authenticated request and by the handshake.
 *
 * `bellhop_open_socket`: takes the subject's advisory lock (serialising concurrent handshakes of
 * one subject across instances), reads the session, counts the subject's sockets on live
 * instances with a snapshot taken once the lock is held (each statement of a volatile function
 * takes its own), and registers the socket when there is room and the session may open one.
 * For a guest, also answers its conversation's last seq and how far staff have read.
 */
export class OpenSocketFunction1764100005000 implements MigrationInterface {
  name = 'OpenSocketFunction1764100005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE VIEW session_principals AS
      SELECT se.id AS session_id, se.subject_type, se.subject_id, se.ended_at IS NOT NULL AS ended,
             u.role, u.display_name, u.disabled,
             st.status AS stay_status, st.guest_name, st.room_number, c.id AS conversation_id
        FROM sessions se
        LEFT JOIN staff_users u ON se.subject_type = 'staff' AND u.id = se.subject_id
        LEFT JOIN stays st ON se.subject_type = 'guest' AND st.id = se.subject_id
        LEFT JOIN conversations c ON c.stay_id = st.id`);
    await q.query(`
      CREATE FUNCTION bellhop_open_socket(
        p_instance uuid, p_socket uuid, p_session uuid, p_type text, p_subject uuid, p_max integer, p_ttl_seconds integer)
      RETURNS TABLE (o_subject_type text, o_subject_id uuid, o_ended boolean, o_role text, o_display_name text,
                     o_disabled boolean, o_stay_status text, o_guest_name text, o_room_number text,
                     o_conversation_id uuid, o_ok boolean, o_registered boolean, o_last_seq integer, o_staff_read_seq integer)
      LANGUAGE plpgsql
      -- Planned once per connection: replanning these statements for every call costs more than running them.
      SET plan_cache_mode = force_generic_plan
      AS $fn$
      DECLARE
        p session_principals%ROWTYPE;
        v_count bigint;
        v_registered boolean := false;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('ws:' || p_type || ':' || p_subject::text, 0));
        SELECT * INTO p FROM session_principals sp WHERE sp.session_id = p_session;
        SELECT count(*) INTO v_count
          FROM realtime_sockets s JOIN realtime_instances i ON i.id = s.instance_id
         WHERE s.subject_type = p_type AND s.subject_id = p_subject AND s.id <> p_socket
           AND i.heartbeat_at > now() - make_interval(secs => p_ttl_seconds);
        IF v_count < p_max AND p.session_id IS NOT NULL AND NOT p.ended
           AND p.subject_type = p_type AND p.subject_id = p_subject
           AND (p.subject_type = 'staff' AND p.role IS NOT NULL AND p.disabled = false
                OR p.subject_type = 'guest' AND p.stay_status = 'active' AND p.conversation_id IS NOT NULL) THEN
          INSERT INTO realtime_sockets (id, instance_id, subject_type, subject_id)
          VALUES (p_socket, p_instance, p_type, p_subject)
          ON CONFLICT (id) DO NOTHING;
          v_registered := FOUND;
        END IF;
        RETURN QUERY SELECT p.subject_type, p.subject_id, p.ended, p.role, p.display_name, p.disabled,
               p.stay_status, p.guest_name, p.room_number, p.conversation_id, v_count < p_max, v_registered,
               (SELECT c.last_seq FROM conversations c WHERE c.id = p.conversation_id),
               (SELECT max(rc.seq) FROM read_cursors rc WHERE rc.conversation_id = p.conversation_id AND rc.reader_type = 'staff');
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS bellhop_open_socket(uuid, uuid, uuid, text, uuid, integer, integer)`);
    await q.query(`DROP VIEW IF EXISTS session_principals`);
  }
}
