import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { EmptyState } from '@/components/ui/empty-state';
import { Icon } from '@/components/ui/icon';
import { paths } from '@/config/paths';

import { DASHBOARD_NS } from '../locales';

/** A fresh install: no server yet (or a server and no instance), and what to do next. */
export function DashboardEmpty({ hasServer }: { hasServer: boolean }) {
  const { t } = useTranslation(DASHBOARD_NS);
  if (hasServer) {
    return (
      <EmptyState
        icon="whatsapp"
        title={t('empty.noInstancesTitle')}
        description={t('empty.noInstancesDescription')}
        action={
          <Link to={paths.instances.getHref()} className="btn btn-primary btn-gradient">
            <Icon name="plus-lg" className="me-2" />
            {t('empty.noInstancesAction')}
          </Link>
        }
      />
    );
  }
  return (
    <EmptyState
      icon="hdd-network"
      title={t('empty.title')}
      description={t('empty.description')}
      action={
        <Link to={paths.servers.getHref()} className="btn btn-primary btn-gradient">
          <Icon name="plus-lg" className="me-2" />
          {t('empty.action')}
        </Link>
      }
    />
  );
}
