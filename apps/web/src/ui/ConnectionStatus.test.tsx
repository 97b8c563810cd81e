import { jest } from '@jest/globals';
import { StrictMode } from 'react';
import { act, render, screen } from '@testing-library/react';
import { i18n } from '../app/i18n';
import { ConnectionTrouble, GuestPresence, PRESENCE_SAID_MS, TROUBLE_AFTER_MS } from './ConnectionStatus';

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
  jest.useFakeTimers();
});
afterEach(() => jest.useRealTimers());

test('a connection that keeps failing is said in words after a while, and unsaid once it is back', () => {
  const { rerender } = render(<ConnectionTrouble state="reconnecting" audience="staff" />);
  const region = screen.getByRole('status');
  expect(region).toHaveTextContent('');
  act(() => jest.advanceTimersByTime(TROUBLE_AFTER_MS - 100));
  expect(region).toHaveTextContent('');
  act(() => jest.advanceTimersByTime(200));
  expect(region).toHaveTextContent(/The live connection cannot be made/);
  rerender(<ConnectionTrouble state="connected" audience="staff" />);
  expect(region).toHaveTextContent('');
  // Offline has its own words in the status: no note.
  rerender(<ConnectionTrouble state="offline" audience="staff" />);
  act(() => jest.advanceTimersByTime(TROUBLE_AFTER_MS * 2));
  expect(region).toHaveTextContent('');
});

test('the guest is told their messages wait, in their language', async () => {
  await act(() => i18n.changeLanguage('zh'));
  render(<ConnectionTrouble state="connecting" audience="guest" />);
  act(() => jest.advanceTimersByTime(TROUBLE_AFTER_MS));
  expect(screen.getByRole('status')).toHaveTextContent('仍在尝试连接前台。连接恢复后，您的消息会立即发送。');
});

test('reception being online is announced when it changes, not again after each reconnect, and not kept while offline', () => {
  const { rerender, container } = render(<GuestPresence staffOnline={null} state="connecting" />);
  const region = screen.getByRole('status');
  const shown = () => container.querySelector('.presence')!.textContent;
  const said: (string | null)[] = [region.textContent];
  const step = (staffOnline: number | null, state: 'connected' | 'reconnecting') => {
    rerender(<GuestPresence staffOnline={staffOnline} state={state} />);
    said.push(region.textContent);
  };
  const online = 'Reception is online';
  const away = 'Reception will reply as soon as they are back at the desk';

  step(2, 'connected');
  expect(shown()).toBe(online);
  step(2, 'reconnecting');
  // Neither shown nor kept for a screen reader while the count may be stale.
  expect(shown()).toBe('');
  step(2, 'connected');
  expect(shown()).toBe(online);
  step(1, 'connected');
  step(0, 'connected');
  expect(shown()).toBe(away);
  // Said twice: online once (not again after the reconnect), then away.
  expect(said).toEqual(['', online, '', '', '', away]);
  // The region empties after a while: nothing stale in it, nothing said again on a language change.
  act(() => jest.advanceTimersByTime(PRESENCE_SAID_MS));
  expect(region).toHaveTextContent('');
  expect(shown()).toBe(away);
});

test('reception being online is announced under StrictMode too, where effects run twice', () => {
  render(
    <StrictMode>
      <GuestPresence staffOnline={1} state="connected" />
    </StrictMode>,
  );
  expect(screen.getByRole('status')).toHaveTextContent('Reception is online');
  act(() => jest.advanceTimersByTime(PRESENCE_SAID_MS));
  expect(screen.getByRole('status')).toHaveTextContent('');
});
