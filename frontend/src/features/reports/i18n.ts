import { useTranslation } from 'react-i18next';

import { i18n } from '@/lib/i18n';

import { en } from './locales/en';
import { ptBR } from './locales/pt-br';

/** The reports page's strings, loaded with their chunk. */
export const NS = 'reports';

i18n.addResourceBundle('pt-BR', NS, ptBR, true, true);
i18n.addResourceBundle('en', NS, en, true, true);

export const useReportsTranslation = () => useTranslation(NS);
