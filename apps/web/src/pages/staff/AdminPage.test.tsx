import { jest } from '@jest/globals';
import type { StaffUser } from '@bellhop/protocol';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { i18n } from '../../app/i18n';
import { STAFF_ID } from '../../test/fixtures';
import { AdminPage } from './AdminPage';
import { StaffContext, type StaffContextValue } from './StaffContext';
import { StaffDirectoryStore } from './staffDirectory';

const me: StaffUser = { id: STAFF_ID, username: 'frontdesk', displayName: 'Front Desk', role: 'admin', disabled: false, createdAt: '2026-11-01T08:00:00.000Z' };
const other: StaffUser = { id: '2f3e4d5c-6b7a-4988-8776-655443322110', username: 'night', displayName: 'Night Manager', role: 'admin', disabled: false, createdAt: '2026-11-02T08:00:00.000Z' };

const json = (status: number, body: unknown) => ({ ok: status < 300, status, statusText: '', headers: new Headers(), json: async () => body }) as Response;
const realFetch = globalThis.fetch;
beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
  globalThis.fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (url.endsWith('/api/staff') && (init?.method ?? 'GET') === 'GET') return json(200, { items: [me, other] });
    // Meanwhile this member became the last active admin elsewhere.
    if (url.endsWith(`/api/staff/${other.id}`)) return json(409, { statusCode: 409, error: 'Conflict', message: 'at least one active admin must remain' });
    return json(404, { statusCode: 404, error: 'Not Found', message: 'not found' });
  }) as typeof fetch;
});
afterEach(() => {
  globalThis.fetch = realFetch;
});

test('refusing to demote the last active admin says so, not "reload and try again"', async () => {
  const session = { kind: 'staff', user: { id: STAFF_ID, displayName: 'Front Desk', role: 'admin' } } as StaffContextValue['session'];
  const value = { session, directory: new StaffDirectoryStore(async () => ({ items: [] })), setPageTitle: () => undefined } as unknown as StaffContextValue;
  render(
    <StaffContext.Provider value={value}>
      <AdminPage />
    </StaffContext.Provider>,
  );
  fireEvent.change(await screen.findByLabelText('Role of Night Manager'), { target: { value: 'agent' } });
  expect(await screen.findByText('At least one active administrator must remain. Make someone else an administrator first.')).toBeInTheDocument();
  // A notice already on screen follows a change of language.
  await act(() => i18n.changeLanguage('zh'));
  expect(screen.getByText('必须保留至少一名有效的管理员。请先将其他人设为管理员。')).toBeInTheDocument();
});
