const timeFormats = new Map<string, Intl.DateTimeFormat>();
const dayFormats = new Map<string, Intl.DateTimeFormat>();

export function formatTime(iso: string, lang: string): string {
  let f = timeFormats.get(lang);
  if (!f) timeFormats.set(lang, (f = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' })));
  return f.format(new Date(iso));
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
