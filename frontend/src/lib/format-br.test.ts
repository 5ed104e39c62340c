import { describe, expect, it } from 'vitest';

import {
  excerpt,
  formatCalendarDate,
  formatCnpj,
  formatMoney,
  formatPhone,
  phoneDigits,
} from './format-br';

// Intl separates "R$" from the number with a no-break space.
const spaces = (text: string) => text.replace(/\u00a0/g, ' ');

describe('Brazilian formats', () => {
  it('shows reais in both languages', () => {
    expect(spaces(formatMoney('123.45', 'pt-BR'))).toBe('R$ 123,45');
    expect(spaces(formatMoney(1234.5, 'pt-BR'))).toBe('R$ 1.234,50');
    expect(formatMoney('123.45', 'en')).toBe('R$123.45');
    expect(formatMoney(null, 'pt-BR')).toBe('');
    expect(formatMoney('n/a', 'pt-BR')).toBe('n/a');
  });

  it('shows a due date without a time zone shift', () => {
    expect(formatCalendarDate('2026-12-20', 'pt-BR')).toBe('20/12/2026');
    expect(formatCalendarDate('2026-12-20', 'en')).toBe('12/20/2026');
    expect(formatCalendarDate('soon', 'pt-BR')).toBe('soon');
  });

  it('formats CNPJs and phone numbers', () => {
    expect(formatCnpj('12345678000195')).toBe('12.345.678/0001-95');
    expect(formatCnpj('123')).toBe('123');
    expect(formatPhone('+5511987654321')).toBe('+55 11 98765-4321');
    expect(formatPhone('551134567890')).toBe('+55 11 3456-7890');
    expect(formatPhone('+14155550100')).toBe('+14155550100');
    expect(formatPhone('123456@lid')).toBe('123456@lid');
    expect(phoneDigits('5511987654321@s.whatsapp.net')).toBe('5511987654321');
    expect(phoneDigits('5511987654321:12@s.whatsapp.net')).toBe('5511987654321');
  });

  it('cuts long text at a word', () => {
    expect(excerpt('  short\n text ')).toBe('short text');
    expect(excerpt('uma frase bem comprida demais', 20)).toBe('uma frase bem…');
  });
});
