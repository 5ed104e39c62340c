import { describe, expect, it, vi } from 'vitest';

import { formatDateTime, formatNumber, formatRelativeTime, prepareFormats } from './format';

const NOW = new Date('2026-05-27T15:00:00Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);

describe('formatNumber', () => {
  it('groups thousands the way each language does', () => {
    expect(formatNumber(1234567, 'pt-BR')).toBe('1.234.567');
    expect(formatNumber(1234567, 'en')).toBe('1,234,567');
    expect(formatNumber(0, 'pt-BR')).toBe('0');
  });
});

describe('formatRelativeTime', () => {
  it('reads like "há 3 min" in Portuguese', () => {
    expect(formatRelativeTime(ago(3 * 60 + 10), 'pt-BR', NOW)).toBe('há 3 min');
    expect(formatRelativeTime(ago(2 * 3600), 'pt-BR', NOW)).toBe('há 2 h');
    expect(formatRelativeTime(ago(10), 'pt-BR', NOW)).toBe('agora');
  });

  it('speaks English too, and takes ISO strings', () => {
    expect(formatRelativeTime(ago(5 * 60).toISOString(), 'en', NOW)).toBe('5 min ago');
    expect(formatRelativeTime(ago(26 * 3600), 'en', NOW)).toBe('yesterday');
  });

  it('treats a time slightly in the future as now', () => {
    expect(formatRelativeTime(new Date(NOW.getTime() + 5000), 'pt-BR', NOW)).toBe('agora');
  });
});

describe('formatDateTime', () => {
  it('formats a date and time for the language', () => {
    expect(formatDateTime(NOW, 'pt-BR')).toMatch(/^\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}$/);
  });
});

describe('prepareFormats', () => {
  it('creates a locale’s formats up front, so that formatting later creates none', () => {
    prepareFormats('es');
    const created = [
      vi.spyOn(Intl, 'NumberFormat'),
      vi.spyOn(Intl, 'DateTimeFormat'),
      vi.spyOn(Intl, 'RelativeTimeFormat'),
    ];
    expect(formatNumber(1234, 'es')).toBe('1234');
    expect(formatDateTime('2026-05-27T14:03:00', 'es')).toMatch(/^27\/5\/26/);
    expect(formatRelativeTime(0, 'es', 120_000)).toBe('hace 2 min');
    for (const spy of created) expect(spy).not.toHaveBeenCalled();
  });
});
