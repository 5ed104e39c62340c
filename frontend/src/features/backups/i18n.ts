import { useTranslation } from 'react-i18next';

import { i18n } from '@/lib/i18n';

import { en } from './locales/en';
import { ptBR } from './locales/pt-br';

/** The backups page's strings, loaded with their chunk. */
export const NS = 'backups';

i18n.addResourceBundle('pt-BR', NS, ptBR, true, true);
i18n.addResourceBundle('en', NS, en, true, true);

export const useBackupsTranslation = () => useTranslation(NS);
