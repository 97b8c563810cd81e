import { jest } from '@jest/globals';
import { TextDecoder, TextEncoder } from 'node:util';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { i18n } from '../../app/i18n';

// The router needs these, which jsdom lacks; set them before it loads.
Object.assign(globalThis, { TextEncoder, TextDecoder });
const { MemoryRouter } = await import('react-router');
const { GuestEntryPage } = await import('./GuestEntryPage');

const realFetch = globalThis.fetch;
beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
  // No session to restore, and every join refused.
  globalThis.fetch = jest.fn(async () => {
    const body = { statusCode: 401, error: 'Unauthorized', message: 'unknown or expired join code' };
    return { ok: false, status: 401, statusText: '', headers: new Headers(), json: async () => body } as Response;
  }) as typeof fetch;
});
afterEach(() => {
  globalThis.fetch = realFetch;
});

test('a refused code marks the code field, which takes the keyboard back, until it is changed', async () => {
  render(
    <MemoryRouter>
      <GuestEntryPage />
    </MemoryRouter>,
  );
  const code = await screen.findByLabelText('Join code', { selector: 'input' });
  fireEvent.change(code, { target: { value: 'ABCD-EFGH' } });
  fireEvent.submit(code.closest('form')!);
  await screen.findByText('This code did not work. Check it, or ask reception for a new card.');
  expect(code).toHaveAttribute('aria-invalid', 'true');
  expect(code).toHaveAccessibleDescription(/This code did not work/);
  await waitFor(() => expect(code).toHaveFocus());
  fireEvent.change(code, { target: { value: 'ABCD-EFGJ' } });
  expect(code).not.toHaveAttribute('aria-invalid');
});

test('a tab pasted into the family name is refused here, in the guest’s language, and nothing is sent', async () => {
  await act(() => i18n.changeLanguage('zh'));
  render(
    <MemoryRouter>
      <GuestEntryPage />
    </MemoryRouter>,
  );
  fireEvent.click(await screen.findByRole('radio', { name: '房间号' }));
  const room = screen.getByLabelText('房间号', { selector: 'input' });
  const family = screen.getByLabelText('姓氏', { selector: 'input' });
  fireEvent.change(room, { target: { value: '412' } });
  fireEvent.change(family, { target: { value: 'Zhang\tMei' } });
  const calls = (globalThis.fetch as jest.Mock).mock.calls.length;
  fireEvent.submit(family.closest('form')!);
  await screen.findByText('房间号和姓氏不能包含制表符、换行或其他不可见字符，请重新输入。');
  expect(family).toHaveAttribute('aria-invalid', 'true');
  expect(room).not.toHaveAttribute('aria-invalid');
  await waitFor(() => expect(family).toHaveFocus());
  expect((globalThis.fetch as jest.Mock).mock.calls.length).toBe(calls);
});
