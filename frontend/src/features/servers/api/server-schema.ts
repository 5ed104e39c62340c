import * as z from 'zod';

// Messages are i18n keys of the "servers" namespace, translated where they are shown.

/** Like the backend's normalize_base_url: http(s), a host, no credentials, query or fragment. */
export function isValidServerUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.hostname !== '' &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === '' &&
    !value.includes('?') &&
    !value.includes('#')
  );
}

const name = z
  .string()
  .trim()
  .min(1, 'form.validation.nameRequired')
  .max(100, 'form.validation.nameTooLong');

const baseUrl = z
  .string()
  .trim()
  .min(1, 'form.validation.urlRequired')
  .max(500, 'form.validation.urlTooLong')
  .refine(isValidServerUrl, 'form.validation.urlInvalid');

const apiKey = z.string().trim().max(500, 'form.validation.keyTooLong');

/** Adding a server: everything is required. */
export const createServerInputSchema = z.object({
  name,
  base_url: baseUrl,
  api_key: apiKey.min(1, 'form.validation.keyRequired'),
});

/** Editing: an empty key keeps the stored one. */
export const updateServerInputSchema = z.object({ name, base_url: baseUrl, api_key: apiKey });

export type ServerFormInput = z.infer<typeof updateServerInputSchema>;
