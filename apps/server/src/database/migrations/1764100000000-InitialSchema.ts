import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The v1 schema: staff, stays, conversations, messages, read cursors, sessions and throttling. */
export class InitialSchema1764100000000 implements MigrationInterface {
  name = 'InitialSchema1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE staff_users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL,
        display_name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'agent')),
        password_hash text NOT NULL,
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX staff_users_username_key ON staff_users (lower(username))`);

    await q.query(`
      CREATE TABLE stays (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        guest_name text NOT NULL,
        family_name text NOT NULL,
        -- family name folded for matching: lower case, no accents, trimmed
        family_name_key text NOT NULL,
        room_number text NOT NULL,
        check_in date NOT NULL,
        check_out date NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'checked_out')),
        join_code char(8) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        checked_out_at timestamptz,
        CHECK (check_in <= check_out)
      )`);
    await q.query(`CREATE UNIQUE INDEX stays_join_code_key ON stays (join_code)`);
    await q.query(`CREATE UNIQUE INDEX stays_active_room_key ON stays (room_number) WHERE status = 'active'`);
    await q.query(`CREATE INDEX stays_status_check_in_idx ON stays (status, check_in DESC, created_at DESC)`);
    await q.query(`CREATE INDEX stays_checked_out_at_idx ON stays (checked_out_at) WHERE status = 'checked_out'`);

    await q.query(`
      CREATE TABLE conversations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        stay_id uuid NOT NULL UNIQUE REFERENCES stays (id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
        assignee_id uuid REFERENCES staff_users (id) ON DELETE SET NULL,
        last_seq integer NOT NULL DEFAULT 0,
        last_message_id uuid,
        -- activity: the last message, or the creation
        last_activity_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX conversations_inbox_idx ON conversations (status, last_activity_at DESC, id DESC)`);
    await q.query(`CREATE INDEX conversations_activity_idx ON conversations (last_activity_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        seq integer NOT NULL CHECK (seq > 0),
        client_msg_id uuid NOT NULL,
        sender_type text NOT NULL CHECK (sender_type IN ('guest', 'staff', 'system')),
        sender_id uuid,
        sender_name text NOT NULL,
        body text NOT NULL,
        body_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, body)) STORED,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT messages_conversation_seq_key UNIQUE (conversation_id, seq),
        CONSTRAINT messages_conversation_client_msg_key UNIQUE (conversation_id, client_msg_id)
      )`);
    await q.query(`CREATE INDEX messages_body_tsv_idx ON messages USING gin (body_tsv)`);
    await q.query(`CREATE INDEX messages_created_at_idx ON messages (created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE read_cursors (
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        reader_type text NOT NULL CHECK (reader_type IN ('guest', 'staff')),
        reader_id uuid NOT NULL,
        seq integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (conversation_id, reader_type, reader_id)
      )`);
    await q.query(`CREATE INDEX read_cursors_reader_idx ON read_cursors (reader_type, reader_id)`);

    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject_type text NOT NULL CHECK (subject_type IN ('guest', 'staff')),
        subject_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz,
        end_reason text
      )`);
    await q.query(`CREATE INDEX sessions_subject_idx ON sessions (subject_type, subject_id) WHERE ended_at IS NULL`);

    await q.query(`
      CREATE TABLE refresh_tokens (
        token_hash bytea PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        -- set when this token was exchanged for the next one
        rotated_at timestamptz
      )`);
    await q.query(`CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id)`);

    await q.query(`
      CREATE TABLE auth_failures (
        id bigserial PRIMARY KEY,
        kind text NOT NULL,
        key text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX auth_failures_lookup_idx ON auth_failures (kind, key, at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['auth_failures', 'refresh_tokens', 'sessions', 'read_cursors', 'messages', 'conversations', 'stays', 'staff_users']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
