import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { StatusBadge } from '@/components/ui/status-badge';
import { paths } from '@/config/paths';
import { isInstanceStatus } from '@/lib/instance-status';

import type { Overview } from '../api/get-overview';
import { DASHBOARD_NS } from '../locales';
import { ListCard } from './list-card';
import { RelativeTime } from './relative-time';

/** The latest connection changes, newest first, as a small timeline. */
export const ConnectionEvents = memo(function ConnectionEvents({
  overview,
  now,
}: {
  overview: Overview;
  now: number;
}) {
  const { t } = useTranslation([DASHBOARD_NS, 'translation']);
  const items = overview.latest_connection_events;
  const statusName = (state: string) =>
    isInstanceStatus(state) ? t(`translation:status.${state}`) : state;
  return (
    <ListCard
      title={t('events.title')}
      headingId="connection-events-title"
      icon="clock-history"
      empty={t('events.empty')}
      isEmpty={items.length === 0}
    >
      {items.map((event) => (
        <li key={event.id} className="list-group-item dash-timeline-item" data-state={event.state}>
          <div className="d-flex align-items-baseline gap-2">
            <Link
              to={paths.instance.getHref(event.instance_id)}
              className="fw-semibold text-truncate"
            >
              {event.instance_name}
            </Link>
            <span className="ms-auto small text-body-secondary text-nowrap">
              <RelativeTime value={event.at} now={now} />
            </span>
          </div>
          <div className="d-flex flex-wrap align-items-center gap-1 small">
            {event.previous_state ? (
              <>
                <span className="text-body-secondary">{statusName(event.previous_state)}</span>
                <span aria-hidden="true">→</span>
                <span className="visually-hidden">,</span>
              </>
            ) : null}
            <StatusBadge status={event.state} />
            <span className="text-body-secondary">
              · {t(`events.sources.${event.source}`, { defaultValue: event.source })}
              {event.reason_code !== null
                ? ` · ${t('events.reason', { code: event.reason_code })}`
                : ''}
            </span>
          </div>
        </li>
      ))}
    </ListCard>
  );
});
