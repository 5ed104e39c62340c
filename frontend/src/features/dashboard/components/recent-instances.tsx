import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { StatusBadge } from '@/components/ui/status-badge';
import { paths } from '@/config/paths';

import type { Overview } from '../api/get-overview';
import { DASHBOARD_NS } from '../locales';
import { ListCard } from './list-card';
import { RelativeTime } from './relative-time';

export const RecentInstances = memo(function RecentInstances({
  overview,
  now,
}: {
  overview: Overview;
  now: number;
}) {
  const { t } = useTranslation(DASHBOARD_NS);
  const items = overview.recent_instances;
  return (
    <ListCard
      title={t('recentInstances.title')}
      headingId="recent-instances-title"
      icon="whatsapp"
      empty={t('recentInstances.empty')}
      isEmpty={items.length === 0}
      more={{ to: paths.instances.getHref(), label: t('recentInstances.all') }}
    >
      {items.map((instance) => (
        <li key={instance.id} className="list-group-item d-flex align-items-center gap-2">
          <div className="flex-grow-1 min-w-0">
            <Link
              to={paths.instance.getHref(instance.id)}
              className="fw-semibold text-truncate d-block"
            >
              {instance.display_name}
            </Link>
            <span className="small text-body-secondary text-truncate d-block">
              <code className="text-body-secondary">{instance.name}</code> ·{' '}
              {t('recentInstances.created')} <RelativeTime value={instance.created_at} now={now} />
            </span>
          </div>
          <StatusBadge status={instance.status} />
        </li>
      ))}
    </ListCard>
  );
});
