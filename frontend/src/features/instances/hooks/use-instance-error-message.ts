import { useTranslation } from 'react-i18next';

import { getErrorMessage, isApiError } from '@/lib/api-error';

import { INSTANCES_NS } from '../locales';

/**
 * The message for a failed instances request: our Portuguese sentence for the codes this
 * feature knows (Evolution failures included), else the app-wide translation.
 */
export function useInstanceErrorMessage() {
  const { t } = useTranslation();
  const { t: tInstances, i18n } = useTranslation(INSTANCES_NS);
  return (error: unknown): { message: string; detail: string | null } => {
    if (isApiError(error)) {
      const key = `errors.codes.${error.code}`;
      if (i18n.exists(key, { ns: INSTANCES_NS })) {
        const message = tInstances(key);
        // Evolution's own words help an operator; keep them as a technical detail.
        const detail = error.detail && error.detail !== message ? error.detail : null;
        return { message, detail };
      }
    }
    return { message: getErrorMessage(error, t), detail: null };
  };
}
