import { createHmac } from 'node:crypto';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT signed by hand, for tokens the server must refuse (another secret, alg none, bad claims). */
export function forgeJwt(payload: Record<string, unknown>, options: { secret?: string; alg?: string; header?: Record<string, unknown> } = {}): string {
  const alg = options.alg ?? 'HS256';
  const head = b64({ alg, typ: 'JWT', ...options.header });
  const body = b64(payload);
  if (alg === 'none') return `${head}.${body}.`;
  const signature = createHmac('sha256', options.secret ?? 'x').update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/** The payload of a JWT, unverified. */
export function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}
