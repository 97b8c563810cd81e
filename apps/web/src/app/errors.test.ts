import { i18n } from './i18n';
import { describeError } from './errors';
import { ApiError, NetworkError } from '../lib/api';

const t = i18n.t.bind(i18n);
const apiError = (status: number, message: string | string[]) => new ApiError(status, { statusCode: status, error: 'x', message }, 'x');

afterEach(() => i18n.changeLanguage('en'));

test('every failure reads as a sentence in the chosen language', async () => {
  await i18n.changeLanguage('en');
  expect(describeError(apiError(400, ['checkIn: must not be after checkOut']), t)).toBe('The hotel refused this request: checkIn: must not be after checkOut');
  expect(describeError(apiError(409, 'stay already checked out'), t)).toBe('This was changed in the meantime. Reload and try again.');
  expect(describeError(apiError(413, 'request body is larger than 100 KiB'), t)).toBe('This is too large to send.');
  expect(describeError(apiError(200, 'unexpected answer from /api/stays'), t)).toBe('Something unexpected happened. Please try again.');
  expect(describeError(new NetworkError('offline'), t)).toBe('No connection to the hotel. Check your internet connection and try again.');
  await i18n.changeLanguage('zh');
  expect(describeError(apiError(409, 'stay already checked out'), t)).toBe('此内容已被更改。请刷新后重试。');
  expect(describeError(apiError(413, 'too large'), t)).toBe('内容过大，无法发送。');
});
