/**
 * The reports' period and scope, kept in the URL (`period`, `from`, `to`, `server`,
 * `instance`). Presets become calendar dates (YYYY-MM-DD, the browser's days) when the
 * request is made; the API takes whole days in the browser's time zone.
 */
export const REPORT_PRESETS = ['7d', '30d', '90d', '365d', 'month', 'lastMonth'] as const;
export type ReportPreset = (typeof REPORT_PRESETS)[number] | 'custom';
/** The API's limit. */
export const MAX_REPORT_DAYS = 366;

export interface ReportFilters {
  preset: ReportPreset;
  from: string;
  to: string;
  serverId: number | null;
  instanceId: number | null;
}

export const DEFAULT_REPORT_FILTERS: ReportFilters = {
  preset: '30d',
  from: '',
  to: '',
  serverId: null,
  instanceId: null,
};

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAYS: Record<'7d' | '30d' | '90d' | '365d', number> = {
  '7d': 7,
  '30d': 30,
  '90d': 90,
  '365d': 365,
};

const pad = (n: number) => String(n).padStart(2, '0');

/** A local date as YYYY-MM-DD. */
export function isoDay(date: Date): string {
  return `${String(date.getFullYear())}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function parseDay(value: string): Date | null {
  const match = DATE.exec(value);
  if (!match) return null;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(y, m - 1, d);
  return date.getMonth() === m - 1 && date.getDate() === d ? date : null;
}

function isPreset(value: string | null): value is ReportPreset {
  return value === 'custom' || (REPORT_PRESETS as readonly string[]).includes(value ?? '-');
}

function positive(value: string | null): number | null {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 && n < 2 ** 31 ? n : null;
}

export function readReportFilters(params: URLSearchParams): ReportFilters {
  const period = params.get('period');
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  return {
    preset: isPreset(period) ? period : DEFAULT_REPORT_FILTERS.preset,
    from: parseDay(from) ? from : '',
    to: parseDay(to) ? to : '',
    serverId: positive(params.get('server')),
    instanceId: positive(params.get('instance')),
  };
}

export function writeReportFilters(filters: ReportFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.preset !== DEFAULT_REPORT_FILTERS.preset) params.set('period', filters.preset);
  if (filters.preset === 'custom') {
    if (filters.from) params.set('from', filters.from);
    if (filters.to) params.set('to', filters.to);
  }
  if (filters.serverId !== null) params.set('server', String(filters.serverId));
  if (filters.instanceId !== null) params.set('instance', String(filters.instanceId));
  return params;
}

/** The first and last day of the period at `now`, or null when a custom range is invalid. */
export function reportRange(
  filters: Pick<ReportFilters, 'preset' | 'from' | 'to'>,
  now: Date = new Date(),
): { from: string; to: string } | null {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  switch (filters.preset) {
    case 'custom': {
      const first = parseDay(filters.from);
      const last = parseDay(filters.to);
      if (!first || !last || first > last) return null;
      const days = Math.round((last.getTime() - first.getTime()) / 86_400_000) + 1;
      return days > MAX_REPORT_DAYS ? null : { from: filters.from, to: filters.to };
    }
    case 'month':
      return { from: isoDay(new Date(today.getFullYear(), today.getMonth(), 1)), to: isoDay(today) };
    case 'lastMonth':
      return {
        from: isoDay(new Date(today.getFullYear(), today.getMonth() - 1, 1)),
        to: isoDay(new Date(today.getFullYear(), today.getMonth(), 0)),
      };
    default: {
      const first = new Date(today);
      first.setDate(first.getDate() - (DAYS[filters.preset] - 1));
      return { from: isoDay(first), to: isoDay(today) };
    }
  }
}

/** The browser's IANA time zone (the API's `tz`), UTC when it has none. */
export function browserTimeZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone && /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(zone) ? zone : 'UTC';
}
