import {
  type CreateStayResponse,
  type GuestAuthResponse,
  REFRESH_COOKIE,
  type StaffAuthResponse,
  type StaffRole,
  type StaffUser,
} from '@bellhop/protocol';
import { ADMIN } from './app.js';

export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  /** Access token, sent as `Authorization: Bearer`. */
  token?: string;
  /** JSON-serialised unless a string (sent as is, with a JSON content type). */
  body?: unknown;
  /** A `name=value` cookie pair, e.g. the refresh cookie from `refreshCookie()`. */
  cookie?: string;
  headers?: Record<string, string>;
}

/** One HTTP request; the body is parsed as JSON when it is JSON, else returned as text ('' when empty). */
export async function request<T = unknown>(method: string, url: string, options: RequestOptions = {}): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text.length > 0) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** The `bellhop_refresh=<value>` pair of a response's Set-Cookie, for sending back; undefined when none. */
export function refreshCookie(headers: Headers): string | undefined {
  for (const line of headers.getSetCookie()) {
    const [pair] = line.split(';');
    if (pair.startsWith(`${REFRESH_COOKIE}=`)) return pair;
  }
  return undefined;
}

function expectStatus(res: HttpResult, status: number, what: string): void {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
}

export interface StaffLogin {
  accessToken: string;
  cookie: string;
  user: StaffUser;
}

export async function loginStaff(baseUrl: string, username: string = ADMIN.username, password: string = ADMIN.password): Promise<StaffLogin> {
  const res = await request<StaffAuthResponse>('POST', `${baseUrl}/api/auth/login`, { body: { username, password } });
  expectStatus(res, 200, `login ${username}`);
  return { accessToken: res.body.accessToken, cookie: refreshCookie(res.headers)!, user: res.body.user };
}

export interface NewStaff {
  username?: string;
  displayName?: string;
  role?: StaffRole;
  password?: string;
}

let counter = 0;
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}

/** Creates a staff member as `adminToken` and logs them in. Defaults: a unique agent. */
export async function createStaff(baseUrl: string, adminToken: string, staff: NewStaff = {}): Promise<StaffLogin & { password: string }> {
  const username = staff.username ?? unique('agent');
  const password = staff.password ?? 'agent-password-1';
  const res = await request<StaffUser>('POST', `${baseUrl}/api/staff`, {
    token: adminToken,
    body: { username, displayName: staff.displayName ?? `Agent ${username}`, role: staff.role ?? 'agent', password },
  });
  expectStatus(res, 201, `create staff ${username}`);
  return { ...(await loginStaff(baseUrl, username, password)), password };
}

export interface NewStay {
  roomNumber?: string;
  guestName?: string;
  familyName?: string;
  checkIn?: string;
  checkOut?: string;
}

let roomCounter = 100;

/** A date `days` from today (the server's local date), as `YYYY-MM-DD`. */
export function localDate(days = 0): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Checks a guest in (POST /api/stays). Defaults: a fresh room, checking out in 3 days. */
export async function checkIn(baseUrl: string, staffToken: string, stay: NewStay = {}): Promise<CreateStayResponse> {
  roomCounter += 1;
  const res = await request<CreateStayResponse>('POST', `${baseUrl}/api/stays`, {
    token: staffToken,
    body: {
      guestName: stay.guestName ?? 'Ada',
      familyName: stay.familyName ?? 'Lovelace',
      roomNumber: stay.roomNumber ?? `${roomCounter}${Math.floor(Math.random() * 1000)}`.slice(0, 10),
      ...(stay.checkIn !== undefined ? { checkIn: stay.checkIn } : {}),
      checkOut: stay.checkOut ?? localDate(3),
    },
  });
  expectStatus(res, 201, 'check in');
  return res.body;
}

export async function checkOut(baseUrl: string, staffToken: string, stayId: string): Promise<HttpResult> {
  return request('POST', `${baseUrl}/api/stays/${stayId}/checkout`, { token: staffToken });
}

export interface GuestLogin {
  accessToken: string;
  cookie: string;
  guest: GuestAuthResponse['guest'];
  conversationId: string;
}

/** Joins as a guest with a join code (any form) or room number + family name. */
export async function joinGuest(baseUrl: string, code: string | { roomNumber: string; familyName: string }, headers?: Record<string, string>): Promise<GuestLogin> {
  const res = await request<GuestAuthResponse>('POST', `${baseUrl}/api/guest/join`, { body: typeof code === 'string' ? { code } : code, headers });
  expectStatus(res, 200, 'join');
  return { accessToken: res.body.accessToken, cookie: refreshCookie(res.headers)!, guest: res.body.guest, conversationId: res.body.conversationId };
}

/** POST /api/auth/refresh with a cookie; `cookie` is the rotated one when it succeeded. */
export async function refresh<T = StaffAuthResponse | GuestAuthResponse>(baseUrl: string, cookie: string): Promise<HttpResult<T> & { cookie: string | undefined }> {
  const res = await request<T>('POST', `${baseUrl}/api/auth/refresh`, { cookie });
  return { ...res, cookie: refreshCookie(res.headers) };
}

export async function logout(baseUrl: string, cookie?: string, token?: string): Promise<HttpResult> {
  return request('POST', `${baseUrl}/api/auth/logout`, { cookie, token });
}

/** The helpers bound to one server. */
export function api(baseUrl: string) {
  return {
    request: <T = unknown>(method: string, path: string, options?: RequestOptions) => request<T>(method, `${baseUrl}${path}`, options),
    loginStaff: (username?: string, password?: string) => loginStaff(baseUrl, username, password),
    createStaff: (adminToken: string, staff?: NewStaff) => createStaff(baseUrl, adminToken, staff),
    checkIn: (staffToken: string, stay?: NewStay) => checkIn(baseUrl, staffToken, stay),
    checkOut: (staffToken: string, stayId: string) => checkOut(baseUrl, staffToken, stayId),
    joinGuest: (code: string | { roomNumber: string; familyName: string }, headers?: Record<string, string>) => joinGuest(baseUrl, code, headers),
    refresh: <T = StaffAuthResponse | GuestAuthResponse>(cookie: string) => refresh<T>(baseUrl, cookie),
    logout: (cookie?: string, token?: string) => logout(baseUrl, cookie, token),
  };
}
