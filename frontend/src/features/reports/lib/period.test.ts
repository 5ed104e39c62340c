import { describe, expect, it } from 'vitest';

import { readReportFilters, reportRange, writeReportFilters } from './period';

// Local noon of 15 March 2026 (the calendar, not an instant, is what matters).
const NOW = new Date(2026, 2, 15, 12, 0, 0);

describe('report periods', () => {
  it('turns presets into calendar days ending today', () => {
    expect(reportRange({ preset: '7d', from: '', to: '' }, NOW)).toEqual({ from: '2026-03-09', to: '2026-03-15' });
    expect(reportRange({ preset: '30d', from: '', to: '' }, NOW)).toEqual({ from: '2026-02-14', to: '2026-03-15' });
    expect(reportRange({ preset: '365d', from: '', to: '' }, NOW)).toEqual({ from: '2025-03-16', to: '2026-03-15' });
    expect(reportRange({ preset: 'month', from: '', to: '' }, NOW)).toEqual({ from: '2026-03-01', to: '2026-03-15' });
    expect(reportRange({ preset: 'lastMonth', from: '', to: '' }, NOW)).toEqual({ from: '2026-02-01', to: '2026-02-28' });
  });

  it('takes a custom range only when it is real dates, in order, of at most 366 days', () => {
    expect(reportRange({ preset: 'custom', from: '2026-01-01', to: '2026-01-31' }, NOW)).toEqual({
      from: '2026-01-01',
      to: '2026-01-31',
    });
    expect(reportRange({ preset: 'custom', from: '2026-02-01', to: '2026-01-31' }, NOW)).toBeNull();
    expect(reportRange({ preset: 'custom', from: '2026-02-30', to: '2026-03-01' }, NOW)).toBeNull();
    expect(reportRange({ preset: 'custom', from: '2024-01-01', to: '2024-12-31' }, NOW)).not.toBeNull(); // 366 days
    expect(reportRange({ preset: 'custom', from: '2024-01-01', to: '2025-01-01' }, NOW)).toBeNull();
  });

  it('reads the URL defensively and writes back only what differs from the default', () => {
    const read = readReportFilters(new URLSearchParams('period=nope&from=x&server=-3&instance=7'));
    expect(read).toEqual({ preset: '30d', from: '', to: '', serverId: null, instanceId: 7 });
    const custom = { preset: 'custom' as const, from: '2026-01-01', to: '2026-01-31', serverId: 2, instanceId: null };
    expect(writeReportFilters(custom).toString()).toBe('period=custom&from=2026-01-01&to=2026-01-31&server=2');
    expect(readReportFilters(writeReportFilters(custom))).toEqual(custom);
  });
});
