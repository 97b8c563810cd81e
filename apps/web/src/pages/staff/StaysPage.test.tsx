import { jest } from '@jest/globals';
import { TextDecoder, TextEncoder } from 'node:util';
import type { StayListItem } from '@bellhop/protocol';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { i18n } from '../../app/i18n';
import type { StaffContextValue } from './StaffContext';

// The router needs these, which jsdom lacks; set them before it loads.
Object.assign(globalThis, { TextEncoder, TextDecoder });
const { MemoryRouter } = await import('react-router');
const { StaffContext } = await import('./StaffContext');
const { StaysPage } = await import('./StaysPage');

const inHouse: StayListItem = {
  id: '7d0c3b9e-8f4a-4c1e-9a51-0b6f2f1e6a10',
  guestName: 'Mei',
  familyName: 'Zhang',
  roomNumber: '412',
  checkIn: '2026-11-25',
  checkOut: '2026-11-28',
  status: 'active',
  conversationId: '1b7c0f5e-2a3d-4c8e-9f01-23456789abcd',
  joinCode: 'K7QM-4XPT',
  joinUrl: 'https://hotel.example/join/K7QM-4XPT',
};
const departed: StayListItem = {
  id: '9e8d7c6b-5a49-4838-8271-605f4e3d2c1b',
  guestName: 'Ada',
  familyName: 'Lovelace',
  roomNumber: '101',
  checkIn: '2026-11-20',
  checkOut: '2026-11-22',
  status: 'checked_out',
  conversationId: '2c8d1f6a-3b4e-4d9f-8a12-34567890bcde',
};

const realFetch = globalThis.fetch;
beforeEach(() => {
  globalThis.fetch = jest.fn(async (input: RequestInfo | URL) => {
    const url = String(input);
    const items = url.includes('status=checked_out') ? [departed] : [inHouse];
    // Just what the API client reads of a successful answer.
    return { ok: true, status: 200, json: async () => ({ items }) } as Response;
  }) as typeof fetch;
});
afterEach(() => {
  globalThis.fetch = realFetch;
});
afterAll(() => i18n.changeLanguage('en'));

function renderPage() {
  const value = { setPageTitle: () => undefined } as unknown as StaffContextValue;
  return render(
    <MemoryRouter>
      <StaffContext.Provider value={value}>
        <StaysPage />
      </StaffContext.Provider>
    </MemoryRouter>,
  );
}

/** The lists as usual; every POST waits for the returned release, then answers `body(url)` with `status`. */
function heldPosts(status: number, body: (url: string) => unknown): () => void {
  let release!: () => void;
  const answered = new Promise<void>((resolve) => (release = resolve));
  globalThis.fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (init?.method === 'POST') {
      await answered;
      return { ok: true, status, json: async () => body(url) } as Response;
    }
    return { ok: true, status: 200, json: async () => ({ items: url.includes('status=checked_out') ? [departed] : [inHouse] }) } as Response;
  }) as typeof fetch;
  return release;
}

test('an in-house stay shows its printable card again, and keyboard focus goes there and back', async () => {
  await act(() => i18n.changeLanguage('en'));
  renderPage();
  const show = await screen.findByRole('button', { name: 'Show card for room 412' });
  expect(show).toHaveTextContent('Show card');
  fireEvent.click(show);

  const heading = await screen.findByRole('heading', { name: 'Welcome, Mei' });
  await waitFor(() => expect(heading).toHaveFocus());
  const card = heading.closest('section')!;
  expect(within(card).getByTestId('join-code')).toHaveTextContent('K7QM-4XPT');
  expect(within(card).getByText('https://hotel.example/join/K7QM-4XPT')).toBeInTheDocument();
  expect(within(card).getByText('Room 412')).toBeInTheDocument();
  expect(await within(card).findByRole('img', { name: 'QR code of your chat link' })).toBeInTheDocument();
  expect(within(card).getByRole('button', { name: 'Print card' })).toBeInTheDocument();

  fireEvent.click(within(card).getByRole('button', { name: 'Close' }));
  expect(screen.queryByRole('heading', { name: 'Welcome, Mei' })).not.toBeInTheDocument();
  await waitFor(() => expect(screen.getByRole('button', { name: 'Show card for room 412' })).toHaveFocus());
});

test('a checked-out stay has no card to show', async () => {
  await act(() => i18n.changeLanguage('en'));
  renderPage();
  await screen.findByRole('button', { name: 'Show card for room 412' });
  fireEvent.click(screen.getByRole('button', { name: 'Show checked-out' }));
  await screen.findByRole('cell', { name: '101' });
  expect(screen.queryByRole('button', { name: /Show card/ })).not.toBeInTheDocument();
});

test('the action is translated', async () => {
  await act(() => i18n.changeLanguage('zh'));
  renderPage();
  const show = await screen.findByRole('button', { name: '显示卡片：412 房间' });
  expect(show).toHaveTextContent('显示卡片');
  fireEvent.click(show);
  expect(await screen.findByRole('button', { name: '打印卡片' })).toBeInTheDocument();
});

test('a check-out is asked once more with the focus on the question, then confirmed in words, which take the focus', async () => {
  await act(() => i18n.changeLanguage('en'));
  const listed = globalThis.fetch;
  globalThis.fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    if (init?.method === 'POST' && String(input).endsWith(`/api/stays/${inHouse.id}/checkout`)) {
      const { joinCode: _code, joinUrl: _url, ...stay } = inHouse;
      return { ok: true, status: 200, json: async () => ({ ...stay, status: 'checked_out' }) } as Response;
    }
    return listed(input, init);
  }) as typeof fetch;
  renderPage();
  fireEvent.click(await screen.findByRole('button', { name: 'Check out' }));
  // The button that asked is gone: the keyboard goes to the confirmation.
  const confirm = await screen.findByRole('button', { name: 'Confirm check-out of room 412' });
  expect(confirm).toHaveFocus();
  fireEvent.click(confirm);
  const said = await screen.findByText('Room 412 is checked out. The guest can no longer send messages.');
  // Said by taking the focus; not a live region as well, which would have it read twice.
  expect(said).not.toHaveAttribute('role');
  await waitFor(() => expect(said).toHaveFocus());
});

test('a refused check-in marks the fields it is about and puts the keyboard on the first', async () => {
  await act(() => i18n.changeLanguage('en'));
  renderPage();
  await screen.findByRole('button', { name: 'Show card for room 412' });
  fireEvent.change(screen.getByLabelText('Family name'), { target: { value: 'Lee' } });
  fireEvent.click(screen.getByRole('button', { name: 'Register stay' }));
  const guestName = screen.getByLabelText('Guest name');
  const room = screen.getByLabelText('Room');
  await waitFor(() => expect(guestName).toHaveFocus());
  expect(guestName).toHaveAttribute('aria-invalid', 'true');
  expect(room).toHaveAttribute('aria-invalid', 'true');
  expect(screen.getByLabelText('Family name')).not.toHaveAttribute('aria-invalid');
  expect(guestName).toHaveAccessibleDescription(/Guest name/);
  // Corrected, a field is no longer marked.
  fireEvent.change(guestName, { target: { value: 'Ann' } });
  expect(guestName).not.toHaveAttribute('aria-invalid');
  expect(room).toHaveAttribute('aria-invalid', 'true');
});

test('checking out the last guest in the house keeps the words and the focus, and the list says it is empty', async () => {
  await act(() => i18n.changeLanguage('en'));
  let checkedOut = false;
  let release!: () => void;
  const answered = new Promise<void>((resolve) => (release = resolve));
  const posts: string[] = [];
  globalThis.fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (init?.method === 'POST') {
      posts.push(url);
      await answered;
      checkedOut = true;
      const { joinCode: _code, joinUrl: _url, ...stay } = inHouse;
      return { ok: true, status: 200, json: async () => ({ ...stay, status: 'checked_out' }) } as Response;
    }
    const items = url.includes('status=checked_out') ? [departed] : checkedOut ? [] : [inHouse];
    return { ok: true, status: 200, json: async () => ({ items }) } as Response;
  }) as typeof fetch;
  renderPage();
  fireEvent.click(await screen.findByRole('button', { name: 'Check out' }));
  const confirm = await screen.findByRole('button', { name: 'Confirm check-out of room 412' });
  fireEvent.click(confirm);
  // While it runs the confirmation keeps the focus, is marked busy, and a second press sends nothing.
  await waitFor(() => expect(confirm).toHaveAttribute('aria-disabled', 'true'));
  expect(confirm).toHaveFocus();
  fireEvent.click(confirm);
  // Nor can it be called back: Cancel is marked busy too and does nothing.
  const cancel = screen.getByRole('button', { name: 'Cancel' });
  expect(cancel).toHaveAttribute('aria-disabled', 'true');
  fireEvent.click(cancel);
  expect(confirm).toBeInTheDocument();
  release();
  const said = await screen.findByText('Room 412 is checked out. The guest can no longer send messages.');
  expect(await screen.findByText('No guests in house.')).toBeInTheDocument();
  expect(screen.queryByRole('table')).not.toBeInTheDocument();
  await waitFor(() => expect(said).toHaveFocus());
  expect(posts).toEqual([`/api/stays/${inHouse.id}/checkout`]);
});

test('cancelling a check-out puts the keyboard back on Check out', async () => {
  await act(() => i18n.changeLanguage('en'));
  renderPage();
  fireEvent.click(await screen.findByRole('button', { name: 'Check out' }));
  const confirm = await screen.findByRole('button', { name: 'Confirm check-out of room 412' });
  expect(confirm).toHaveFocus();
  fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
  await waitFor(() => expect(screen.getByRole('button', { name: 'Check out' })).toHaveFocus());
});

test('a check-out that ends after the checked-out list was opened neither says it there nor takes the focus, and the list stays that list', async () => {
  await act(() => i18n.changeLanguage('en'));
  const { joinCode: _code, joinUrl: _url, ...stay } = inHouse;
  const release = heldPosts(200, () => ({ ...stay, status: 'checked_out' }));
  renderPage();
  fireEvent.click(await screen.findByRole('button', { name: 'Check out' }));
  fireEvent.click(await screen.findByRole('button', { name: 'Confirm check-out of room 412' }));
  const toggle = screen.getByRole('button', { name: 'Show checked-out' });
  toggle.focus();
  fireEvent.click(toggle);
  await screen.findByRole('cell', { name: '101' });
  release();
  await waitFor(() => expect((globalThis.fetch as jest.Mock).mock.calls.filter(([u]) => String(u).includes('status=checked_out')).length).toBe(2));
  // Let the last answers land.
  await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
  expect(screen.getByRole('cell', { name: '101' })).toBeInTheDocument();
  expect(screen.queryByText(/Room 412 is checked out/)).not.toBeInTheDocument();
  expect(screen.getByRole('button', { name: 'Show in-house' })).toHaveFocus();
});

test('an answer for the list shown before the filter changed is dropped', async () => {
  await act(() => i18n.changeLanguage('en'));
  let release!: () => void;
  const slow = new Promise<void>((resolve) => (release = resolve));
  globalThis.fetch = jest.fn(async (input: RequestInfo | URL) => {
    const departedList = String(input).includes('status=checked_out');
    if (!departedList) await slow;
    return { ok: true, status: 200, json: async () => ({ items: departedList ? [departed] : [inHouse] }) } as Response;
  }) as typeof fetch;
  renderPage();
  fireEvent.click(await screen.findByRole('button', { name: 'Show checked-out' }));
  await screen.findByRole('cell', { name: '101' });
  release();
  await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
  expect(screen.getByRole('cell', { name: '101' })).toBeInTheDocument();
  expect(screen.queryByRole('cell', { name: '412' })).not.toBeInTheDocument();
});

test('a new check-in takes away the words of the last check-out', async () => {
  await act(() => i18n.changeLanguage('en'));
  const { joinCode, joinUrl, ...stay } = inHouse;
  globalThis.fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (init?.method === 'POST' && url.endsWith('/checkout')) return { ok: true, status: 200, json: async () => ({ ...stay, status: 'checked_out' }) } as Response;
    if (init?.method === 'POST') {
      const created = { stay: { ...stay, id: '3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b', guestName: 'Ann', familyName: 'Lee', roomNumber: '518' }, joinCode, joinUrl };
      return { ok: true, status: 201, json: async () => created } as Response;
    }
    return { ok: true, status: 200, json: async () => ({ items: url.includes('status=checked_out') ? [departed] : [inHouse] }) } as Response;
  }) as typeof fetch;
  renderPage();
  fireEvent.click(await screen.findByRole('button', { name: 'Check out' }));
  fireEvent.click(await screen.findByRole('button', { name: 'Confirm check-out of room 412' }));
  await screen.findByText(/Room 412 is checked out/);
  fireEvent.change(screen.getByLabelText('Guest name'), { target: { value: 'Ann' } });
  fireEvent.change(screen.getByLabelText('Family name'), { target: { value: 'Lee' } });
  fireEvent.change(screen.getByLabelText('Room'), { target: { value: '518' } });
  fireEvent.click(screen.getByRole('button', { name: 'Register stay' }));
  await screen.findByRole('heading', { name: 'Welcome, Ann' });
  expect(screen.queryByText(/Room 412 is checked out/)).not.toBeInTheDocument();
});

test('a check-in that ends after the checked-out list was opened reloads that list, not the in-house one', async () => {
  await act(() => i18n.changeLanguage('en'));
  const { joinCode, joinUrl, ...stay } = inHouse;
  const release = heldPosts(201, () => ({ stay: { ...stay, id: '3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b', guestName: 'Ann', familyName: 'Lee', roomNumber: '518' }, joinCode, joinUrl }));
  renderPage();
  await screen.findByRole('cell', { name: '412' });
  fireEvent.change(screen.getByLabelText('Guest name'), { target: { value: 'Ann' } });
  fireEvent.change(screen.getByLabelText('Family name'), { target: { value: 'Lee' } });
  fireEvent.change(screen.getByLabelText('Room'), { target: { value: '518' } });
  fireEvent.click(screen.getByRole('button', { name: 'Register stay' }));
  fireEvent.click(screen.getByRole('button', { name: 'Show checked-out' }));
  await screen.findByRole('cell', { name: '101' });
  release();
  await screen.findByRole('heading', { name: 'Welcome, Ann' });
  await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
  expect(screen.getByRole('cell', { name: '101' })).toBeInTheDocument();
  expect(screen.queryByRole('cell', { name: '412' })).not.toBeInTheDocument();
});
