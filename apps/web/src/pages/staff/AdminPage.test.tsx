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


/** The admin page, signed in as the admin `me`. */
function renderAdminPage(): void {
  const session = { kind: 'staff', user: { id: STAFF_ID, displayName: 'Front Desk', role: 'admin' } } as StaffContextValue['session'];
  const value = { session, directory: new StaffDirectoryStore(async () => ({ items: [] })), setPageTitle: () => undefined } as unknown as StaffContextValue;
  render(
    <StaffContext.Provider value={value}>
      <AdminPage />
    </StaffContext.Provider>,
  );
}

test('refusing to demote the last active admin says so, not "reload and try again"', async () => {
  renderAdminPage();
  fireEvent.change(await screen.findByLabelText('Role of Night Manager'), { target: { value: 'agent' } });
  expect(await screen.findByText('At least one active administrator must remain. Make someone else an administrator first.')).toBeInTheDocument();
  // A notice already on screen follows a change of language.
  await act(() => i18n.changeLanguage('zh'));
  expect(screen.getByText('必须保留至少一名有效的管理员。请先将其他人设为管理员。')).toBeInTheDocument();
});

test('disabling a colleague is asked once more, then done, and the focus comes back to the button', async () => {
  const patches: unknown[] = [];
  const listed = globalThis.fetch;
  globalThis.fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    if (String(input).endsWith(`/api/staff/${other.id}`) && init?.method === 'PATCH') {
      patches.push(JSON.parse(String(init.body)));
      return json(200, { ...other, disabled: true });
    }
    return listed(input, init);
  }) as typeof fetch;
  renderAdminPage();
  fireEvent.click(await screen.findByRole('button', { name: 'Disable' }));
  const confirm = screen.getByRole('button', { name: 'Confirm: disable Night Manager and sign them out' });
  expect(confirm).toHaveFocus();
  expect(patches).toEqual([]);
  fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
  expect(screen.getByRole('button', { name: 'Disable' })).toHaveFocus();

  fireEvent.click(screen.getByRole('button', { name: 'Disable' }));
  fireEvent.click(screen.getByRole('button', { name: 'Confirm: disable Night Manager and sign them out' }));
  expect(await screen.findByText('Account disabled; their sessions were signed out.')).toBeInTheDocument();
  expect(patches).toEqual([{ disabled: true }]);
  expect(await screen.findByRole('button', { name: 'Enable' })).toHaveFocus();
});

test('reset password puts the keyboard in the new password field', async () => {
  renderAdminPage();
  const [, resetOther] = await screen.findAllByRole('button', { name: 'Reset password' });
  fireEvent.click(resetOther!);
  expect(screen.getByLabelText('New password for Night Manager')).toHaveFocus();
});

test('while a change is saved the row keeps the focus where it is and takes no other change', async () => {
  let release!: () => void;
  const saved = new Promise<void>((resolve) => (release = resolve));
  const patches: unknown[] = [];
  const listed = globalThis.fetch;
  globalThis.fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    if (String(input).endsWith(`/api/staff/${other.id}`) && init?.method === 'PATCH') {
      patches.push(JSON.parse(String(init.body)));
      await saved;
      return json(200, { ...other, role: 'agent' });
    }
    return listed(input, init);
  }) as typeof fetch;
  renderAdminPage();
  const role = await screen.findByLabelText('Role of Night Manager');
  role.focus();
  fireEvent.change(role, { target: { value: 'agent' } });
  expect(role).toHaveAttribute('aria-disabled', 'true');
  expect(role).toHaveFocus();
  // Busy: neither another role nor the password form.
  fireEvent.change(role, { target: { value: 'admin' } });
  const [, resetOther] = screen.getAllByRole('button', { name: 'Reset password' });
  expect(resetOther).toHaveAttribute('aria-disabled', 'true');
  fireEvent.click(resetOther!);
  expect(screen.queryByLabelText('New password for Night Manager')).not.toBeInTheDocument();
  release();
  expect(await screen.findByText('Role changed.')).toBeInTheDocument();
  expect(patches).toEqual([{ role: 'agent' }]);
  expect(role).toHaveFocus();
});
