import { useTranslation } from 'react-i18next';

import { registerTranslations } from '@/lib/i18n';

import { ptBR } from './locales/pt-br';

/** The event log and deliveries pages' strings, loaded with their chunk. */
export const NS = 'webhooks';

registerTranslations(NS, ptBR, () =>
  import('./locales/en').then((module) => module.en),
);

export const useWebhooksTranslation = () => useTranslation(NS);
