import { jest } from '@jest/globals';
import { TextDecoder, TextEncoder } from 'node:util';
import type { ConversationSummary, SessionReady } from '@bellhop/protocol';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { i18n } from '../../app/i18n';
import { useConversation } from '../../features/chat/useConversation';
import { Emitter } from '../../lib/realtime/emitter';
import type { RealtimeClient, RealtimeEvents } from '../../lib/realtime';
import { CONVERSATION_ID, GUEST_ID, STAFF_ID, message } from '../../test/fixtures';
import type { StaffContextValue } from './StaffContext';
import { StaffDirectoryStore } from './staffDirectory';

// The router needs these, which jsdom lacks; set them before it loads.
Object.assign(globalThis, { TextEncoder, TextDecoder });
const { MemoryRouter } = await import('react-router');
const { StaffContext } = await import('./StaffContext');
const { ConversationPane } = await import('./ConversationPane');
const { InboxStore } = await import('./inboxStore');

/** The part of the socket client these screens use, driven by the test. */
class FakeClient {
  readonly events = new Emitter<RealtimeEvents>();
  session: SessionReady | null = null;
  on = this.events.on.bind(this.events);
  pending = () => [];
  watch = () => undefined;
  unwatch = () => undefined;
  markRead = () => undefined;
  typing = () => undefined;
  send = () => undefined;
}

const staffMessage = (seq: number) => message(seq, { sender: { type: 'staff', id: STAFF_ID, name: 'Reception' } });
const history = [message(1), staffMessage(2), staffMessage(3)];

const summary: ConversationSummary = {
  id: CONVERSATION_ID,
  stay: { id: GUEST_ID, roomNumber: '412', guestName: 'Mei', familyName: 'Zhang', checkOut: '2026-11-28', status: 'active' },
  status: 'open',
  assigneeId: null,
  lastSeq: 3,
  lastMessage: history[2]!,
  unread: 0,
  guestReadSeq: 2,
  updatedAt: '2026-11-25T18:03:00.000Z',
};

const json = (status: number, body: unknown) => ({ ok: status < 300, status, statusText: '', headers: new Headers(), json: async () => body }) as Response;

const realFetch = globalThis.fetch;
let requested: string[] = [];
let conversationAnswer: Response;
beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
  requested = [];
  conversationAnswer = json(200, summary);
  globalThis.fetch = jest.fn(async (input: RequestInfo | URL) => {
    const url = String(input);
    requested.push(url);
    if (url.includes('/messages')) return json(200, { messages: history, hasMore: false });
    if (url.includes('/api/staff/directory')) return json(200, { items: [] });
    if (url.includes(`/api/conversations/${CONVERSATION_ID}`)) return conversationAnswer;
    return json(404, { statusCode: 404, error: 'Not Found', message: 'not found' });
  }) as typeof fetch;
});
afterEach(() => {
  globalThis.fetch = realFetch;
});

function renderPane(fetchDirectory: () => Promise<{ items: { id: string; displayName: string; role: 'admin' | 'agent' }[] }> = async () => ({ items: [] })) {
  const client = new FakeClient() as unknown as RealtimeClient;
  const inbox = new InboxStore(client);
  const directory = new StaffDirectoryStore(fetchDirectory);
  const session = { kind: 'staff', user: { id: STAFF_ID, displayName: 'Reception' } } as StaffContextValue['session'];
  const value = { client, inbox, directory, session, setPageTitle: () => undefined } as StaffContextValue;
  render(
    <MemoryRouter>
      <StaffContext.Provider value={value}>
        <ConversationPane conversationId={CONVERSATION_ID} />
      </StaffContext.Provider>
    </MemoryRouter>,
  );
  return { inbox };
}

test('a conversation outside the loaded inbox is asked for alone, named with the family name, and shows how far the guest read', async () => {
  const { inbox } = renderPane();
  expect(await screen.findByRole('heading', { name: 'Mei Zhang · Room 412' })).toBeInTheDocument();
  expect(requested.some((u) => u.endsWith(`/api/conversations/${CONVERSATION_ID}`))).toBe(true);
  // No inbox page was loaded to find it.
  expect(requested.some((u) => /\/api\/conversations\?/.test(u))).toBe(false);
  expect(inbox.get(CONVERSATION_ID)).toMatchObject({ guestReadSeq: 2 });
  // Seq 2 is read by the guest, seq 3 is not yet.
  expect(await screen.findAllByRole('img', { name: 'Read' })).toHaveLength(1);
  expect(screen.getAllByRole('img', { name: 'Sent' })).toHaveLength(1);

  act(() => inbox.upsert([{ ...summary, guestReadSeq: 3 }]));
  expect(await screen.findAllByRole('img', { name: 'Read' })).toHaveLength(2);
});

test('a conversation the server does not know answers "not found", without a composer', async () => {
  conversationAnswer = json(404, { statusCode: 404, error: 'Not Found', message: 'conversation not found' });
  renderPane();
  expect(await screen.findByText('This conversation does not exist, or it has been deleted.')).toBeInTheDocument();
  expect(screen.queryByRole('textbox')).not.toBeInTheDocument();
});

test('a staff directory that cannot load is said next to the assignee list, with a retry', async () => {
  let attempts = 0;
  renderPane(async () => {
    attempts++;
    if (attempts === 1) throw new Error('offline');
    return { items: [{ id: '2f3e4d5c-6b7a-4988-8776-655443322110', displayName: 'Li Wei', role: 'agent' }] };
  });
  fireEvent.click(await screen.findByRole('button', { name: 'Colleagues not loaded — try again' }));
  expect(await screen.findByRole('option', { name: 'Li Wei' })).toBeInTheDocument();
  expect(screen.queryByRole('button', { name: 'Colleagues not loaded — try again' })).not.toBeInTheDocument();
  expect(attempts).toBe(2);
});

function GuestProbe({ client }: { client: RealtimeClient }) {
  const view = useConversation(client, CONVERSATION_ID, { type: 'guest', id: GUEST_ID });
  return <output>{view.loading ? 'loading' : view.otherReadSeq}</output>;
}

test("a guest's read ticks start from session.ready and follow live reads", async () => {
  const fake = new FakeClient();
  const ready = (staffReadSeq?: number): SessionReady => ({
    user: { type: 'guest', id: GUEST_ID, name: 'Mei' },
    serverTime: '2026-11-25T18:05:00.000Z',
    heartbeatMs: 25_000,
    conversations: [{ id: CONVERSATION_ID, lastSeq: 3, ...(staffReadSeq === undefined ? {} : { staffReadSeq }) }],
  });
  fake.session = ready(1);
  render(<GuestProbe client={fake as unknown as RealtimeClient} />);
  expect(await screen.findByText('1')).toBeInTheDocument();
  act(() => fake.events.emit('ready', ready(2)));
  expect(screen.getByRole('status')).toHaveTextContent('2');
  act(() => fake.events.emit('read', { conversationId: CONVERSATION_ID, reader: { type: 'staff', id: STAFF_ID }, seq: 3 }));
  expect(screen.getByRole('status')).toHaveTextContent('3');
  // Neither an older server's session.ready nor the guest's own reads move it back.
  act(() => fake.events.emit('ready', ready()));
  act(() => fake.events.emit('read', { conversationId: CONVERSATION_ID, reader: { type: 'guest', id: GUEST_ID }, seq: 1 }));
  expect(screen.getByRole('status')).toHaveTextContent('3');
});

test('resolving and reopening keep the keyboard focus on the one button that does both', async () => {
  const gotten = globalThis.fetch;
  globalThis.fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    if (init?.method === 'PATCH') return json(200, { ...summary, ...(JSON.parse(String(init.body)) as object) });
    return gotten(input, init);
  }) as typeof fetch;
  renderPane();
  const button = await screen.findByRole('button', { name: 'Mark resolved' });
  button.focus();
  fireEvent.click(button);
  expect(await screen.findByRole('button', { name: 'Reopen' })).toBe(button);
  expect(button).toHaveFocus();
  fireEvent.click(button);
  expect(await screen.findByRole('button', { name: 'Mark resolved' })).toHaveFocus();
});

test('a resolved conversation of a checked-out guest cannot be reopened: nobody could answer there', async () => {
  conversationAnswer = json(200, { ...summary, status: 'resolved', stay: { ...summary.stay, status: 'checked_out' } });
  renderPane();
  await screen.findByText('This guest has checked out; the conversation is read-only.');
  expect(screen.queryByRole('button', { name: 'Reopen' })).not.toBeInTheDocument();
  expect(screen.queryByRole('button', { name: 'Mark resolved' })).not.toBeInTheDocument();
});
