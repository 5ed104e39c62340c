import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';

import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { paths } from '@/config/paths';

export default function NotFoundRoute() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  return (
    <>
      <PageHeader title={t('pages.notFound.title')} />
      <EmptyState
        icon="signpost-split"
        title={t('pages.notFound.title')}
        description={t('pages.notFound.description', { path: pathname })}
        action={
          <Link to={paths.dashboard.getHref()} className="btn btn-primary">
            {t('common.backToDashboard')}
          </Link>
        }
      />
    </>
  );
}
