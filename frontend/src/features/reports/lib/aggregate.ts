import type { MessageDayRow, UptimeDayRow } from '@/api/generated/types.gen';

export interface DayTotals {
  day: string;
  received: number;
  sent: number;
  blocked: number;
}

/** The chart's series: every instance of a day added up, days in order. */
export function messagesPerDay(rows: readonly MessageDayRow[]): DayTotals[] {
  const days = new Map<string, DayTotals>();
  for (const row of rows) {
    const day = days.get(row.day) ?? { day: row.day, received: 0, sent: 0, blocked: 0 };
    day.received += row.received;
    day.sent += row.sent;
    day.blocked += row.blocked;
    days.set(row.day, day);
  }
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}

/** Per day, the time connected over the time observed of every instance (null: unobserved). */
export function uptimePerDay(rows: readonly UptimeDayRow[]): { day: string; percent: number | null }[] {
  const days = new Map<string, { open: number; observed: number }>();
  for (const row of rows) {
    const day = days.get(row.day) ?? { open: 0, observed: 0 };
    day.open += row.open_seconds;
    day.observed += row.observed_seconds;
    days.set(row.day, day);
  }
  return [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, { open, observed }]) => ({
      day,
      percent: observed > 0 ? Math.round((10_000 * open) / observed) / 100 : null,
    }));
}

/** The rate of the period: succeeded over finished (succeeded + failed), in percent. */
export function successRate(rows: readonly { succeeded: number; failed: number }[]): number | null {
  let ok = 0;
  let finished = 0;
  for (const row of rows) {
    ok += row.succeeded;
    finished += row.succeeded + row.failed;
  }
  return finished > 0 ? Math.round((10_000 * ok) / finished) / 100 : null;
}
