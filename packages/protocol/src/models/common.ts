import { z } from 'zod';

/** Any RFC 4122-shaped id (8-4-4-4-12 hex). */
export const idSchema = z.guid();
/** ISO-8601 UTC timestamp, e.g. `2026-11-25T18:05:23.000Z`. */
export const timestampSchema = z.iso.datetime();
/** Hotel-local calendar date, e.g. `2026-11-25`. */
export const dateSchema = z.iso.date();
export const roomNumberSchema = z.string().trim().min(1).max(10);
export const personNameSchema = z.string().trim().min(1).max(100);
