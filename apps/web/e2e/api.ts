import {
  createStayResponseSchema,
  guestAuthResponseSchema,
  historyPageSchema,
  refreshResponseSchema,
  staffAuthResponseSchema,
  staffUserSchema,
  type CreateStayResponse,
  type StaffRole,
} from '@bellhop/protocol';
import { ADMIN } from './server';

/** Direct HTTP calls for test set-up (Node has no cookie jar: the refresh cookie is carried by hand). */
export class TestApi {
  constructor(readonly base: string) {}

  private async call(path: string, init: RequestInit & { token?: string; cookie?: string } = {}) {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    if (init.cookie) headers.Cookie = init.cookie;
    const response = await fetch(`${this.base}${path}`, { ...init, headers });
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${await response.text()}`);
    return response;
  }

  static cookieOf(response: Response): string {
    const header = response.headers.getSetCookie().find((c) => c.startsWith('bellhop_refresh='));
    if (!header) throw new Error('no refresh cookie');
    return header.split(';')[0]!;
  }

  async loginAdmin() {
    const response = await this.call('/api/auth/login', { method: 'POST', body: JSON.stringify(ADMIN) });
    return { ...staffAuthResponseSchema.parse(await response.json()), cookie: TestApi.cookieOf(response) };
  }

  async createStaff(token: string, username: string, displayName: string, role: StaffRole = 'agent') {
    const response = await this.call('/api/staff', {
      method: 'POST',
      token,
      body: JSON.stringify({ username, displayName, role, password: `${username}-password` }),
    });
    return staffUserSchema.parse(await response.json());
  }

  async createStay(token: string, guestName = 'Ana', familyName = 'Silva'): Promise<CreateStayResponse> {
    const roomNumber = String(100 + Math.floor(Math.random() * 8900));
    const checkOut = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const response = await this.call('/api/stays', {
      method: 'POST',
      token,
      body: JSON.stringify({ guestName, familyName, roomNumber, checkOut }),
    });
    return createStayResponseSchema.parse(await response.json());
  }

  async join(code: string) {
    const response = await this.call('/api/guest/join', { method: 'POST', body: JSON.stringify({ code }) });
    return { ...guestAuthResponseSchema.parse(await response.json()), cookie: TestApi.cookieOf(response) };
  }

  /** Rotates the cookie; null when the session is over. */
  async refresh(cookie: string) {
    const response = await fetch(`${this.base}/api/auth/refresh`, { method: 'POST', headers: { Cookie: cookie } });
    if (response.status === 401) return null;
    if (!response.ok) throw new Error(`refresh: ${response.status}`);
    return { ...refreshResponseSchema.parse(await response.json()), cookie: TestApi.cookieOf(response) };
  }

  async checkout(token: string, stayId: string) {
    await this.call(`/api/stays/${stayId}/checkout`, { method: 'POST', token });
  }

  async history(token: string, conversationId: string, limit = 100) {
    const response = await this.call(`/api/conversations/${conversationId}/messages?limit=${limit}`, { token });
    return historyPageSchema.parse(await response.json());
  }
}
