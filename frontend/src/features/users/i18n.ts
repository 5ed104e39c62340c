import { useTranslation } from 'react-i18next';

import { i18n } from '@/lib/i18n';

import { en } from './locales/en';
import { ptBR } from './locales/pt-br';

/** This feature's strings live in their own i18next namespace, loaded with its chunk. */
export const NS = 'users';

i18n.addResourceBundle('pt-BR', NS, ptBR, true, true);
i18n.addResourceBundle('en', NS, en, true, true);

export const useUsersTranslation = () => useTranslation(NS);
