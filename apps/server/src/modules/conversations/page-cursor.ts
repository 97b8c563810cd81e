import { idSchema } from '@bellhop/protocol';

/**
 * Keyset cursors: the sort key of the last row, opaque to clients. The timestamp travels as
 * Postgres printed it, so microseconds survive the round trip and no row is skipped or repeated.
 */
/** A timestamptz as Postgres prints it, e.g. `2026-11-25 18:05:23.123456+00`. */
const TIMESTAMP = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,6})?([+-]\d\d(:?\d\d)?|Z)$/;

export function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { at: string; id: string } | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [at, id] = value as unknown[];
    if (typeof at !== 'string' || !TIMESTAMP.test(at) || !idSchema.safeParse(id).success) return null;
    return { at, id: id as string };
  } catch {
    return null;
  }
}
