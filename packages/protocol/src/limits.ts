/** Limits of protocol v1. Both ends enforce them; see PROTOCOL.md. */
export const Limits = {
  /** Message bodies: code points after trimming. */
  bodyMaxCodePoints: 4000,
  /** WebSocket frame payload, after reassembly (bytes). */
  frameMaxBytes: 65_536,
  /** HTTP request bodies (bytes). */
  httpBodyMaxBytes: 102_400,
  /** `message.send`: token bucket per connection. */
  sendBurst: 20,
  sendPerSecond: 2,
  /** Every other client event: token bucket per connection. */
  eventBurst: 60,
  eventPerSecond: 6,
  /** This many `rate_limited` answers within `rateLimitedWindowMs` close the socket with 4429. */
  rateLimitedCloseCount: 20,
  rateLimitedWindowMs: 10_000,
  /** Open sockets per subject (staff member or stay). */
  socketsPerSubject: 10,
  /** A reader whose unsent backlog passes this is cut off with 4408. */
  slowReaderBytes: 1_048_576,
  /** `typing {active: true}` is passed on at most once per this interval per connection. */
  typingThrottleMs: 2_000,
  /** The client reconnects when no `pong` answers its `ping` within this. */
  pongDeadlineMs: 10_000,
  heartbeatMinMs: 1_000,
  heartbeatMaxMs: 30_000,
  heartbeatDefaultMs: 25_000,
  /** Access tokens live at most this long. */
  accessTokenTtlSeconds: 900,
  /** Clock leeway when verifying `exp`. */
  jwtLeewaySeconds: 30,
  /** A rotated refresh token presented again within this gets 401 only; later it ends the session. */
  refreshReuseGraceSeconds: 30,
  /** Sockets of an ended session close within this. */
  sessionEndCloseMs: 5_000,
  /** `inbox.snapshot` holds at most this many conversations. */
  inboxSnapshotMax: 200,
  /** The highest seq a conversation can reach (a Postgres integer): a larger one in a request is out of bounds. */
  maxSeq: 2_147_483_647,
  pageDefault: 50,
  pageMax: 100,
  searchPageDefault: 20,
  searchQueryMin: 2,
  searchQueryMax: 200,
  syncDefault: 100,
  syncMax: 200,
  /** Login throttle: failures per username / per address in the window, and the lock. */
  loginFailuresPerUsername: 5,
  loginFailuresPerAddress: 20,
  joinFailuresPerAddress: 10,
  throttleWindowSeconds: 900,
  /** A stay still active this long after its check-out date is checked out automatically. */
  autoCheckoutAfterHours: 24,
} as const;

/** The WebSocket subprotocol the server selects. */
export const SUBPROTOCOL = 'bellhop.v1';
/** Prefix of the subprotocol carrying the access token: `bearer.<accessToken>`. */
export const BEARER_SUBPROTOCOL_PREFIX = 'bearer.';
/** Name of the refresh-token cookie (Path `/api/auth`). */
export const REFRESH_COOKIE = 'bellhop_refresh';
export const REFRESH_COOKIE_PATH = '/api/auth';
/** `iss` of every access token. */
export const JWT_ISSUER = 'bellhop';
export const JwtAudience = { Staff: 'staff', Guest: 'guest' } as const;
export type JwtAudience = (typeof JwtAudience)[keyof typeof JwtAudience];
