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
  return error.issues.flatMap((issue) => describeIssue(issue, prefix ? [prefix] : []));
}

function describeIssue(issue: z.core.$ZodIssue, base: string[]): string[] {
  const path = [...base, ...issue.path.map(String)];
  // A body that is one of several shapes (a join: a code, or a room and a family name): when the
  // fields sent fit exactly one shape, what is wrong with that shape, field by field.
  if (issue.code === 'invalid_union' && issue.errors.length > 1) {
    const fitting = issue.errors.filter((branch) => !branch.some((i) => i.code === 'unrecognized_keys'));
    if (fitting.length === 1 && fitting[0].length > 0) return fitting[0].flatMap((i) => describeIssue(i, path));
  }
  return [`${path.length ? path.join('.') : '(root)'}: ${issue.message}`];
}
