import { useTranslation } from 'react-i18next';

import { EmptyState } from '@/components/ui/empty-state';
import type { IconName } from '@/components/ui/icon';
import { PageHeader } from '@/components/ui/page-header';

/** Stand-in for a page that is not built yet (replaced page by page). */
export function PlaceholderPage({ page, icon }: { page: string; icon: IconName }) {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t(`nav.${page}`)} description={t(`pages.${page}.description`)} />
      <EmptyState
        icon={icon}
        title={t('pages.comingSoon.title')}
        description={t('pages.comingSoon.description')}
      />
    </>
  );
}
