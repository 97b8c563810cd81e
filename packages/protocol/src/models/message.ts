import { z } from 'zod';
import { Limits } from '../limits.js';
import { idSchema, timestampSchema } from './common.js';

export const SenderType = { Guest: 'guest', Staff: 'staff', System: 'system' } as const;
export type SenderType = (typeof SenderType)[keyof typeof SenderType];
export const senderTypeSchema = z.enum(['guest', 'staff', 'system']);

export const senderSchema = z.object({
  type: senderTypeSchema,
  id: z.string(),
  name: z.string(),
});
export type Sender = z.infer<typeof senderSchema>;

/** A stored message. `seq` starts at 1 per conversation with no gaps. */
export const messageSchema = z.object({
  id: idSchema,
  conversationId: idSchema,
  seq: z.number().int().positive(),
  clientMsgId: idSchema,
  sender: senderSchema,
  body: z.string(),
  createdAt: timestampSchema,
});
export type Message = z.infer<typeof messageSchema>;

// C0 controls other than \t and \n, DEL and the C1 controls.
// eslint-disable-next-line no-control-regex
const REFUSED_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

/** Code points in a string (not UTF-16 units). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * A message body as sent: no refused control character anywhere, then 1–4000 code points
 * after `trim()`. The output is the trimmed text, which is what is stored.
 */
export const messageBodySchema = z
  .string()
  .refine((s) => !REFUSED_CHARACTERS.test(s), {
    message: 'contains a control character (only \\t and \\n are allowed)',
    abort: true,
  })
  .transform((s) => s.trim())
  .refine((s) => s.length > 0, { message: 'must not be empty' })
  .refine((s) => codePointLength(s) <= Limits.bodyMaxCodePoints, {
    message: `must be at most ${Limits.bodyMaxCodePoints} characters`,
  });

/** Normalises line ends the way clients must before sending: `\r\n` and lone `\r` become `\n`. */
export function normalizeLineEnds(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}
