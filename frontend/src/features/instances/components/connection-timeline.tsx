import { useState } from 'react';
import Button from 'react-bootstrap/Button';
import Card from 'react-bootstrap/Card';
import Spinner from 'react-bootstrap/Spinner';
import { useTranslation } from 'react-i18next';

import { Icon } from '@/components/ui/icon';
import { LoadingState } from '@/components/ui/loading-state';
import { StatusBadge } from '@/components/ui/status-badge';
import { formatDateTime, formatRelativeTime } from '@/lib/format';

import { useInstanceEvents } from '../api/get-instance-events';
import { useInstancesTranslation } from '../locales';
import { InstanceError } from './instance-error';

const PAGE = 15;

/** The instance's state changes, newest first (`/api/instances/{id}/events`). */
export function ConnectionTimeline({ instanceId }: { instanceId: number }) {
  const { t, i18n } = useInstancesTranslation();
  const { t: tShared } = useTranslation();
  const [size, setSize] = useState(PAGE);
  const events = useInstanceEvents(instanceId, size);

  let body;
  if (events.isPending) {
    body = <LoadingState />;
  } else if (events.isError) {
    body = <InstanceError error={events.error} onRetry={() => void events.refetch()} />;
  } else if (events.data.items.length === 0) {
    body = <p className="text-body-secondary small mb-0">{t('timeline.empty')}</p>;
  } else {
    body = (
      <>
        <ol className="timeline list-unstyled mb-0">
          {events.data.items.map((event) => (
            <li key={event.id} className="timeline-item">
              <span className="timeline-dot" data-status={event.state} aria-hidden="true" />
              <div className="d-flex flex-wrap align-items-center gap-2">
                <StatusBadge status={event.state} />
                {event.previous_state ? (
                  <span className="small text-body-secondary">
                    {t('timeline.from', {
                      state: tShared(`status.${event.previous_state}`, {
                        defaultValue: event.previous_state,
                      }),
                    })}
                  </span>
                ) : null}
              </div>
              <div className="small text-body-secondary mt-1">
                <time dateTime={event.at} title={formatDateTime(event.at, i18n.language)}>
                  {formatRelativeTime(event.at, i18n.language)}
                </time>
                {' · '}
                {t(`timeline.sources.${event.source}`, { defaultValue: event.source })}
                {event.reason_code !== null
                  ? ` · ${t('timeline.reason', { code: event.reason_code })}`
                  : null}
              </div>
              {event.detail ? <div className="small mt-1 text-break">{event.detail}</div> : null}
            </li>
          ))}
        </ol>
        {events.data.total > events.data.items.length ? (
          <Button
            variant="link"
            size="sm"
            className="px-0 mt-2"
            onClick={() => setSize((current) => current + PAGE)}
            disabled={events.isFetching}
          >
            {events.isFetching ? (
              <Spinner animation="border" size="sm" aria-hidden="true" className="me-1" />
            ) : null}
            {t('timeline.more')}
          </Button>
        ) : null}
      </>
    );
  }

  return (
    <Card className="mb-4">
      <Card.Header className="d-flex align-items-center gap-2 bg-transparent">
        <Icon name="clock-history" />
        <h2 className="h6 mb-0">{t('timeline.title')}</h2>
      </Card.Header>
      <Card.Body>{body}</Card.Body>
    </Card>
  );
}
