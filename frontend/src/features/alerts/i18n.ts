import { useTranslation } from 'react-i18next';

import { i18n } from '@/lib/i18n';

import { en } from './locales/en';
import { ptBR } from './locales/pt-br';

/** The alerts page's strings, loaded with its chunk (the bell's are in the app's). */
export const NS = 'alerts';

i18n.addResourceBundle('pt-BR', NS, ptBR, true, true);
i18n.addResourceBundle('en', NS, en, true, true);

export const useAlertsTranslation = () => useTranslation(NS);
