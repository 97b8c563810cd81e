/**
 * The advisory lock that serialises migrations across instances starting together (runMigrations).
 * A key below 2^32: pg_locks shows it with classid 0 and objid the key.
 */
export const MIGRATION_LOCK_KEY = 0x62656c6c; // "bell"
