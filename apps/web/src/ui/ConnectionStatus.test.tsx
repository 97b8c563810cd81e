import { jest } from '@jest/globals';
import { act, render, screen } from '@testing-library/react';
import { i18n } from '../app/i18n';
import { ConnectionTrouble, TROUBLE_AFTER_MS } from './ConnectionStatus';

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
