import { addDays, autoCheckoutBefore, localDate } from './local-date.js';

describe('local dates', () => {
  it('reads the date in the server time zone', () => {
    const at = new Date(2026, 10, 25, 23, 59, 59);
    expect(localDate(at)).toBe('2026-11-25');
    expect(localDate(new Date(2026, 0, 1, 0, 0, 0))).toBe('2026-01-01');
  });

  it('adds days across months, years and leap days', () => {
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('autoCheckoutBefore', () => {
  it('keeps a stay through its check-out day and the 24 hours after it', () => {
    // checkOut 2026-11-25: still fine all of the 26th, due from the 27th at midnight.
    expect('2026-11-25' < autoCheckoutBefore(new Date(2026, 10, 26, 23, 59))).toBe(false);
    expect('2026-11-25' < autoCheckoutBefore(new Date(2026, 10, 27, 0, 0))).toBe(true);
  });

  it('never checks out a stay whose check-out date is today or later', () => {
    const now = new Date(2026, 10, 25, 12, 0);
    expect('2026-11-25' < autoCheckoutBefore(now)).toBe(false);
    expect('2026-11-24' < autoCheckoutBefore(now)).toBe(false);
  });
});
