import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';

import { DEFAULT_LANGUAGE, isLanguage, type Language, LANGUAGES, rememberLanguage } from '@/lib/i18n';

export interface UseLanguageResult {
  language: Language;
  languages: readonly Language[];
  setLanguage: (language: Language) => Promise<void>;
}

export function useLanguage(): UseLanguageResult {
  const { i18n } = useTranslation();
  const current = i18n.resolvedLanguage ?? i18n.language;
  const language = isLanguage(current) ? current : DEFAULT_LANGUAGE;

  const setLanguage = useCallback(
    async (next: Language) => {
      rememberLanguage(next);
      await i18n.changeLanguage(next);
    },
    [i18n],
  );

  return { language, languages: LANGUAGES, setLanguage };
}
