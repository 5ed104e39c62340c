/**
 * Brazilian formats the pages show: reais, calendar dates such as due dates, CNPJs and
 * phone numbers, plus short excerpts of message text. Numbers and dates in general are in
 * `format.ts`; pass the UI language (`i18n.language`) as `locale`.
 */

/** "R$ 1.234,56" (pt-BR) / "R$1,234.56" (en). Accepts the API's decimal strings. */
export function formatMoney(value: string | number | null | undefined, locale: string): string {
  if (value === null || value === undefined || value === '') return '';
  const amount = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(amount)) return String(value);
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'BRL' }).format(amount);
}

const calendarFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * A calendar date such as a due date ("2026-12-20") as it is: parsing it as local midnight
 * would show the 19th anywhere west of Greenwich.
 */
export function formatCalendarDate(value: string | null | undefined, locale: string): string {
  if (!value) return '';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return value;
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  let format = calendarFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      timeZone: 'UTC',
    });
    calendarFormats.set(locale, format);
  }
  return format.format(new Date(Date.UTC(year, month - 1, day)));
}

/** "12.345.678/0001-95" from its 14 digits; anything else as it came. */
export function formatCnpj(value: string | null | undefined): string {
  if (!value) return '';
  const d = value.replace(/\D/g, '');
  if (d.length !== 14) return value;
  return `${d.slice(0, 2)}.${d.slice(2, 5)}.${d.slice(5, 8)}/${d.slice(8, 12)}-${d.slice(12)}`;
}

/**
 * A phone number for people: Brazilian ones as "+55 11 98765-4321" (mobile) or
 * "+55 11 3456-7890" (landline), other numbers as "+<digits>", and anything that is not a
 * phone number (a privacy `@lid`, a group JID) as it came.
 */
export function formatPhone(value: string | null | undefined): string {
  if (!value) return '';
  const trimmed = value.trim();
  if (!/^\+?[\d\s().-]+$/.test(trimmed)) return trimmed;
  const digits = trimmed.replace(/\D/g, '');
  if (digits.startsWith('55') && (digits.length === 12 || digits.length === 13)) {
    const local = digits.slice(4);
    const split = local.length - 4;
    return `+55 ${digits.slice(2, 4)} ${local.slice(0, split)}-${local.slice(split)}`;
  }
  return `+${digits}`;
}

/** The digits of a phone number or JID ("5511987654321@s.whatsapp.net" → "5511987654321"). */
export function phoneDigits(value: string | null | undefined): string {
  if (!value) return '';
  const [user = ''] = value.split('@');
  const [number = ''] = user.split(':');
  return number.replace(/\D/g, '');
}

/** At most `max` characters on one line, cut at a word when one is near, with "…". */
export function excerpt(text: string | null | undefined, max = 140): string {
  if (!text) return '';
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
