import { WsErrorCode } from '@bellhop/protocol';

/** What went wrong, independent of transport. Each module throws its own subclass with one of these. */
export const ErrorKind = {
  BadRequest: 'bad_request',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  Conflict: 'conflict',
  TooManyRequests: 'too_many_requests',
  Unavailable: 'unavailable',
  Internal: 'internal',
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

/** Base of every module exception: a kind, a client-safe message, and optional extras. */
export class AppException extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: { messages?: string[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** HTTP status and reason phrase for each kind (exhaustive). */
export function httpStatusOf(kind: ErrorKind): { status: number; error: string } {
  switch (kind) {
    case ErrorKind.BadRequest:
      return { status: 400, error: 'Bad Request' };
    case ErrorKind.Unauthorized:
      return { status: 401, error: 'Unauthorized' };
    case ErrorKind.Forbidden:
      return { status: 403, error: 'Forbidden' };
    case ErrorKind.NotFound:
      return { status: 404, error: 'Not Found' };
    case ErrorKind.Conflict:
      return { status: 409, error: 'Conflict' };
    case ErrorKind.TooManyRequests:
      return { status: 429, error: 'Too Many Requests' };
    case ErrorKind.Unavailable:
      return { status: 503, error: 'Service Unavailable' };
    case ErrorKind.Internal:
      return { status: 500, error: 'Internal Server Error' };
  }
}

/** WebSocket `error` code for each kind (exhaustive). */
export function wsCodeOf(kind: ErrorKind): WsErrorCode {
  switch (kind) {
    case ErrorKind.BadRequest:
    case ErrorKind.Conflict:
      return WsErrorCode.BadRequest;
    case ErrorKind.Unauthorized:
    case ErrorKind.Forbidden:
      return WsErrorCode.Forbidden;
    case ErrorKind.NotFound:
      return WsErrorCode.NotFound;
    case ErrorKind.TooManyRequests:
      return WsErrorCode.RateLimited;
    case ErrorKind.Unavailable:
      return WsErrorCode.Unavailable;
    case ErrorKind.Internal:
      return WsErrorCode.Internal;
  }
}

// 57014: a statement cancelled, by the statement timeout (DATABASE_STATEMENT_TIMEOUT_MS) or by an
// operator; its transaction is rolled back, so nothing of it was stored.
// BH001: a send batch the database ran too late to be answered (migration SendBatchDeadline).
const UNAVAILABLE_CODES = new Set(['BH001', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57014', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

/**
 * True when an error means the database cannot be reached or did not answer in time: retry later.
 * Nothing was stored, except when no answer came at all (isUnanswered): the database may still
 * commit the statement, which is why every write a client retries is idempotent.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: string; message?: string; driverError?: unknown; cause?: unknown };
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  const msg = e.message ?? '';
  if (/Connection terminated|connection timeout|Query read timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)|terminating connection/i.test(msg)) {
    return true;
  }
  return isDatabaseUnavailable(e.driverError) || isDatabaseUnavailable(e.cause);
}
