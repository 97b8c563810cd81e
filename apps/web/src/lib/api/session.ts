import {
  guestAuthResponseSchema,
  refreshResponseSchema,
  staffAuthResponseSchema,
  type GuestAuthResponse,
  type JoinRequest,
  type StaffAuthResponse,
} from '@bellhop/protocol';
import { ApiError, requestJson, send } from './http';

export type StaffSession = { kind: 'staff' } & StaffAuthResponse;
export type GuestSession = { kind: 'guest' } & GuestAuthResponse;
export type Session = StaffSession | GuestSession;

/**
 * The access token lives in memory only; the refresh token is an httpOnly cookie, so after
 * a reload the app calls `restoreSession()` and gets a fresh access token.
 */
let current: Session | null = null;
let inflightRefresh: Promise<Session | null> | null = null;
const listeners = new Set<(session: Session | null) => void>();

function toSession(answer: StaffAuthResponse | GuestAuthResponse): Session {
  return 'user' in answer ? { kind: 'staff', ...answer } : { kind: 'guest', ...answer };
}

function set(session: Session | null): void {
  current = session;
  for (const listener of listeners) listener(session);
}

export function getSession(): Session | null {
  return current;
}

export function onSessionChange(listener: (session: Session | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function login(username: string, password: string): Promise<StaffSession> {
  const answer = await requestJson(staffAuthResponseSchema, '/api/auth/login', { method: 'POST', body: { username, password } });
  const session: StaffSession = { kind: 'staff', ...answer };
  set(session);
  return session;
}

export async function joinStay(request: JoinRequest): Promise<GuestSession> {
  const answer = await requestJson(guestAuthResponseSchema, '/api/guest/join', { method: 'POST', body: request });
  const session: GuestSession = { kind: 'guest', ...answer };
  set(session);
  return session;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function refreshOnce(): Promise<Session | null> {
  for (let attempt = 0; ; attempt++) {
    try {
      const answer = await requestJson(refreshResponseSchema, '/api/auth/refresh', { method: 'POST' });
      const session = toSession(answer);
      set(session);
      return session;
    } catch (error) {
      // Another tab may have rotated the cookie a moment ago: the old token gets a bare 401 for
      // 30 s, and the browser now holds the new one. Retry once with it.
      if (error instanceof ApiError && error.status === 401 && attempt === 0) {
        await wait(150 + Math.random() * 250);
        continue;
      }
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        set(null);
        return null;
      }
      throw error;
    }
  }
}

/**
 * Swaps the refresh cookie for a new access token. Resolves `null` when the session is over
 * (no cookie, logged out, checked out); rejects on network errors so callers can retry later.
 * Concurrent calls share one request.
 */
export function refreshSession(): Promise<Session | null> {
  inflightRefresh ??= refreshOnce().finally(() => {
    inflightRefresh = null;
  });
  return inflightRefresh;
}

/** On start-up: the session the cookie still holds, if any. */
export const restoreSession = refreshSession;

/** The current access token, refreshed first when it expires within a minute. */
export async function accessToken(): Promise<string | null> {
  if (!current) return null;
  if (Date.parse(current.expiresAt) - Date.now() < 60_000) {
    const session = await refreshSession();
    return session?.accessToken ?? null;
  }
  return current.accessToken;
}

export async function logout(): Promise<void> {
  try {
    await send('/api/auth/logout', { method: 'POST' });
  } finally {
    set(null);
  }
}

/** Forgets the session locally (it ended on the server). */
export function clearSession(): void {
  set(null);
}
