import { useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Badge from 'react-bootstrap/Badge';
import Button from 'react-bootstrap/Button';
import Card from 'react-bootstrap/Card';
import Dropdown from 'react-bootstrap/Dropdown';
import Form from 'react-bootstrap/Form';
import ListGroup from 'react-bootstrap/ListGroup';
import Table from 'react-bootstrap/Table';
import { useTranslation } from 'react-i18next';

import type { AlertRead, AlertState, RuleKind } from '@/api/generated/types.gen';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';
import { PageHeader } from '@/components/ui/page-header';
import { Pager } from '@/components/ui/pager';
import { TableScroll } from '@/components/ui/table-scroll';
import { getErrorMessage } from '@/lib/api-error';
import { formatDateTime } from '@/lib/format';

import {
  ALERTS_PAGE_SIZE,
  type AlertFilters,
  EMPTY_FILTERS,
  useAcknowledge,
  useAlerts,
  useFiring,
  useSilence,
} from '../api/alerts';
import { useAlertsTranslation } from '../i18n';
import { describeAlert } from '../lib/describe';
import { RULES } from '../lib/rules';
import { BrowserNotifications } from './browser-notifications';
import { AlertSettings } from './settings';

const STATES: AlertState[] = ['firing', 'resolved'];
const STATE_VARIANT: Record<AlertState, string> = {
  pending: 'secondary',
  firing: 'danger',
  resolved: 'success',
};
const SILENCE_MINUTES = [15, 60, 240, 1440];

export interface AlertsPageProps {
  userId: number;
  /** Operators and admins acknowledge and silence; viewers read. */
  canOperate: boolean;
  /** Admins edit rules and channels. */
  isAdmin: boolean;
  /** The alert a link pointed at (`?alert=`), highlighted. */
  highlight?: number | null;
}

/** Alerts: what fires now (acknowledge, silence), the history, and the settings. */
export function AlertsPage({ userId, canOperate, isAdmin, highlight = null }: AlertsPageProps) {
  const { t } = useAlertsTranslation();
  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={<BrowserNotifications userId={userId} />}
      />
      <FiringNow canOperate={canOperate} highlight={highlight} />
      <History highlight={highlight} />
      {isAdmin ? <AlertSettings /> : null}
    </>
  );
}

function FiringNow({ canOperate, highlight }: { canOperate: boolean; highlight: number | null }) {
  const { t, i18n } = useAlertsTranslation();
  const common = useTranslation();
  const firing = useFiring();
  const ack = useAcknowledge();
  const silence = useSilence();
  const failure = ack.error ?? silence.error;

  let body;
  if (firing.isPending) body = <LoadingState />;
  else if (firing.isError) body = <ErrorState error={firing.error} onRetry={() => void firing.refetch()} />;
  else if (firing.data.items.length === 0) body = <p className="text-body-secondary mb-0">{t('firing.none')}</p>;
  else
    body = (
      <ListGroup variant="flush" aria-label={t('firing.title')}>
        {firing.data.items.map((alert) => (
          <ListGroup.Item
            key={alert.id}
            data-testid="firing-alert"
            active={false}
            className={`d-flex flex-column flex-md-row gap-2 align-items-md-center ${alert.id === highlight ? 'bg-warning-subtle' : ''}`}
          >
            <div className="flex-grow-1">
              <div className="d-flex flex-wrap align-items-center gap-2">
                <Badge bg="danger">{t(`rules.${alert.rule}`)}</Badge>
                <strong>{alert.subject_label}</strong>
                {alert.acked_at ? <Badge bg="secondary">{t('firing.acked')}</Badge> : null}
                {alert.silenced_until && new Date(alert.silenced_until) > new Date() ? (
                  <Badge bg="secondary">
                    {t('firing.silencedUntil', { time: formatDateTime(alert.silenced_until, i18n.language) })}
                  </Badge>
                ) : null}
              </div>
              <div className="small text-body-secondary">
                {describeAlert(alert, common.t, i18n.language)} ·{' '}
                {t('firing.since', { time: formatDateTime(alert.started_at, i18n.language) })}
              </div>
            </div>
            {canOperate ? (
              <div className="d-flex gap-2">
                {alert.acked_at ? null : (
                  <Button
                    size="sm"
                    variant="outline-primary"
                    aria-label={t('actions.ackLabel', { id: alert.id })}
                    disabled={ack.isPending}
                    onClick={() => ack.mutate(alert.id)}
                  >
                    {t('actions.ack')}
                  </Button>
                )}
                <Dropdown align="end">
                  <Dropdown.Toggle
                    size="sm"
                    variant="outline-secondary"
                    aria-label={t('actions.silenceLabel', { id: alert.id })}
                  >
                    {t('actions.silence')}
                  </Dropdown.Toggle>
                  <Dropdown.Menu>
                    <Dropdown.Header>{t('actions.silenceFor')}</Dropdown.Header>
                    {SILENCE_MINUTES.map((minutes) => (
                      <Dropdown.Item key={minutes} as="button" onClick={() => silence.mutate({ id: alert.id, minutes })}>
                        {minutes < 60
                          ? t('actions.minutes', { count: minutes })
                          : t('actions.hours', { count: minutes / 60 })}
                      </Dropdown.Item>
                    ))}
                  </Dropdown.Menu>
                </Dropdown>
              </div>
            ) : null}
          </ListGroup.Item>
        ))}
      </ListGroup>
    );

  return (
    <Card className="mb-4">
      <Card.Header as="h2" className="h5">
        {t('firing.title')}
      </Card.Header>
      <Card.Body>
        {failure ? (
          <Alert variant="danger" className="mb-3">
            {t('actions.failed')} {getErrorMessage(failure, common.t)}
          </Alert>
        ) : null}
        {body}
      </Card.Body>
    </Card>
  );
}

function History({ highlight }: { highlight: number | null }) {
  const { t, i18n } = useAlertsTranslation();
  const common = useTranslation();
  const [filters, setFilters] = useState<AlertFilters>(EMPTY_FILTERS);
  const [subject, setSubject] = useState('');
  const alerts = useAlerts(filters);
  const change = (next: Partial<AlertFilters>) => setFilters({ ...filters, ...next, page: 1 });
  const subjectValid = subject === '' || /^(instance|server|jobs):[A-Za-z0-9_-]{1,40}$/.test(subject);

  let body;
  if (alerts.isPending) body = <LoadingState />;
  else if (alerts.isError) body = <ErrorState error={alerts.error} onRetry={() => void alerts.refetch()} />;
  else if (alerts.data.items.length === 0) body = <EmptyState icon="bell" title={t('history.empty')} />;
  else
    body = (
      <>
        <TableScroll label={t('history.tableLabel')}>
          <Table hover size="sm" className="align-middle mb-0">
            <thead>
              <tr>
                <th scope="col">{t('history.columns.started')}</th>
                <th scope="col">{t('history.columns.rule')}</th>
                <th scope="col">{t('history.columns.subject')}</th>
                <th scope="col">{t('history.columns.state')}</th>
                <th scope="col">{t('history.columns.detail')}</th>
                <th scope="col">{t('history.columns.resolved')}</th>
                <th scope="col" className="text-end">
                  {t('history.columns.notices')}
                </th>
              </tr>
            </thead>
            <tbody>
              {alerts.data.items.map((alert: AlertRead) => (
                <tr key={alert.id} data-testid="alert-row" className={alert.id === highlight ? 'table-warning' : undefined}>
                  <td className="small text-nowrap">{formatDateTime(alert.started_at, i18n.language)}</td>
                  <td>{t(`rules.${alert.rule}`)}</td>
                  <td className="small">{alert.subject_label}</td>
                  <td>
                    <Badge bg={STATE_VARIANT[alert.state]}>{t(`state.${alert.state}`)}</Badge>
                  </td>
                  <td className="small text-break" style={{ maxWidth: '22rem' }}>
                    {describeAlert(alert, common.t, i18n.language)}
                  </td>
                  <td className="small text-nowrap">
                    {alert.resolved_at ? formatDateTime(alert.resolved_at, i18n.language) : '—'}
                  </td>
                  <td className="text-end">{alert.notifications}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        </TableScroll>
        <Pager
          page={filters.page}
          pageSize={ALERTS_PAGE_SIZE}
          total={alerts.data.total}
          onPageChange={(page) => setFilters({ ...filters, page })}
        />
      </>
    );

  return (
    <section className="mb-4" aria-labelledby="alerts-history-title">
      <h2 id="alerts-history-title" className="h5">
        {t('history.title')}
      </h2>
      <Form
        className="row g-2 align-items-end mb-3"
        onSubmit={(submit) => {
          submit.preventDefault();
          if (subjectValid) change({ subject });
        }}
      >
        <Form.Group className="col-sm-6 col-lg-3" controlId="alerts-rule">
          <Form.Label className="small mb-1">{t('filters.rule')}</Form.Label>
          <Form.Select value={filters.rule} onChange={(e) => change({ rule: e.target.value as RuleKind | '' })}>
            <option value="">{t('filters.anyRule')}</option>
            {RULES.map((rule) => (
              <option key={rule} value={rule}>
                {t(`rules.${rule}`)}
              </option>
            ))}
          </Form.Select>
        </Form.Group>
        <Form.Group className="col-sm-6 col-lg-3" controlId="alerts-state">
          <Form.Label className="small mb-1">{t('filters.state')}</Form.Label>
          <Form.Select value={filters.state} onChange={(e) => change({ state: e.target.value as AlertState | '' })}>
            <option value="">{t('filters.anyState')}</option>
            {STATES.map((state) => (
              <option key={state} value={state}>
                {t(`state.${state}`)}
              </option>
            ))}
          </Form.Select>
        </Form.Group>
        <Form.Group className="col-sm-8 col-lg-3" controlId="alerts-subject">
          <Form.Label className="small mb-1">{t('filters.subject')}</Form.Label>
          <Form.Control
            value={subject}
            placeholder={t('filters.subjectPlaceholder')}
            isInvalid={!subjectValid}
            maxLength={64}
            onChange={(e) => setSubject(e.target.value.trim())}
            onBlur={() => subjectValid && change({ subject })}
          />
        </Form.Group>
        <div className="col-sm-4 col-lg-3">
          <Button
            variant="outline-secondary"
            onClick={() => {
              setSubject('');
              setFilters(EMPTY_FILTERS);
            }}
          >
            {t('filters.clear')}
          </Button>
        </div>
      </Form>
      {body}
    </section>
  );
}
