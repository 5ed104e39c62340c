import { useTranslation } from 'react-i18next';

import { registerTranslations } from '@/lib/i18n';

import { ptBR } from './locales/pt-br';

/** This feature's strings live in their own i18next namespace, loaded with its chunk. */
export const NS = 'messages';

registerTranslations(NS, ptBR, () =>
  import('./locales/en').then((module) => module.en),
);

export const useMessagesTranslation = () => useTranslation(NS);
