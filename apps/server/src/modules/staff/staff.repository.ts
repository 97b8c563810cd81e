import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { StaffRole } from '@bellhop/protocol';
import { queryRows } from '../../common/sql.js';

export interface StaffRow {
  id: string;
  username: string;
  display_name: string;
  role: StaffRole;
  disabled: boolean;
  created_at: Date;
}

export interface StaffChanges {
  displayName?: string;
  role?: StaffRole;
  disabled?: boolean;
  passwordHash?: string;
}

const COLUMNS = 'id, username, display_name, role, disabled, created_at';
/** The unique index that makes usernames case-insensitive. */
export const USERNAME_KEY = 'staff_users_username_key';
// Serialises changes to the set of admins: the first admin's creation when several instances
// start together, and demotions that must leave one active admin.
const ADMINS_LOCK_KEY = 0x61646d6e; // "admn"

@Injectable()
export class StaffRepository {
  constructor(private readonly ds: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  list(): Promise<StaffRow[]> {
    return queryRows<StaffRow>(this.ds.manager, `SELECT ${COLUMNS} FROM staff_users ORDER BY lower(username)`);
  }

  /** The staff members who are not disabled (unordered: the service sorts them for people). */
  listActive(): Promise<Pick<StaffRow, 'id' | 'display_name' | 'role'>[]> {
    return queryRows(this.ds.manager, `SELECT id, display_name, role FROM staff_users WHERE NOT disabled`);
  }

  async insert(
    row: { username: string; displayName: string; role: StaffRole; passwordHash: string },
    tx: EntityManager = this.ds.manager,
  ): Promise<StaffRow> {
    const rows = await queryRows<StaffRow>(
      tx,
      `INSERT INTO staff_users (username, display_name, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [row.username, row.displayName, row.role, row.passwordHash],
    );
    return rows[0];
  }

  async lock(tx: EntityManager, id: string): Promise<StaffRow | undefined> {
    const rows = await queryRows<StaffRow>(tx, `SELECT ${COLUMNS} FROM staff_users WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0];
  }

  /** Active admins other than `exceptId` (call under `lockAdmins`). */
  async countOtherActiveAdmins(tx: EntityManager, exceptId: string): Promise<number> {
    const rows = await queryRows<{ n: number }>(
      tx,
      `SELECT count(*)::int AS n FROM staff_users WHERE role = 'admin' AND NOT disabled AND id <> $1`,
      [exceptId],
    );
    return rows[0].n;
  }

  async update(tx: EntityManager, id: string, changes: StaffChanges): Promise<StaffRow> {
    const rows = await queryRows<StaffRow>(
      tx,
      `UPDATE staff_users SET
          display_name = COALESCE($2, display_name),
          role = COALESCE($3, role),
          disabled = COALESCE($4, disabled),
          password_hash = COALESCE($5, password_hash),
          updated_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, changes.displayName ?? null, changes.role ?? null, changes.disabled ?? null, changes.passwordHash ?? null],
    );
    return rows[0];
  }

  /** Takes the admins lock for the rest of `tx`. */
  async lockAdmins(tx: EntityManager): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [ADMINS_LOCK_KEY]);
  }

  async adminExists(tx: EntityManager): Promise<boolean> {
    const rows = await queryRows<{ exists: boolean }>(tx, `SELECT EXISTS (SELECT 1 FROM staff_users WHERE role = 'admin') AS exists`);
    return rows[0].exists;
  }

  async usernameExists(tx: EntityManager, username: string): Promise<boolean> {
    const rows = await queryRows<{ exists: boolean }>(tx, `SELECT EXISTS (SELECT 1 FROM staff_users WHERE lower(username) = lower($1)) AS exists`, [username]);
    return rows[0].exists;
  }
}
