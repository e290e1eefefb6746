const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'always' });
const exact = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' });

/** "3 minutes ago", "in 2 hours", or "just now" within a minute. */
export function formatRelative(time: Date, now: number): string {
  const seconds = Math.round((time.getTime() - now) / 1000);
  const size = Math.abs(seconds);
  if (size < 60) return 'just now';
  for (const [unit, unitSeconds] of UNITS) {
    if (size >= unitSeconds) return relative.format(Math.trunc(seconds / unitSeconds), unit);
  }
  return 'just now';
}

/** The full local date and time, for the hover text. */
export function formatExact(time: Date): string {
  return exact.format(time);
}
