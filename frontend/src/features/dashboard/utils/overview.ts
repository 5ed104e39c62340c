import type { Overview } from '../api/get-overview';

/** Nothing to show yet: no instance and no message, ever. */
export function isFreshInstall(overview: Overview): boolean {
  return overview.instances_total === 0 && overview.messages.total === 0;
}

/** A count from one of the API's `{status: count}` maps (0 when the key is missing). */
export function countOf(counts: Record<string, number>, key: string): number {
  return (counts as Partial<Record<string, number>>)[key] ?? 0;
}

const hourFormats = new Map<string, Intl.DateTimeFormat>();

/** "14:00" in the browser's time zone (the API gives the hours in UTC). */
export function hourLabel(iso: string, locale: string): string {
  let format = hourFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
    hourFormats.set(locale, format);
  }
  return format.format(new Date(iso));
}
