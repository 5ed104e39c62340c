import { afterEach, beforeEach, vi } from 'vitest';

/**
 * Pins `Date` at `iso` for every test of the calling file (timers stay real, and the
 * clock moves on from there as usual). Relative times ("há 5 min", "ontem") are read
 * against now: fixtures with fixed timestamps must not depend on the day the suite runs.
 */
export function pinClock(iso: string): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(new Date(iso));
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
