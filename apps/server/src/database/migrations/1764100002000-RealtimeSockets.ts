import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Open WebSocket connections of every server instance, for the per-subject socket limit and staff
 * presence across instances. Unlogged: the rows describe live processes and are rebuilt by their
 * heartbeat, so they need no crash safety.
 */
export class RealtimeSockets1764100002000 implements MigrationInterface {
  name = 'RealtimeSockets1764100002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE realtime_instances (
        id uuid PRIMARY KEY,
        started_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE UNLOGGED TABLE realtime_sockets (
        id uuid PRIMARY KEY,
        instance_id uuid NOT NULL,
        subject_type text NOT NULL CHECK (subject_type IN ('guest', 'staff')),
        subject_id uuid NOT NULL,
        opened_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX realtime_sockets_subject_idx ON realtime_sockets (subject_type, subject_id)`);
    await q.query(`CREATE INDEX realtime_sockets_instance_idx ON realtime_sockets (instance_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS realtime_sockets`);
    await q.query(`DROP TABLE IF EXISTS realtime_instances`);
  }
}
