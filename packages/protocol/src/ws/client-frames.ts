import { z } from 'zod';
import { Limits } from '../limits.js';
import { idSchema } from '../models/common.js';
import { messageBodySchema } from '../models/message.js';

/** Data of each client → server event. Extra fields are refused. */
export const clientEventSchemas = {
  'message.send': z.strictObject({
    conversationId: idSchema,
    clientMsgId: idSchema,
    body: messageBodySchema,
  }),
  'conversation.sync': z.strictObject({
    conversationId: idSchema,
    afterSeq: z.number().int().min(0).max(Limits.maxSeq),
    limit: z.number().int().min(1).max(Limits.syncMax).optional(),
  }),
  'conversation.read': z.strictObject({
    conversationId: idSchema,
    seq: z.number().int().min(0).max(Limits.maxSeq),
  }),
  typing: z.strictObject({
    conversationId: idSchema,
    active: z.boolean(),
  }),
  'inbox.sync': z.strictObject({}),
  ping: z.strictObject({ t: z.number() }),
} as const;

export type ClientEventName = keyof typeof clientEventSchemas;
export const CLIENT_EVENTS = Object.keys(clientEventSchemas) as ClientEventName[];

/** Input (as sent) of each client event, e.g. for typed `send` helpers. */
export type ClientEventInput = { [E in ClientEventName]: z.input<(typeof clientEventSchemas)[E]> };
/** Parsed (validated, bodies trimmed) data of each client event. */
export type ClientEventData = { [E in ClientEventName]: z.output<(typeof clientEventSchemas)[E]> };

/** A parsed client frame: a discriminated union on `event`. */
export type ClientFrame = { [E in ClientEventName]: { event: E; data: ClientEventData[E] } }[ClientEventName];

export type MessageSendData = ClientEventData['message.send'];
export type ConversationSyncData = ClientEventData['conversation.sync'];
export type ConversationReadData = ClientEventData['conversation.read'];
export type TypingData = ClientEventData['typing'];
export type PingData = ClientEventData['ping'];
