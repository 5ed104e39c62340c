/**
 * Time-range filters kept in the URL: a preset (`24h`, `7d`, `30d`, `today`) or `custom`
 * with `from`/`to` calendar dates (YYYY-MM-DD, in the browser's time zone, `to` inclusive).
 * Turned into ISO `since`/`until` bounds when the request is made, so the URL (and the
 * query key) stays the same while "the last 24 hours" moves with the clock.
 */
export const PERIOD_PRESETS = ['today', '24h', '7d', '30d'] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];
export type Period = '' | PeriodPreset | 'custom';

export interface PeriodValue {
  period: Period;
  from: string;
  to: string;
}

export interface PeriodRange {
  since?: string;
  until?: string;
}

const HOURS: Record<Exclude<PeriodPreset, 'today'>, number> = {
  '24h': 24,
  '7d': 24 * 7,
  '30d': 24 * 30,
};

export function isPeriod(value: string | null | undefined): value is Period {
  if (value === '' || value === 'custom') return true;
  return (PERIOD_PRESETS as readonly string[]).includes(value ?? '-');
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local midnight of a YYYY-MM-DD date, or null. */
function localMidnight(value: string, plusDays = 0): Date | null {
  const match = DATE.exec(value);
  if (!match) return null;
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const date = new Date(year, month - 1, day + plusDays);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The ISO bounds of a period at `now` (empty for "any time"). */
export function periodRange(
  { period, from, to }: PeriodValue,
  now: number = Date.now(),
): PeriodRange {
  switch (period) {
    case '':
      return {};
    case 'today': {
      const start = new Date(now);
      start.setHours(0, 0, 0, 0);
      return { since: start.toISOString() };
    }
    case 'custom': {
      const since = localMidnight(from);
      const until = localMidnight(to, 1);
      return {
        ...(since ? { since: since.toISOString() } : {}),
        ...(until ? { until: until.toISOString() } : {}),
      };
    }
    default:
      return { since: new Date(now - HOURS[period] * 3600_000).toISOString() };
  }
}

/** Reads a period from URL search params (`period`, `from`, `to`); unknown values are "any". */
export function readPeriod(params: URLSearchParams): PeriodValue {
  const period = params.get('period') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  return {
    period: isPeriod(period) ? period : '',
    from: DATE.test(from) ? from : '',
    to: DATE.test(to) ? to : '',
  };
}

/** Writes a period into URL search params (removing what is empty). */
export function writePeriod(params: URLSearchParams, value: PeriodValue): void {
  for (const key of ['period', 'from', 'to'] as const) params.delete(key);
  if (!value.period) return;
  params.set('period', value.period);
  if (value.period === 'custom') {
    if (value.from) params.set('from', value.from);
    if (value.to) params.set('to', value.to);
  }
}
