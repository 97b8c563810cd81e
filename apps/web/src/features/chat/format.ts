const timeFormats = new Map<string, Intl.DateTimeFormat>();
const dayFormats = new Map<string, Intl.DateTimeFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const weekdayFormats = new Map<string, Intl.DateTimeFormat>();
const shortDateFormats = new Map<string, Intl.DateTimeFormat>();

/** A hotel-local calendar date (`YYYY-MM-DD`, as check-in and check-out are) in the reader's language. */
export function formatDate(ymd: string, lang: string): string {
  const [y, m, d] = ymd.split('-').map(Number);
  if (!y || !m || !d) return ymd;
  let f = dateFormats.get(lang);
  // The date is a calendar day, not an instant: format it in UTC so that no time zone shifts it.
  if (!f) dateFormats.set(lang, (f = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' })));
  return f.format(new Date(Date.UTC(y, m - 1, d)));
}

export function formatTime(iso: string, lang: string): string {
  let f = timeFormats.get(lang);
  if (!f) timeFormats.set(lang, (f = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' })));
  return f.format(new Date(iso));
}

/**
 * When something last happened, as a list shows it: the time today, "yesterday", the weekday
 * within the week, else the date (with the year when it is not this year's).
 */
export function formatWhen(iso: string, lang: string, now: Date = new Date()): string {
  const at = new Date(iso);
  const days = Math.round((startOfDay(now) - startOfDay(at)) / 86_400_000);
  if (days <= 0) return formatTime(iso, lang);
  if (days === 1) {
    const word = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }).format(-1, 'day');
    return word.charAt(0).toLocaleUpperCase(lang) + word.slice(1);
  }
  if (days < 7) {
    let f = weekdayFormats.get(lang);
    if (!f) weekdayFormats.set(lang, (f = new Intl.DateTimeFormat(lang, { weekday: 'short' })));
    return f.format(at);
  }
  const sameYear = at.getFullYear() === now.getFullYear();
  const key = `${lang}|${sameYear}`;
  let f = shortDateFormats.get(key);
  if (!f) shortDateFormats.set(key, (f = new Intl.DateTimeFormat(lang, sameYear ? { day: 'numeric', month: 'short' } : { day: 'numeric', month: 'short', year: 'numeric' })));
  return f.format(at);
}

/** Local midnight of a date, in ms (days apart are then whole multiples of a day, DST aside). */
function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

export function formatDay(iso: string, lang: string): string {
  let f = dayFormats.get(lang);
  if (!f) dayFormats.set(lang, (f = new Intl.DateTimeFormat(lang, { weekday: 'long', day: 'numeric', month: 'long' })));
  return f.format(new Date(iso));
}

/** Full date and time for a `title` / screen readers. */
export function formatDateTime(iso: string, lang: string): string {
  return new Date(iso).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
}

export function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}
