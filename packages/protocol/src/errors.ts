import { z } from 'zod';

/** Codes of the WebSocket `error` frame. */
export const WsErrorCode = {
  BadRequest: 'bad_request',
  UnknownEvent: 'unknown_event',
  NotFound: 'not_found',
  Forbidden: 'forbidden',
  RateLimited: 'rate_limited',
  Unavailable: 'unavailable',
  Internal: 'internal',
} as const;
export type WsErrorCode = (typeof WsErrorCode)[keyof typeof WsErrorCode];
export const wsErrorCodeSchema = z.enum(Object.values(WsErrorCode) as [WsErrorCode, ...WsErrorCode[]]);

/** Every HTTP error body: `message` is an array of `"<field path>: <problem>"` for validation errors. */
export const httpErrorSchema = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.union([z.string(), z.array(z.string())]),
});
export type HttpError = z.infer<typeof httpErrorSchema>;

/** Turns a zod error into `"<field path>: <problem>"` lines, the protocol's validation message. */
export function formatIssues(error: z.ZodError, prefix?: string): string[] {
  return error.issues.map((issue) => {
    const parts = [...(prefix ? [prefix] : []), ...issue.path.map(String)];
    return `${parts.length ? parts.join('.') : '(root)'}: ${issue.message}`;
  });
}
