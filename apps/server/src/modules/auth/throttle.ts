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
 * Whether a key is locked, given its failure times (ms, any order) and the limit. A key is locked
 * while `limit` failures lie within the window. Failures are not recorded during a lock, so the
 * lock lifts when the limit-th most recent failure leaves the window: 15 minutes after the failure
 * that reached the limit.
 */
export function throttleState(
  failureTimes: number[],
  limit: number,
  now: number,
  windowMs: number = THROTTLE_WINDOW_MS,
): { locked: false } | { locked: true; retryAfterSeconds: number } {
  const recent = failureTimes.filter((t) => t > now - windowMs).sort((a, b) => b - a);
  if (recent.length < limit) return { locked: false };
  const liftsAt = recent[limit - 1] + windowMs;
  return { locked: true, retryAfterSeconds: Math.max(1, Math.ceil((liftsAt - now) / 1000)) };
}

/** Keys are case-insensitive for usernames (as the accounts are). */
export function throttleKey(kind: ThrottleKind, value: string): string {
  return kind === ThrottleKind.LoginUsername ? value.trim().toLowerCase() : value;
}
