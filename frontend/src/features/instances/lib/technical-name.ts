/** The technical name: the instance's name on the Evolution server (backend pattern). */
export const TECHNICAL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;
export const TECHNICAL_NAME_MAX = 64;

/**
 * A technical name suggested from the display name: "Loja São João (SP)" → "loja-sao-joao-sp".
 * Accents are dropped, anything else that is not a letter, digit, _ or - becomes a hyphen,
 * and hyphens never lead, trail or repeat. May be shorter than 3 characters (or empty) when
 * the display name is: the form's validation then says so.
 */
export function slugify(displayName: string): string {
  return displayName
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+/, '')
    .slice(0, TECHNICAL_NAME_MAX)
    .replace(/-+$/, '');
}

export function isValidTechnicalName(value: string): boolean {
  return TECHNICAL_NAME_PATTERN.test(value);
}
