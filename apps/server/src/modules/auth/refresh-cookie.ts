import { REFRESH_COOKIE_PATH } from '@bellhop/protocol';
import type { CookieOptions } from 'express';

/** A refresh token lives this long after its last use (each refresh issues a new one). */
export const REFRESH_TOKEN_TTL_DAYS = 30;
export const REFRESH_TOKEN_TTL_SECONDS = REFRESH_TOKEN_TTL_DAYS * 24 * 60 * 60;

/** httpOnly, SameSite=Strict, only sent to /api/auth; Secure when the public URL is https. */
export function refreshCookieOptions(publicUrl: string, withMaxAge = true): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    path: REFRESH_COOKIE_PATH,
    secure: publicUrl.startsWith('https:'),
    ...(withMaxAge ? { maxAge: REFRESH_TOKEN_TTL_SECONDS * 1000 } : {}),
  };
}
