/** E.164 allows at most 15 digits. */
export const PHONE_MAX_DIGITS = 15;

export function digitsOf(value: string): string {
  return value.replace(/\D/g, '');
}

/**
 * Masks a phone number while it is typed. Brazilian numbers (country code 55) read
 * "+55 (11) 98765-4321" (mobile) or "+55 (11) 3456-7890" (landline); other countries
 * "+<digits>". Only digits count, so pasting "5511987654321@s.whatsapp.net" works too.
 *
 * Brazil is the default: a number typed or pasted without "+" and without 55 gets it
 * ("11987654321" → "+55 (11) 98765-4321"). Type "+" first for another country.
 */
export function maskPhone(value: string): string {
  const explicit = value.trim().startsWith('+');
  let digits = digitsOf(value);
  if (!digits) return explicit ? '+' : '';
  // A lone "5" may be the start of "55": wait for the next digit.
  if (!explicit && !digits.startsWith('55') && digits !== '5') digits = `55${digits}`;
  digits = digits.slice(0, PHONE_MAX_DIGITS);
  if (!digits.startsWith('55') || digits.length > 13) {
    return `+${digits}`;
  }
  const area = digits.slice(2, 4);
  const local = digits.slice(4);
  let out = '+55';
  if (area) out += ` (${area}`;
  if (area.length === 2 && local) out += ')';
  if (local) {
    // 8 digits: landline 4-4; 9 digits: mobile 5-4. While typing, split after the 4th.
    const split = local.length > 8 ? 5 : 4;
    out += ` ${local.slice(0, split)}`;
    if (local.length > split) out += `-${local.slice(split)}`;
  }
  return out;
}

/**
 * A complete phone number: Brazilian ones need the area code and 8 or 9 digits (12 or 13
 * with the 55), others 10 to 15 digits with the country code.
 */
export function isCompletePhone(value: string): boolean {
  const digits = digitsOf(value);
  if (digits.startsWith('55')) return digits.length === 12 || digits.length === 13;
  return digits.length >= 10 && digits.length <= PHONE_MAX_DIGITS;
}

/** A stored number (E.164 digits, country code included) for a masked field. */
export function maskStoredPhone(digits: string | null | undefined): string {
  return digits ? maskPhone(`+${digitsOf(digits)}`) : '';
}
