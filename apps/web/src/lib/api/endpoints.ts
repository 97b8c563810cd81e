import {
  conversationPageSchema,
  conversationSummarySchema,
  createStayResponseSchema,
  historyPageSchema,
  searchPageSchema,
  staffDirectorySchema,
  staffListSchema,
  staffUserSchema,
  stayListSchema,
  staySchema,
  type CreateStaffRequest,
  type CreateStayRequest,
  type UpdateConversationRequest,
  type UpdateStaffRequest,
} from '@bellhop/protocol';
import type { z } from 'zod';
import { ApiError, requestJson, send, type RequestOptions } from './http';
import { accessToken, refreshSession } from './session';

/** A request with the access token; on a 401 the token is refreshed once and the request repeated. */
async function authed<S extends z.ZodType>(schema: S, path: string, options: RequestOptions = {}): Promise<z.output<S>> {
  try {
    return await requestJson(schema, path, { ...options, token: await accessToken() });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    const session = await refreshSession();
    if (!session) throw error;
    return requestJson(schema, path, { ...options, token: session.accessToken });
  }
}

async function authedRaw(path: string, options: RequestOptions = {}): Promise<Response> {
  try {
    return await send(path, { ...options, token: await accessToken() });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    const session = await refreshSession();
    if (!session) throw error;
    return send(path, { ...options, token: session.accessToken });
  }
}

const enc = encodeURIComponent;

export const api = {
  history: (conversationId: string, before?: number, limit?: number) =>
    authed(historyPageSchema, `/api/conversations/${enc(conversationId)}/messages`, { query: { before, limit } }),

  conversations: (status: 'open' | 'resolved' | 'all', cursor?: string | null, limit?: number) =>
    authed(conversationPageSchema, '/api/conversations', { query: { status, cursor, limit } }),

  /** One conversation, whether or not it is in a loaded inbox page. */
  conversation: (id: string) => authed(conversationSummarySchema, `/api/conversations/${enc(id)}`),

  updateConversation: (id: string, body: UpdateConversationRequest) =>
    authed(conversationSummarySchema, `/api/conversations/${enc(id)}`, { method: 'PATCH', body }),

  search: (q: string, cursor?: string | null) => authed(searchPageSchema, '/api/search', { query: { q, cursor } }),

  /** The transcript as a file (txt or json). */
  transcript: async (conversationId: string, format: 'txt' | 'json') => {
    const response = await authedRaw(`/api/conversations/${enc(conversationId)}/transcript`, { query: { format } });
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const match = /filename="?([^";]+)"?/.exec(disposition);
    return { blob: await response.blob(), filename: match?.[1] ?? `transcript-${conversationId}.${format}` };
  },

  stays: (status: 'active' | 'checked_out' = 'active') => authed(stayListSchema, '/api/stays', { query: { status } }),

  createStay: (body: CreateStayRequest) => authed(createStayResponseSchema, '/api/stays', { method: 'POST', body }),

  checkout: (stayId: string) => authed(staySchema, `/api/stays/${enc(stayId)}/checkout`, { method: 'POST' }),

  staff: () => authed(staffListSchema, '/api/staff'),

  /** The active colleagues' names, for any staff member. */
  staffDirectory: () => authed(staffDirectorySchema, '/api/staff/directory'),

  createStaff: (body: CreateStaffRequest) => authed(staffUserSchema, '/api/staff', { method: 'POST', body }),

  updateStaff: (id: string, body: UpdateStaffRequest) => authed(staffUserSchema, `/api/staff/${enc(id)}`, { method: 'PATCH', body }),
};
