import { describe, expect, it } from 'vitest';

import { periodRange, readPeriod, writePeriod } from './period';

describe('period', () => {
  const now = new Date(2026, 0, 15, 10, 30).getTime();

  it('turns presets into a moving lower bound', () => {
    expect(periodRange({ period: '', from: '', to: '' }, now)).toEqual({});
    expect(periodRange({ period: '24h', from: '', to: '' }, now)).toEqual({
      since: new Date(now - 24 * 3600_000).toISOString(),
    });
    expect(periodRange({ period: 'today', from: '', to: '' }, now)).toEqual({
      since: new Date(2026, 0, 15).toISOString(),
    });
  });

  it('makes a custom range inclusive of its last day', () => {
    expect(periodRange({ period: 'custom', from: '2026-01-01', to: '2026-01-10' }, now)).toEqual({
      since: new Date(2026, 0, 1).toISOString(),
      until: new Date(2026, 0, 11).toISOString(),
    });
    expect(periodRange({ period: 'custom', from: '', to: '' }, now)).toEqual({});
  });

  it('reads and writes the URL, ignoring nonsense', () => {
    expect(readPeriod(new URLSearchParams('period=7d&from=x'))).toEqual({
      period: '7d',
      from: '',
      to: '',
    });
    expect(readPeriod(new URLSearchParams('period=year')).period).toBe('');
    const params = new URLSearchParams('q=a&from=2020-01-01');
    writePeriod(params, { period: 'custom', from: '2026-01-01', to: '' });
    expect(params.toString()).toBe('q=a&period=custom&from=2026-01-01');
    writePeriod(params, { period: '', from: '2026-01-01', to: '' });
    expect(params.toString()).toBe('q=a');
  });
});
