import { jest } from '@jest/globals';
import { act, render, screen } from '@testing-library/react';
import { i18n } from '../app/i18n';
import { ConnectionTrouble, GuestPresence, TROUBLE_AFTER_MS } from './ConnectionStatus';

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

test('reception being online is announced when it changes, not again after each reconnect', () => {
  const { rerender, container } = render(<GuestPresence staffOnline={null} state="connecting" />);
  const region = screen.getByRole('status');
  const shown = () => container.querySelector('.presence')!.textContent;
  const said = [region.textContent];
  const step = (staffOnline: number | null, state: 'connected' | 'reconnecting') => {
    rerender(<GuestPresence staffOnline={staffOnline} state={state} />);
    said.push(region.textContent);
  };

  step(2, 'connected');
  expect(shown()).toBe('Reception is online');
  step(2, 'reconnecting');
  // Not shown while the count may be stale, but the live region keeps its words: nothing to say.
  expect(shown()).toBe('');
  step(2, 'connected');
  step(1, 'connected');
  step(0, 'connected');
  expect(shown()).toBe('Reception will reply as soon as they are back at the desk');
  expect(said).toEqual(['', 'Reception is online', 'Reception is online', 'Reception is online', 'Reception is online', 'Reception will reply as soon as they are back at the desk']);
});
