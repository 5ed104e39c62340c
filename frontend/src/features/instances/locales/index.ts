import { useTranslation } from 'react-i18next';

import { i18n } from '@/lib/i18n';

import { instancesEn } from './en';
import { instancesPtBR } from './pt-br';

/** The namespace of the instances pages' strings, loaded with their chunk. */
export const INSTANCES_NS = 'instances';

i18n.addResourceBundle('pt-BR', INSTANCES_NS, instancesPtBR, true, true);
i18n.addResourceBundle('en', INSTANCES_NS, instancesEn, true, true);

/** `t` for this feature's strings (`t('common:…')` still reaches the shared ones). */
export const useInstancesTranslation = () => useTranslation(INSTANCES_NS);
