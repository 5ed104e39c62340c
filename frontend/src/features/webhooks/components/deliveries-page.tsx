import { useMemo, useState } from 'react';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import Spinner from 'react-bootstrap/Spinner';
import Table from 'react-bootstrap/Table';

import type { DeliveryStatus, WebhookDeliveryRead } from '@/api/generated/types.gen';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';
import { PageHeader } from '@/components/ui/page-header';
import { TableScroll } from '@/components/ui/table-scroll';
import { formatDateTime } from '@/lib/format';

import { type DeliveryFilters, useDeliveries, useRetryDeliveries } from '../api/deliveries';
import { useInstanceOptions } from '../api/instance-names';
import { useWebhooksTranslation } from '../i18n';
import { type Feedback, FeedbackAlert, InstanceSelect, LoadMore } from './shared';

const STATUSES: DeliveryStatus[] = ['pending', 'succeeded', 'failed'];
// text-bg-* picks a readable text colour for each background (white on cyan would be 1.95:1).
const STATUS_VARIANT: Record<DeliveryStatus, string> = {
  pending: 'text-bg-info',
  succeeded: 'text-bg-success',
  failed: 'text-bg-danger',
};

/** A failed attempt with no automatic retry left can be retried by hand. */
const retryable = (delivery: WebhookDeliveryRead) =>
  delivery.status === 'failed' && delivery.next_retry_at === null;

export interface DeliveriesPageProps {
  /** Operators and admins retry; viewers read. */
  canOperate: boolean;
  /** How often the list is read again while attempts are pending. */
  pollIntervalMs?: number;
}

/** Forwarding attempts: destination, status, latency, attempts, next retry; retries. */
export function DeliveriesPage({ canOperate, pollIntervalMs }: DeliveriesPageProps) {
  const { t, i18n } = useWebhooksTranslation();
  const [filters, setFilters] = useState<DeliveryFilters>({ instanceId: null, status: '' });
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [feedback, setFeedback] = useState<Feedback | null>(null);
  const deliveries = useDeliveries(filters, pollIntervalMs);
  const instances = useInstanceOptions();
  const retry = useRetryDeliveries();

  const items = useMemo(
    () => deliveries.data?.pages.flatMap((page) => page.items) ?? [],
    [deliveries.data],
  );
  // Only the last attempt of an event is retryable: older failed rows of the same event
  // are history.
  const lastOfEvent = useMemo(() => {
    const last = new Map<number, number>();
    for (const item of items) last.set(item.event_id, Math.max(last.get(item.event_id) ?? 0, item.id));
    return last;
  }, [items]);
  const canRetry = (delivery: WebhookDeliveryRead) =>
    canOperate && retryable(delivery) && lastOfEvent.get(delivery.event_id) === delivery.id;
  const retryableIds = items.filter(canRetry).map((item) => item.id);
  const chosen = retryableIds.filter((id) => selected.has(id));

  const run = (ids: number[]) => {
    setFeedback(null);
    retry.mutate(ids, {
      onSuccess: (outcomes) => {
        const ok = outcomes.filter((outcome) => outcome.ok).length;
        const failed = outcomes.length - ok;
        const parts = [ok ? t('deliveries.retried', { count: ok }) : '', failed ? t('deliveries.retryErrors', { count: failed }) : ''];
        setFeedback({ variant: failed ? 'warning' : 'success', text: parts.filter(Boolean).join(' ') });
        setSelected(new Set());
      },
    });
  };

  const names = new Map((instances.data ?? []).map((option) => [option.id, option.name]));
  let body;
  if (deliveries.isPending) {
    body = <LoadingState />;
  } else if (deliveries.isError) {
    body = <ErrorState error={deliveries.error} onRetry={() => void deliveries.refetch()} />;
  } else if (items.length === 0) {
    body = <EmptyState icon="signpost-split" title={t('deliveries.empty')} />;
  } else {
    body = (
      <>
        <TableScroll label={t('deliveries.tableLabel')}>
          <Table hover size="sm" className="align-middle mb-0">
            <thead>
              <tr>
                {canOperate ? (
                  <th scope="col">
                    <Form.Check
                      aria-label={t('deliveries.selectAll')}
                      checked={retryableIds.length > 0 && chosen.length === retryableIds.length}
                      disabled={retryableIds.length === 0}
                      onChange={(change) => setSelected(new Set(change.target.checked ? retryableIds : []))}
                    />
                  </th>
                ) : null}
                <th scope="col">{t('deliveries.columns.created')}</th>
                <th scope="col">{t('deliveries.columns.destination')}</th>
                <th scope="col">{t('deliveries.columns.event')}</th>
                <th scope="col" className="text-end">
                  {t('deliveries.columns.attempt')}
                </th>
                <th scope="col">{t('deliveries.columns.status')}</th>
                <th scope="col" className="text-end">
                  {t('deliveries.columns.http')}
                </th>
                <th scope="col" className="text-end">
                  {t('deliveries.columns.latency')}
                </th>
                <th scope="col">{t('deliveries.columns.nextRetry')}</th>
                <th scope="col">{t('deliveries.columns.error')}</th>
                {canOperate ? <th scope="col">{t('deliveries.columns.actions')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {items.map((delivery) => (
                <tr key={delivery.id} data-testid="delivery-row">
                  {canOperate ? (
                    <td>
                      {canRetry(delivery) ? (
                        <Form.Check
                          aria-label={t('deliveries.selectLabel', { id: delivery.id })}
                          checked={selected.has(delivery.id)}
                          onChange={(change) => {
                            const next = new Set(selected);
                            if (change.target.checked) next.add(delivery.id);
                            else next.delete(delivery.id);
                            setSelected(next);
                          }}
                        />
                      ) : null}
                    </td>
                  ) : null}
                  <td className="text-nowrap small">
                    <time dateTime={delivery.created_at}>
                      {formatDateTime(delivery.created_at, i18n.language)}
                    </time>
                  </td>
                  <td className="small text-break" style={{ maxWidth: '18rem' }}>
                    <span className="d-block">{names.get(delivery.instance_id) ?? t('instanceFallback', { id: delivery.instance_id })}</span>
                    <span className="d-block fw-semibold" data-testid="delivery-destination">
                      {delivery.destination_name ?? t('deliveries.destinationRemoved')}
                    </span>
                    <span className="font-monospace text-body-secondary">{delivery.url}</span>
                  </td>
                  <td className="small">#{delivery.event_id}</td>
                  <td className="text-end">{delivery.attempt}</td>
                  <td>
                    <span className={`badge ${STATUS_VARIANT[delivery.status]}`}>
                      {t(`deliveries.status.${delivery.status}`)}
                    </span>
                  </td>
                  <td className="text-end">{delivery.http_status ?? '—'}</td>
                  <td className="text-end text-nowrap">
                    {delivery.latency_ms === null ? '—' : t('deliveries.ms', { value: delivery.latency_ms })}
                  </td>
                  <td className="small text-nowrap">
                    {delivery.next_retry_at
                      ? formatDateTime(delivery.next_retry_at, i18n.language)
                      : delivery.status === 'failed'
                        ? t('deliveries.noRetry')
                        : '—'}
                  </td>
                  <td className="small text-break" style={{ maxWidth: '16rem' }}>
                    {delivery.error}
                  </td>
                  {canOperate ? (
                    <td>
                      {canRetry(delivery) ? (
                        <Button
                          size="sm"
                          variant="outline-primary"
                          aria-label={t('deliveries.retryLabel', { id: delivery.id })}
                          disabled={retry.isPending}
                          onClick={() => run([delivery.id])}
                        >
                          {t('deliveries.retry')}
                        </Button>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </Table>
        </TableScroll>
        <LoadMore
          hasMore={deliveries.hasNextPage}
          loading={deliveries.isFetchingNextPage}
          onMore={() => void deliveries.fetchNextPage()}
        />
      </>
    );
  }

  return (
    <>
      <PageHeader
        title={t('deliveries.title')}
        description={t('deliveries.description')}
        actions={
          canOperate ? (
            <Button variant="outline-primary" disabled={chosen.length === 0 || retry.isPending} onClick={() => run(chosen)}>
              {retry.isPending ? <Spinner animation="border" size="sm" aria-hidden="true" className="me-1" /> : null}
              {t('deliveries.retrySelected', { count: chosen.length })}
            </Button>
          ) : null
        }
      />
      <Form className="row g-2 align-items-end mb-3" onSubmit={(submit) => submit.preventDefault()}>
        <InstanceSelect
          id="deliveries-instance"
          className="col-sm-6 col-lg-4"
          value={filters.instanceId}
          onChange={(instanceId) => setFilters({ ...filters, instanceId })}
          instances={instances.data ?? []}
        />
        <Form.Group className="col-sm-6 col-lg-3" controlId="deliveries-status">
          <Form.Label className="small mb-1">{t('filters.status')}</Form.Label>
          <Form.Select
            value={filters.status}
            onChange={(change) => setFilters({ ...filters, status: change.target.value as DeliveryStatus | '' })}
          >
            <option value="">{t('filters.anyStatus')}</option>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {t(`deliveries.status.${status}`)}
              </option>
            ))}
          </Form.Select>
        </Form.Group>
      </Form>
      <FeedbackAlert feedback={feedback} onClose={() => setFeedback(null)} />
      {body}
    </>
  );
}
