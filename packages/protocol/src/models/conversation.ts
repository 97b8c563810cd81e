import { z } from 'zod';
import { dateSchema, idSchema, timestampSchema } from './common.js';
import { messageSchema } from './message.js';
import { stayStatusSchema } from './stay.js';

export const ConversationStatus = { Open: 'open', Resolved: 'resolved' } as const;
export type ConversationStatus = (typeof ConversationStatus)[keyof typeof ConversationStatus];
export const conversationStatusSchema = z.enum(['open', 'resolved']);

/**
 * A conversation as the inbox shows it. `unread` is for the staff member asking.
 * Compatible additions: `stay.familyName` (always sent by the server) and `guestReadSeq`, the
 * guest's read cursor (0 before the guest read anything).
 */
export const conversationSummarySchema = z.object({
  id: idSchema,
  stay: z.object({
    id: idSchema,
    roomNumber: z.string(),
    guestName: z.string(),
    familyName: z.string().optional(),
    checkOut: dateSchema,
    status: stayStatusSchema,
  }),
  status: conversationStatusSchema,
  assigneeId: idSchema.nullable(),
  lastSeq: z.number().int().nonnegative(),
  lastMessage: messageSchema.nullable(),
  unread: z.number().int().nonnegative(),
  guestReadSeq: z.number().int().nonnegative().optional(),
  updatedAt: timestampSchema,
});
export type ConversationSummary = z.infer<typeof conversationSummarySchema>;
