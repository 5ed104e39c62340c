import { useTranslation } from 'react-i18next';

import { registerTranslations } from '@/lib/i18n';

import { ptBR } from './locales/pt-br';

/** The backups page's strings, loaded with their chunk. */
export const NS = 'backups';

registerTranslations(NS, ptBR, () =>
  import('./locales/en').then((module) => module.en),
);

export const useBackupsTranslation = () => useTranslation(NS);
