/**
 * Numbers, dates and relative times in the UI language (Intl, so nothing to bundle).
 * Pass `i18n.language` (or `useTranslation().i18n.language`) as `locale`.
 */

const numberFormats = new Map<string, Intl.NumberFormat>();
const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

function cached<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

/**
 * Creates the number, date and relative time formats of `locale` now. The first Intl format
 * of a page costs tens of milliseconds (its locale data is loaded): done while the page
 * waits for its data, the first render does not pay for it.
 */
export function prepareFormats(locale: string): void {
  formatNumber(0, locale);
  formatDateTime(0, locale);
  formatRelativeTime(0, locale, 0);
}

/** 1234 → "1.234" (pt-BR) / "1,234" (en). */
export function formatNumber(value: number, locale: string): string {
  return cached(numberFormats, locale, () => new Intl.NumberFormat(locale)).format(value);
}

export function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/**
 * "há 3 min", "há 2 h", "agora" (pt-BR); "3 min ago", "now" (en). Future times (a clock a
 * little ahead) read as "agora" too.
 */
export function formatRelativeTime(
  value: Date | string | number,
  locale: string,
  now: Date | number = Date.now(),
): string {
  const seconds = Math.round((toDate(value).getTime() - toDate(now).getTime()) / 1000);
  const format = cached(
    relativeFormats,
    locale,
    () => new Intl.RelativeTimeFormat(locale, { style: 'short', numeric: 'auto' }),
  );
  const elapsed = -seconds;
  if (elapsed < 45) return format.format(0, 'second');
  for (const [unit, size] of UNITS) {
    if (elapsed >= size) {
      return stripAbbreviationDot(format.format(-Math.floor(elapsed / size), unit));
    }
  }
  return stripAbbreviationDot(format.format(-1, 'minute'));
}

/** ICU abbreviates with dots ("há 3 min.", "3 min. ago"); in a list they read as noise. */
function stripAbbreviationDot(text: string): string {
  return text.replace(/\.(?=\s|$)/g, '');
}

/** "27/05/2026, 14:03" (pt-BR) / "5/27/2026, 2:03 PM" (en), in the browser's time zone. */
export function formatDateTime(value: Date | string | number, locale: string): string {
  return cached(
    dateTimeFormats,
    locale,
    () => new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' }),
  ).format(toDate(value));
}

const percentFormats = new Map<string, Intl.NumberFormat>();

/** 95.06 → "95,06%" (pt-BR) / "95.06%" (en); up to two decimals. */
export function formatPercent(value: number, locale: string): string {
  return cached(
    percentFormats,
    locale,
    () => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }),
  ).format(value / 100);
}

const DURATION_UNITS: readonly [Intl.NumberFormatOptions['unit'] & string, number][] = [
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];
const unitFormats = new Map<string, Intl.NumberFormat>();

/**
 * A duration in its two largest units: 7325 s → "2 h, 2 min" (pt-BR) / "2 hr, 2 min" (en);
 * under a minute, seconds.
 */
export function formatDuration(seconds: number, locale: string): string {
  let rest = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  for (const [unit, size] of DURATION_UNITS) {
    const amount = Math.floor(rest / size);
    if (amount > 0 || (unit === 'second' && parts.length === 0)) {
      const format = cached(
        unitFormats,
        `${locale}:${unit}`,
        () => new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short' }),
      );
      parts.push(format.format(amount));
      rest -= amount * size;
    }
    if (parts.length === 2 || (parts.length === 1 && rest === 0)) break;
  }
  return parts.join(', ');
}

/** 1536 → "1,5 KB" (pt-BR) / "1.5 KB" (en): bytes in the largest unit below 1,024. */
export function formatBytes(bytes: number, locale: string): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: units[unit],
    unitDisplay: 'short',
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
}
