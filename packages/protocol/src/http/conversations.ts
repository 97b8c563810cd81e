import { z } from 'zod';
import { Limits } from '../limits.js';
import { idSchema, lineInputSchema } from '../models/common.js';
import { conversationStatusSchema, conversationSummarySchema } from '../models/conversation.js';
import { messageSchema } from '../models/message.js';

/** A query parameter given empty (`?cursor=&limit=`) counts as not given. */
const param = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema);

const limit = (def: number) => param(z.coerce.number().int().min(1).max(Limits.pageMax).default(def));
const cursor = param(z.string().max(200).optional());

/** GET /api/conversations */
export const listConversationsQuerySchema = z.object({
  status: param(z.enum(['open', 'resolved', 'all']).default('open')),
  cursor,
  limit: limit(Limits.pageDefault),
});
export type ListConversationsQuery = z.infer<typeof listConversationsQuerySchema>;

export const conversationPageSchema = z.object({
  items: z.array(conversationSummarySchema),
  nextCursor: z.string().nullable(),
});
export type ConversationPage = z.infer<typeof conversationPageSchema>;

/** GET /api/conversations/:id/messages: the `limit` newest before `before`, ascending. */
export const historyQuerySchema = z.object({
  before: param(z.coerce.number().int().min(1).max(Limits.maxSeq).optional()),
  limit: limit(Limits.pageDefault),
});
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

export const historyPageSchema = z.object({
  messages: z.array(messageSchema),
  hasMore: z.boolean(),
});
export type HistoryPage = z.infer<typeof historyPageSchema>;

/** PATCH /api/conversations/:id */
export const updateConversationRequestSchema = z.strictObject({
  status: conversationStatusSchema.optional(),
  assigneeId: idSchema.nullable().optional(),
});
export type UpdateConversationRequest = z.infer<typeof updateConversationRequestSchema>;

/** GET /api/search: whole words, any case. */
export const searchQuerySchema = z.object({
  q: lineInputSchema(Limits.searchQueryMax, Limits.searchQueryMin),
  cursor,
  limit: limit(Limits.searchPageDefault),
});
export type SearchQuery = z.infer<typeof searchQuerySchema>;

export const searchHitSchema = z.object({
  message: messageSchema,
  conversation: conversationSummarySchema,
});
export type SearchHit = z.infer<typeof searchHitSchema>;

export const searchPageSchema = z.object({
  items: z.array(searchHitSchema),
  nextCursor: z.string().nullable(),
});
export type SearchPage = z.infer<typeof searchPageSchema>;

/** GET /api/conversations/:id/transcript */
export const transcriptQuerySchema = z.object({
  format: z.enum(['txt', 'json']).default('txt'),
});
export type TranscriptQuery = z.infer<typeof transcriptQuerySchema>;

export const transcriptJsonSchema = z.object({
  conversation: conversationSummarySchema,
  messages: z.array(messageSchema),
});
export type TranscriptJson = z.infer<typeof transcriptJsonSchema>;

/**
 * Path parameter `:id`: a malformed id is a 400. `GET /api/conversations/:id` (a compatible
 * addition) answers one `ConversationSummary` (`conversationSummarySchema`).
 */
export const idParamSchema = z.object({ id: idSchema });

/** The body of a POST that takes none (refresh, logout, check-out): absent or `{}`; any field is unknown. */
export const emptyBodySchema = z.strictObject({});
