import { Limits } from '@bellhop/protocol';

/** The calendar date of `at` in the server's time zone (the hotel's), as `YYYY-MM-DD`. */
export function localDate(at: Date): string {
  const y = at.getFullYear();
  const m = String(at.getMonth() + 1).padStart(2, '0');
  const d = String(at.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

/** `YYYY-MM-DD` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const shifted = new Date(Date.UTC(y, m - 1, d + days));
  return shifted.toISOString().slice(0, 10);
}

/**
 * Stays whose check-out date is before this date are checked out automatically. A check-out date
 * lasts until the hotel's midnight that ends it; 24 hours after that, the stay is overdue. So on
 * local date D, stays with checkOut ≤ D − 2 days are due.
 */
export function autoCheckoutBefore(now: Date): string {
  const graceDays = Limits.autoCheckoutAfterHours / 24;
  return addDays(localDate(now), -graceDays);
}
