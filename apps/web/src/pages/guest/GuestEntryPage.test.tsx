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

/** The page, switched to joining by room number and family name (labelled in the current language). */
async function roomForm(roomLabel: string, familyLabel: string) {
  render(
    <MemoryRouter>
      <GuestEntryPage />
    </MemoryRouter>,
  );
  fireEvent.click(await screen.findByRole('radio', { name: roomLabel }));
  return { room: screen.getByLabelText(roomLabel, { selector: 'input' }), family: screen.getByLabelText(familyLabel, { selector: 'input' }) };
}

test('a tab pasted into the family name is refused here, in the guest’s language, and nothing is sent', async () => {
  await act(() => i18n.changeLanguage('zh'));
  const { room, family } = await roomForm('房间号', '姓氏');
  fireEvent.change(room, { target: { value: '412' } });
  fireEvent.change(family, { target: { value: 'Zhang\tMei' } });
  const calls = (globalThis.fetch as jest.Mock).mock.calls.length;
  fireEvent.submit(family.closest('form')!);
  await screen.findByText('房间号和姓氏不能包含制表符或换行，请重新输入。');
  expect(family).toHaveAttribute('aria-invalid', 'true');
  expect(room).not.toHaveAttribute('aria-invalid');
  await waitFor(() => expect(family).toHaveFocus());
  expect((globalThis.fetch as jest.Mock).mock.calls.length).toBe(calls);
});

test('an empty room number is said first, and only the empty field is marked', async () => {
  const { room, family } = await roomForm('Room number', 'Family name');
  fireEvent.change(family, { target: { value: 'Zhang\tMei' } });
  fireEvent.submit(family.closest('form')!);
  await screen.findByText('Please enter your room number and family name.');
  expect(room).toHaveAttribute('aria-invalid', 'true');
  expect(family).not.toHaveAttribute('aria-invalid');
  await waitFor(() => expect(room).toHaveFocus());
  fireEvent.change(room, { target: { value: '412' } });
  fireEvent.submit(family.closest('form')!);
  await screen.findByText('Room number and family name cannot contain tabs or line breaks. Please type them again.');
  expect(family).toHaveAttribute('aria-invalid', 'true');
  expect(room).not.toHaveAttribute('aria-invalid');
});
