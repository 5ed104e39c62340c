/**
 * Build-time environment, checked once at startup so a bad value fails loudly instead of
 * producing odd requests later. Every key is optional: the defaults are right for the
 * production build that the backend serves itself. (Checked by hand rather than with zod,
 * which would add ~14 KB gzipped to the initial bundle for one field.)
 */
export interface Env {
  /** Origin of the API, e.g. `https://evodash.example.com`. Empty means same origin. */
  API_BASE_URL: string;
}

export function parseEnv(raw: Record<string, unknown>): Env {
  const problems: string[] = [];
  const rawBaseUrl = raw.VITE_API_BASE_URL ?? '';
  let baseUrl = '';
  if (typeof rawBaseUrl !== 'string') {
    problems.push('VITE_API_BASE_URL: must be a string');
  } else if (rawBaseUrl !== '' && !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(rawBaseUrl)) {
    problems.push(`VITE_API_BASE_URL: must be empty or an http(s) URL, got "${rawBaseUrl}"`);
  } else {
    baseUrl = rawBaseUrl.replace(/\/+$/, '');
  }
  if (problems.length > 0) {
    throw new Error(`Invalid environment variables:\n- ${problems.join('\n- ')}`);
  }
  return { API_BASE_URL: baseUrl };
}

export const env = parseEnv(import.meta.env);
