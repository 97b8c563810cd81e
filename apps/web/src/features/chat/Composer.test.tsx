import { jest } from '@jest/globals';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { i18n } from '../../app/i18n';
import { Composer } from './Composer';

beforeAll(() => i18n.changeLanguage('en'));

function setup() {
  const onSend = jest.fn();
  const onTyping = jest.fn();
  render(<Composer label="Message to reception" onSend={onSend} onTyping={onTyping} />);
  const input = screen.getByLabelText('Message to reception');
  return { onSend, onTyping, input };
}

test('sends the text and clears the field', () => {
  const { onSend, input } = setup();
  fireEvent.change(input, { target: { value: 'Two towels, please' } });
  fireEvent.click(screen.getByRole('button', { name: 'Send' }));
  expect(onSend).toHaveBeenCalledWith('Two towels, please');
  expect(input).toHaveValue('');
});

test('Enter sends, Shift+Enter does not', () => {
  const { onSend, input } = setup();
  fireEvent.change(input, { target: { value: 'hello' } });
  fireEvent.keyDown(input, { key: 'Enter', shiftKey: true });
  expect(onSend).not.toHaveBeenCalled();
  const enter = fireEvent.keyDown(input, { key: 'Enter' });
  expect(onSend).toHaveBeenCalledWith('hello');
  // The key must not also put a line break into the emptied field.
  expect(enter).toBe(false);
});

test('an empty message is explained, not sent', () => {
  const { onSend, input } = setup();
  fireEvent.change(input, { target: { value: '   \n ' } });
  fireEvent.click(screen.getByRole('button', { name: 'Send' }));
  expect(onSend).not.toHaveBeenCalled();
  expect(screen.getByRole('alert')).toHaveTextContent('Write something before sending.');
  expect(input).toHaveAttribute('aria-invalid', 'true');
});

test('control characters and over-long messages are refused before sending', () => {
  const { onSend, input } = setup();
  fireEvent.change(input, { target: { value: 'bell\u0007' } });
  fireEvent.click(screen.getByRole('button', { name: 'Send' }));
  expect(screen.getByRole('alert')).toHaveTextContent('cannot be sent');
  fireEvent.change(input, { target: { value: 'x'.repeat(4001) } });
  fireEvent.click(screen.getByRole('button', { name: 'Send' }));
  expect(screen.getByRole('alert')).toHaveTextContent('at most 4000');
  expect(onSend).not.toHaveBeenCalled();
});

test('CRLF line ends are accepted (they are normalised when queued)', () => {
  const { onSend, input } = setup();
  fireEvent.change(input, { target: { value: 'line one\r\nline two' } });
  fireEvent.click(screen.getByRole('button', { name: 'Send' }));
  expect(onSend).toHaveBeenCalled();
});

test('announces typing, and stops on send', () => {
  const { onTyping, input } = setup();
  fireEvent.change(input, { target: { value: 'h' } });
  expect(onTyping).toHaveBeenLastCalledWith(true);
  fireEvent.keyDown(input, { key: 'Enter' });
  expect(onTyping).toHaveBeenLastCalledWith(false);
});

test('the explanation on screen follows a change of language', async () => {
  const { input } = setup();
  fireEvent.change(input, { target: { value: '   ' } });
  fireEvent.click(screen.getByRole('button', { name: 'Send' }));
  expect(screen.getByRole('alert')).toHaveTextContent('Write something before sending.');
  try {
    await act(() => i18n.changeLanguage('zh'));
    expect(screen.getByRole('alert')).toHaveTextContent('请先输入内容再发送。');
  } finally {
    await act(() => i18n.changeLanguage('en'));
  }
});
