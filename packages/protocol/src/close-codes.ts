/** WebSocket close codes of protocol v1. */
export const CloseCode = {
  /** Server shutting down: reconnect with backoff, then resume. */
  GoingAway: 1001,
  /** Invalid UTF-8. */
  InvalidPayload: 1007,
  /** A message larger than 64 KiB. */
  TooLarge: 1009,
  /** Token expired, session ended, or stay checked out: refresh, or show "session ended". */
  Unauthorized: 4401,
  /** Heartbeat missed, or too slow a reader: reconnect, then resume. */
  Timeout: 4408,
  /** Too many `rate_limited` answers: back off. */
  RateLimited: 4429,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** HTTP status of a refused WebSocket handshake. */
export const HandshakeStatus = {
  NoSubprotocol: 400,
  Unauthorized: 401,
  ForbiddenOrigin: 403,
  TooManySockets: 429,
  Unavailable: 503,
} as const;
