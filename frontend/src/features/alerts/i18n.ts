import { useTranslation } from 'react-i18next';

import { registerTranslations } from '@/lib/i18n';

import { ptBR } from './locales/pt-br';

/** The alerts page's strings, loaded with its chunk (the bell's are in the app's). */
export const NS = 'alerts';

registerTranslations(NS, ptBR, () =>
  import('./locales/en').then((module) => module.en),
);

export const useAlertsTranslation = () => useTranslation(NS);
