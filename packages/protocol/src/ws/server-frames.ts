import { z } from 'zod';
import { idSchema, timestampSchema } from '../models/common.js';
import { conversationSummarySchema } from '../models/conversation.js';
import { messageSchema } from '../models/message.js';
import { staffRoleSchema } from '../models/staff.js';
import { wsErrorCodeSchema } from '../errors.js';

/** Data of each server → client event. Parsed loosely (unknown fields are dropped) so additions stay compatible. */
export const serverEventSchemas = {
  'session.ready': z.object({
    user: z.object({
      type: z.enum(['guest', 'staff']),
      id: idSchema,
      name: z.string(),
      role: staffRoleSchema.optional(),
    }),
    serverTime: timestampSchema,
    heartbeatMs: z.number().int(),
    /**
     * A guest's one conversation (staff get `[]`). `staffReadSeq`, a compatible addition: the
     * highest read cursor of any staff member in it (0 before any staff member read it).
     */
    conversations: z.array(
      z.object({
        id: idSchema,
        lastSeq: z.number().int().nonnegative(),
        staffReadSeq: z.number().int().nonnegative().optional(),
      }),
    ),
  }),
  'message.ack': z.object({ clientMsgId: idSchema, message: messageSchema }),
  'message.new': z.object({ message: messageSchema }),
  'conversation.messages': z.object({
    conversationId: idSchema,
    messages: z.array(messageSchema),
    hasMore: z.boolean(),
  }),
  'conversation.read': z.object({
    conversationId: idSchema,
    reader: z.object({ type: z.enum(['guest', 'staff']), id: idSchema }),
    seq: z.number().int().nonnegative(),
  }),
  'conversation.updated': z.object({ conversation: conversationSummarySchema }),
  typing: z.object({
    conversationId: idSchema,
    who: z.object({ type: z.enum(['guest', 'staff']), id: idSchema, name: z.string() }),
    active: z.boolean(),
  }),
  'inbox.snapshot': z.object({ conversations: z.array(conversationSummarySchema) }),
  presence: z.object({ staffOnline: z.number().int().nonnegative() }),
  pong: z.object({ t: z.number(), serverTime: timestampSchema }),
  error: z.object({ code: wsErrorCodeSchema, message: z.string(), ref: z.string().optional() }),
} as const;

export type ServerEventName = keyof typeof serverEventSchemas;
export const SERVER_EVENTS = Object.keys(serverEventSchemas) as ServerEventName[];
export type ServerEventData = { [E in ServerEventName]: z.infer<(typeof serverEventSchemas)[E]> };
/** A server frame: a discriminated union on `event`. */
export type ServerFrame = { [E in ServerEventName]: { event: E; data: ServerEventData[E] } }[ServerEventName];

export type SessionReady = ServerEventData['session.ready'];
export type ErrorFrameData = ServerEventData['error'];
export type TypingEvent = ServerEventData['typing'];
export type ReadEvent = ServerEventData['conversation.read'];
