import { httpErrorSchema, type HttpError } from '@bellhop/protocol';
import type { z } from 'zod';

/** An HTTP answer other than 2xx, or a body that does not match the protocol. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: HttpError | null,
    message: string,
    /** Seconds from `Retry-After` (429). */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Validation problems (`"<field>: <problem>"`), or the single message. */
  get messages(): string[] {
    if (!this.body) return [this.message];
    return Array.isArray(this.body.message) ? this.body.message : [this.body.message];
  }
}

/** The network could not be reached (offline, DNS, server down). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('network unreachable', { cause });
    this.name = 'NetworkError';
  }
}

let apiBase = '';
/** The origin of the API; empty in the browser (same origin). Tests running in Node set it. */
export function setApiBase(base: string): void {
  apiBase = base.replace(/\/$/, '');
}
export function getApiBase(): string {
  return apiBase;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  token?: string | null;
  query?: Record<string, string | number | undefined | null>;
  signal?: AbortSignal;
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return `${apiBase}${path}${qs ? `?${qs}` : ''}`;
}

/** Sends a request and returns the raw Response when it is a success; throws ApiError/NetworkError otherwise. */
export async function send(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new NetworkError(error);
  }
  if (!response.ok) {
    let body: HttpError | null = null;
    try {
      const parsed = httpErrorSchema.safeParse(await response.json());
      if (parsed.success) body = parsed.data;
    } catch {
      // Not JSON (a proxy's error page): the status says enough.
    }
    const retryAfter = Number(response.headers.get('Retry-After'));
    const message = body ? (Array.isArray(body.message) ? body.message.join('; ') : body.message) : response.statusText;
    throw new ApiError(response.status, body, message || `HTTP ${response.status}`, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
  }
  return response;
}

/** Sends a request and parses the JSON answer with a protocol schema. */
export async function requestJson<S extends z.ZodType>(schema: S, path: string, options: RequestOptions = {}): Promise<z.output<S>> {
  const response = await send(path, options);
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    throw new ApiError(response.status, null, 'the server answered with something other than JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ApiError(response.status, null, `unexpected answer from ${path}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
