import { useTranslation } from 'react-i18next';

import { registerTranslations } from '@/lib/i18n';

import { ptBR } from './locales/pt-br';

/** The reports page's strings, loaded with their chunk. */
export const NS = 'reports';

registerTranslations(NS, ptBR, () =>
  import('./locales/en').then((module) => module.en),
);

export const useReportsTranslation = () => useTranslation(NS);
