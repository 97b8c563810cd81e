import { formatWhen } from './format';

describe('formatWhen', () => {
  // Local times: the list reads the reader's clock.
  const now = new Date(2026, 11, 9, 10, 30);
  const at = (y: number, m: number, d: number, h = 23, min = 54) => new Date(y, m, d, h, min).toISOString();

  it('gives the time for today, and "yesterday" for the day before, in the reader language', () => {
    expect(formatWhen(at(2026, 11, 9, 0, 5), 'en-GB', now)).toBe('00:05');
    expect(formatWhen(at(2026, 11, 8), 'en-GB', now)).toBe('Yesterday');
    expect(formatWhen(at(2026, 11, 8), 'zh-CN', now)).toBe('昨天');
  });

  it('gives the weekday within the week, then the date, with the year only when it is not this one', () => {
    expect(formatWhen(at(2026, 11, 5), 'en-GB', now)).toBe('Sat');
    expect(formatWhen(at(2026, 11, 1), 'en-GB', now)).toBe('1 Dec');
    expect(formatWhen(at(2025, 11, 1), 'en-GB', now)).toBe('1 Dec 2025');
    expect(formatWhen(at(2026, 11, 1), 'zh-CN', now)).toBe('12月1日');
  });
});
