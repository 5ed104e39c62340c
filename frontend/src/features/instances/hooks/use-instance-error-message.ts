import { getErrorMessage, isApiError } from '@/lib/api-error';

import { useInstancesTranslation } from '../locales';

/**
 * The message for a failed instances request: our Portuguese sentence for the codes this
 * feature knows (Evolution failures included), else the app-wide translation.
 */
export function useInstanceErrorMessage() {
  const { t, i18n } = useInstancesTranslation();
  return (error: unknown): { message: string; detail: string | null } => {
    if (isApiError(error)) {
      const key = `errors.codes.${error.code}`;
      if (i18n.exists(key, { ns: 'instances' })) {
        const message = t(key);
        // Evolution's own words help an operator; keep them as a technical detail.
        const detail = error.detail && error.detail !== message ? error.detail : null;
        return { message, detail };
      }
    }
    return { message: getErrorMessage(error, t), detail: null };
  };
}
