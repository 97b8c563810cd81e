import { jest } from '@jest/globals';
import { fireEvent, render, screen, within } from '@testing-library/react';
import '../../app/i18n';
import { i18n } from '../../app/i18n';
import type { OutboxEntry } from '../../lib/realtime';
import { CONVERSATION_ID, GUEST_ID, STAFF_ID, message } from '../../test/fixtures';
import { MessageList, type MessageListProps } from './MessageList';

function baseProps(overrides: Partial<MessageListProps> = {}): MessageListProps {
  return {
    messages: [],
    pending: [],
    self: { type: 'guest', id: GUEST_ID },
    otherReadSeq: 0,
    hasMore: false,
    loadingOlder: false,
    onLoadOlder: jest.fn(),
    onRetry: jest.fn(),
    onDiscard: jest.fn(),
    senderLabel: (m) => m.sender.name,
    ...overrides,
  };
}

function setup(overrides: Partial<MessageListProps> = {}) {
  const props = baseProps(overrides);
  render(<MessageList {...props} />);
  return props;
}

beforeAll(() => i18n.changeLanguage('en'));

test('a body with markup is shown as text and creates no element', () => {
  const body = '<img src=x onerror=alert(1)> <script>alert(2)</script> <b>bold</b>';
  const { container } = render(
    <MessageList
      messages={[message(1, { body })]}
      pending={[]}
      self={{ type: 'staff', id: STAFF_ID }}
      otherReadSeq={0}
      hasMore={false}
      loadingOlder={false}
      onLoadOlder={() => undefined}
      onRetry={() => undefined}
      onDiscard={() => undefined}
      senderLabel={(m) => m.sender.name}
    />,
  );
  expect(screen.getByText(body)).toBeInTheDocument();
  expect(container.querySelector('img, script, b')).toBeNull();
});

test('line breaks are kept in the text', () => {
  setup({ messages: [message(1, { body: 'first line\nsecond line' })] });
  const body = document.querySelector('.msg__body');
  expect(body?.textContent).toBe('first line\nsecond line');
});

test('my messages show sent, read, sending and failed states with spoken labels', () => {
  const mine = { type: 'guest' as const, id: GUEST_ID, name: 'Ana' };
  const failed: OutboxEntry = {
    clientMsgId: '20000000-0000-4000-8000-000000000001',
    conversationId: CONVERSATION_ID,
    body: 'failed one',
    createdAt: new Date().toISOString(),
    status: 'failed',
    error: 'bad_request',
    attempts: 1,
  };
  const sending: OutboxEntry = { ...failed, clientMsgId: '20000000-0000-4000-8000-000000000002', body: 'on its way', status: 'pending' };
  const props = setup({
    messages: [message(1, { sender: mine }), message(2, { sender: mine }), message(3, { sender: { type: 'staff', id: STAFF_ID, name: 'Li' } })],
    pending: [sending, failed],
    otherReadSeq: 1,
  });
  expect(screen.getAllByRole('img', { name: 'Read' })).toHaveLength(1);
  expect(screen.getAllByRole('img', { name: 'Sent' })).toHaveLength(1);
  expect(screen.getAllByRole('img', { name: 'Sending' })).toHaveLength(1);
  expect(screen.getAllByRole('img', { name: 'Not sent' })).toHaveLength(1);
  // The other side's message has no tick but shows who wrote it.
  const theirs = screen.getByText('message 3').closest('li')!;
  expect(within(theirs).queryByRole('img')).toBeNull();
  expect(within(theirs).getByText('Li')).toBeInTheDocument();

  fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
  expect(props.onRetry).toHaveBeenCalledWith(failed.clientMsgId);
});

test('older history can be asked for with a button', () => {
  const props = setup({ messages: [message(5)], hasMore: true });
  fireEvent.click(screen.getByRole('button', { name: 'Show earlier messages' }));
  expect(props.onLoadOlder).toHaveBeenCalled();
});

test('a short history loads older messages by itself, but not again after a failure until asked', () => {
  const auto = setup({ messages: [message(5)], hasMore: true });
  expect(auto.onLoadOlder).toHaveBeenCalled();
  document.body.innerHTML = '';
  const failed = setup({ messages: [message(5)], hasMore: true, olderFailed: true });
  expect(failed.onLoadOlder).not.toHaveBeenCalled();
  expect(screen.getByRole('alert')).toHaveTextContent('Earlier messages could not be loaded.');
  fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
  expect(failed.onLoadOlder).toHaveBeenCalledTimes(1);
});

test('a message not sent says why', () => {
  const entry = (n: number, error: string): OutboxEntry => ({
    clientMsgId: `30000000-0000-4000-8000-00000000000${n}`,
    conversationId: CONVERSATION_ID,
    body: `attempt ${n}`,
    createdAt: new Date().toISOString(),
    status: 'failed',
    error,
    attempts: 1,
  });
  const props = baseProps();
  const { rerender } = render(<MessageList {...props} />);
  const region = document.querySelector('[aria-live="polite"]');
  rerender(<MessageList {...props} pending={[entry(1, 'rate_limited'), entry(2, 'unavailable'), entry(3, 'not_found'), entry(4, 'internal')]} />);
  expect([...document.querySelectorAll('.msg__error')].map((el) => el.textContent)).toEqual([
    'Not sent: too many messages at once. Try again in a moment.',
    'Not sent: the service is briefly unavailable. Try again.',
    'Not sent: this conversation no longer exists.',
    'Not sent.',
  ]);
  // Screen readers hear it from the live region that was there before the failure.
  expect(document.querySelector('[aria-live="polite"]')).toBe(region);
  expect(region).toHaveTextContent('Not sent.');
});

test('an empty conversation shows the empty state', () => {
  setup({ empty: <p>Nothing here yet</p> });
  expect(screen.getByText('Nothing here yet')).toBeInTheDocument();
});
