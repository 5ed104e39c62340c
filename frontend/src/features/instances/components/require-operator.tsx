import type { ReactNode } from 'react';

import { EmptyState } from '@/components/ui/empty-state';

import { useInstancesTranslation } from '../locales';

/** Pages that change instances: operators and admins only (viewers get an explanation). */
export function RequireOperator({ canOperate, children }: { canOperate: boolean; children: ReactNode }) {
  const { t } = useInstancesTranslation();
  if (!canOperate) {
    return (
      <EmptyState icon="shield-lock" title={t('forbidden.title')} description={t('forbidden.description')} />
    );
  }
  return children;
}
