import { useTranslation } from 'react-i18next';

import { getErrorMessage, isApiError } from '@/lib/api-error';

import { SERVERS_NS } from '../locales';

export interface ExplainedError {
  /** What went wrong, in the UI language. */
  message: string;
  /** The backend's own words (e.g. "Connection refused"), when they add something. */
  detail: string | null;
}

/** Explains an API error about servers: our words for the codes we know, plus the detail. */
export function useExplainError() {
  // The app's messages (errors.codes.*) and this page's (servers:errors.*).
  const { t } = useTranslation();
  return (error: unknown): ExplainedError => {
    if (!isApiError(error)) return { message: getErrorMessage(error, t), detail: null };
    const known = t(`${SERVERS_NS}:errors.${error.code}`, { defaultValue: '' });
    const message = known || getErrorMessage(error, t);
    const detail = error.detail && error.detail !== message ? error.detail : null;
    return { message, detail };
  };
}
