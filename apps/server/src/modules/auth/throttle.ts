import { Limits } from '@bellhop/protocol';

/** The failure counters kept in `auth_failures.kind`. */
export const ThrottleKind = {
  LoginUsername: 'login_username',
  LoginAddress: 'login_address',
  JoinAddress: 'join_address',
} as const;
export type ThrottleKind = (typeof ThrottleKind)[keyof typeof ThrottleKind];

export const throttleLimits: Record<ThrottleKind, number> = {
  [ThrottleKind.LoginUsername]: Limits.loginFailuresPerUsername,
  [ThrottleKind.LoginAddress]: Limits.loginFailuresPerAddress,
  [ThrottleKind.JoinAddress]: Limits.joinFailuresPerAddress,
};

export const THROTTLE_WINDOW_MS = Limits.throttleWindowSeconds * 1000;

/**
 * Whether a key is locked, given its failure times (ms, any order) of the last two windows. A key
 * locks when `limit` failures fall within one window, and stays locked for a window from the
 * failure that reached the limit. Failures are not recorded during a lock.
 */
export function throttleState(
  failureTimes: number[],
  limit: number,
  now: number,
  windowMs: number = THROTTLE_WINDOW_MS,
): { locked: false } | { locked: true; retryAfterSeconds: number } {
  const times = failureTimes.filter((t) => t > now - 2 * windowMs && t <= now).sort((a, b) => a - b);
  let lockedUntil = 0;
  for (let i = limit - 1; i < times.length; i++) {
    // times[i] is the limit-th failure within one window when the (limit-1)-th before it is recent enough.
    if (times[i - limit + 1] > times[i] - windowMs) lockedUntil = Math.max(lockedUntil, times[i] + windowMs);
  }
  if (lockedUntil <= now) return { locked: false };
  return { locked: true, retryAfterSeconds: Math.max(1, Math.ceil((lockedUntil - now) / 1000)) };
}

/** How far back `throttleState` needs failures: a lock can start a window ago and last one more. */
export const THROTTLE_LOOKBACK_MS = 2 * THROTTLE_WINDOW_MS;
/** At most this many failures are read per key (failures stop being recorded during a lock). */
export const THROTTLE_LOOKBACK_ROWS = 200;

/** Keys are case-insensitive for usernames (as the accounts are). */
export function throttleKey(kind: ThrottleKind, value: string): string {
  return kind === ThrottleKind.LoginUsername ? value.trim().toLowerCase() : value;
}
