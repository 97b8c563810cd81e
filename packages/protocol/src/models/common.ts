import { z } from 'zod';

/** Any RFC 4122-shaped id (8-4-4-4-12 hex). */
export const idSchema = z.guid();
/** ISO-8601 UTC timestamp, e.g. `2026-11-25T18:05:23.000Z`. */
export const timestampSchema = z.iso.datetime();
/** Hotel-local calendar date, e.g. `2026-11-25`. */
export const dateSchema = z.iso.date();
export const roomNumberSchema = z.string().trim().min(1).max(10);
export const personNameSchema = z.string().trim().min(1).max(100);

// C0 controls (tab and line feed too), DEL and the C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F-\u009F]/;

/** A string with no control character (what one line of text, a name or a code, may not hold). */
export function noControlCharacter<T extends z.ZodString>(schema: T): T {
  return schema.refine((s) => !CONTROL_CHARACTERS.test(s), { message: 'contains a control character', abort: true });
}

/**
 * One line of text as a client sends it (a name, a room number, a search): trimmed, then
 * `min`–`max` characters with no control character in them. The output is the trimmed text.
 */
export function lineInputSchema(max: number, min = 1): z.ZodString {
  return noControlCharacter(z.string().trim()).min(min).max(max);
}
export const roomNumberInputSchema = lineInputSchema(10);
export const personNameInputSchema = lineInputSchema(100);
