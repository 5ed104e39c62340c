import { useMemo, useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Badge from 'react-bootstrap/Badge';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import Modal from 'react-bootstrap/Modal';
import Spinner from 'react-bootstrap/Spinner';
import Table from 'react-bootstrap/Table';

import type { EventStatus, WebhookEventRead } from '@/api/generated/types.gen';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';
import { PageHeader } from '@/components/ui/page-header';
import { PeriodFilter } from '@/components/ui/period-filter';
import { TableScroll } from '@/components/ui/table-scroll';
import { formatDateTime } from '@/lib/format';

import {
  type EventFilters,
  NO_EVENT_FILTERS,
  toEventSelection,
  useEvent,
  useEvents,
  useReplayEvent,
  useReplaySelection,
} from '../api/events';
import { type InstanceOption, useInstanceOptions } from '../api/instance-names';
import { useWebhooksTranslation } from '../i18n';
import { type Feedback, FeedbackAlert, InstanceSelect, LoadMore } from './shared';

const STATUSES: EventStatus[] = ['received', 'processed', 'ignored', 'deferred', 'failed'];
const STATUS_VARIANT: Record<EventStatus, string> = {
  received: 'secondary',
  processed: 'success',
  ignored: 'light',
  deferred: 'warning',
  failed: 'danger',
};


/** The webhook inbox (admins): filters, the failure reason, payload viewer, replays. */
export function EventLogPage() {
  const { t, i18n } = useWebhooksTranslation();
  const [filters, setFilters] = useState<EventFilters>(NO_EVENT_FILTERS);
  const [viewing, setViewing] = useState<number | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [feedback, setFeedback] = useState<Feedback | null>(null);
  const events = useEvents(filters);
  const instances = useInstanceOptions();
  const replay = useReplayEvent();
  const replayMany = useReplaySelection();

  const names = useMemo(
    () => new Map((instances.data ?? []).map((option) => [option.id, option.name])),
    [instances.data],
  );
  const instanceName = (event: WebhookEventRead) =>
    event.instance_id === null
      ? (event.instance_name ?? '—')
      : (names.get(event.instance_id) ?? t('instanceFallback', { id: event.instance_id }));
  const statusText = (status: EventStatus) => t(`events.status.${status}`);

  const replayOne = (id: number) => {
    setFeedback(null);
    replay.mutate(id, {
      onSuccess: (event) =>
        setFeedback({
          variant: event.status === 'failed' ? 'warning' : 'success',
          text: t('events.replayed', { id, status: statusText(event.status) }),
        }),
      onError: () => setFeedback({ variant: 'danger', text: t('events.replayFailed', { id }) }),
    });
  };

  const replayFiltered = () => {
    setFeedback(null);
    replayMany.mutate(toEventSelection(filters), {
      onSuccess: (report) => {
        const parts = Object.entries(report.outcomes).map(
          ([status, count]) => `${statusText(status as EventStatus)}: ${String(count)}`,
        );
        const summary = `${t('events.replaySelectionDone', { count: report.matched })}${parts.length ? ` (${parts.join(', ')})` : ''}.`;
        setFeedback({
          variant: report.failed_ids.length ? 'warning' : 'success',
          text: report.truncated ? `${summary} ${t('events.replaySelectionTruncated')}` : summary,
        });
      },
      onSettled: () => setConfirming(false),
    });
  };

  const items = events.data?.pages.flatMap((page) => page.items) ?? [];
  let body;
  if (events.isPending) {
    body = <LoadingState />;
  } else if (events.isError) {
    body = <ErrorState error={events.error} onRetry={() => void events.refetch()} />;
  } else if (items.length === 0) {
    body = <EmptyState icon="inbox" title={t('events.empty')} />;
  } else {
    body = (
      <>
        <TableScroll label={t('events.tableLabel')}>
          <Table hover size="sm" className="align-middle mb-0">
            <thead>
              <tr>
                <th scope="col">{t('events.columns.received')}</th>
                <th scope="col">{t('events.columns.instance')}</th>
                <th scope="col">{t('events.columns.event')}</th>
                <th scope="col">{t('events.columns.status')}</th>
                <th scope="col" className="text-end">
                  {t('events.columns.attempts')}
                </th>
                <th scope="col">{t('events.columns.reason')}</th>
                <th scope="col">{t('events.columns.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((event) => (
                <tr key={event.id} data-testid="event-row">
                  <td className="text-nowrap small">
                    <time dateTime={event.received_at}>
                      {formatDateTime(event.received_at, i18n.language)}
                    </time>
                  </td>
                  <td>{instanceName(event)}</td>
                  <td className="font-monospace small">{event.event}</td>
                  <td>
                    <Badge bg={STATUS_VARIANT[event.status]} text={event.status === 'ignored' ? 'dark' : undefined}>
                      {statusText(event.status)}
                    </Badge>
                  </td>
                  <td className="text-end">{event.attempts}</td>
                  <td className="small text-break" style={{ maxWidth: '22rem' }}>
                    {event.error}
                  </td>
                  <td className="text-nowrap">
                    <Button
                      size="sm"
                      variant="outline-secondary"
                      className="me-1"
                      aria-label={t('events.viewLabel', { id: event.id })}
                      onClick={() => setViewing(event.id)}
                    >
                      {t('events.view')}
                    </Button>
                    <Button
                      size="sm"
                      variant="outline-primary"
                      aria-label={t('events.replayLabel', { id: event.id })}
                      disabled={replay.isPending}
                      onClick={() => replayOne(event.id)}
                    >
                      {replay.isPending && replay.variables === event.id ? (
                        <Spinner animation="border" size="sm" aria-hidden="true" className="me-1" />
                      ) : null}
                      {t('events.replay')}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        </TableScroll>
        <LoadMore
          hasMore={events.hasNextPage}
          loading={events.isFetchingNextPage}
          onMore={() => void events.fetchNextPage()}
        />
      </>
    );
  }

  return (
    <>
      <PageHeader
        title={t('events.title')}
        description={t('events.description')}
        actions={
          <Button variant="outline-primary" onClick={() => setConfirming(true)} disabled={replayMany.isPending}>
            {t('events.replaySelection')}
          </Button>
        }
      />
      <EventFiltersBar filters={filters} onChange={setFilters} instances={instances.data ?? []} />
      <FeedbackAlert feedback={feedback} onClose={() => setFeedback(null)} />
      {body}
      <PayloadViewer id={viewing} onHide={() => setViewing(null)} onReplay={replayOne} />
      <Modal show={confirming} onHide={() => setConfirming(false)} centered aria-labelledby="events-replay-title">
        <Modal.Header closeButton closeLabel={t('events.cancel')}>
          <Modal.Title id="events-replay-title" as="h2" className="h5">
            {t('events.replaySelectionTitle')}
          </Modal.Title>
        </Modal.Header>
        <Modal.Body>{t('events.replaySelectionHelp')}</Modal.Body>
        <Modal.Footer>
          <Button variant="outline-secondary" onClick={() => setConfirming(false)}>
            {t('events.cancel')}
          </Button>
          <Button variant="primary" onClick={replayFiltered} disabled={replayMany.isPending}>
            {replayMany.isPending ? (
              <Spinner animation="border" size="sm" aria-hidden="true" className="me-1" />
            ) : null}
            {t('events.replaySelectionConfirm')}
          </Button>
        </Modal.Footer>
      </Modal>
    </>
  );
}

function EventFiltersBar({
  filters,
  onChange,
  instances,
}: {
  filters: EventFilters;
  onChange: (filters: EventFilters) => void;
  instances: InstanceOption[];
}) {
  const { t } = useWebhooksTranslation();
  const [event, setEvent] = useState(filters.event);
  return (
    <Form
      className="row g-2 align-items-end mb-3"
      onSubmit={(submit) => {
        submit.preventDefault();
        onChange({ ...filters, event });
      }}
    >
      <InstanceSelect
        id="events-instance"
        className="col-sm-6 col-lg-3"
        value={filters.instanceId}
        onChange={(instanceId) => onChange({ ...filters, instanceId })}
        instances={instances}
      />
      <Form.Group className="col-sm-6 col-lg-2" controlId="events-status">
        <Form.Label className="small mb-1">{t('filters.status')}</Form.Label>
        <Form.Select
          value={filters.status}
          onChange={(change) => onChange({ ...filters, status: change.target.value as EventStatus | '' })}
        >
          <option value="">{t('filters.anyStatus')}</option>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {t(`events.status.${status}`)}
            </option>
          ))}
        </Form.Select>
      </Form.Group>
      <Form.Group className="col-sm-6 col-lg-3" controlId="events-event">
        <Form.Label className="small mb-1">{t('filters.event')}</Form.Label>
        <Form.Control
          value={event}
          maxLength={64}
          placeholder={t('filters.eventPlaceholder')}
          onChange={(change) => setEvent(change.target.value)}
          onBlur={() => onChange({ ...filters, event })}
        />
      </Form.Group>
      <div className="col-sm-6 col-lg-3">
        <PeriodFilter
          label={t('filters.period')}
          value={filters.period}
          onChange={(period) => onChange({ ...filters, period })}
        />
      </div>
      <div className="col-lg-1">
        <Button
          variant="link"
          className="px-0"
          onClick={() => {
            setEvent('');
            onChange(NO_EVENT_FILTERS);
          }}
        >
          {t('filters.clear')}
        </Button>
      </div>
    </Form>
  );
}

function PayloadViewer({
  id,
  onHide,
  onReplay,
}: {
  id: number | null;
  onHide: () => void;
  onReplay: (id: number) => void;
}) {
  const { t } = useWebhooksTranslation();
  const event = useEvent(id);
  return (
    <Modal show={id !== null} onHide={onHide} size="lg" scrollable aria-labelledby="event-payload-title">
      <Modal.Header closeButton closeLabel={t('events.payload.close')}>
        <Modal.Title id="event-payload-title" as="h2" className="h5">
          {t('events.payload.title', { id: id ?? '' })}
        </Modal.Title>
      </Modal.Header>
      <Modal.Body>
        {event.isPending ? (
          <LoadingState label={t('events.payload.loading')} />
        ) : event.isError ? (
          <ErrorState error={event.error} onRetry={() => void event.refetch()} />
        ) : (
          <>
            <p className="mb-2">
              <span className="font-monospace">{event.data.event}</span>{' '}
              <Badge bg={STATUS_VARIANT[event.data.status]} text={event.data.status === 'ignored' ? 'dark' : undefined}>
                {t(`events.status.${event.data.status}`)}
              </Badge>
            </p>
            {event.data.error ? (
              <Alert variant={event.data.status === 'failed' ? 'danger' : 'secondary'} className="small">
                <strong>{t('events.payload.reason')}:</strong> {event.data.error}
              </Alert>
            ) : null}
            <h3 className="h6">{t('events.payload.body')}</h3>
            <p className="small text-body-secondary">{t('events.payload.masked')}</p>
            <pre className="bg-body-tertiary p-2 rounded small mb-0" data-testid="event-payload" tabIndex={0}>
              {JSON.stringify(event.data.body, null, 2)}
            </pre>
          </>
        )}
      </Modal.Body>
      <Modal.Footer>
        <Button variant="outline-secondary" onClick={onHide}>
          {t('events.payload.close')}
        </Button>
        {id !== null ? (
          <Button variant="primary" onClick={() => onReplay(id)}>
            {t('events.replay')}
          </Button>
        ) : null}
      </Modal.Footer>
    </Modal>
  );
}
