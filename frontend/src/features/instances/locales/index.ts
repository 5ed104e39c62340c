import { useTranslation } from 'react-i18next';

import { registerTranslations } from '@/lib/i18n';

import { instancesPtBR } from './pt-br';

/** The namespace of the instances pages' strings, loaded with their chunk. */
export const INSTANCES_NS = 'instances';

registerTranslations(INSTANCES_NS, instancesPtBR, () =>
  import('./en').then((module) => module.instancesEn),
);

/** `t` for this feature's strings (`t('common:…')` still reaches the shared ones). */
export const useInstancesTranslation = () => useTranslation(INSTANCES_NS);
