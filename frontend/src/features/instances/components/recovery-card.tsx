import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Card from 'react-bootstrap/Card';
import ProgressBar from 'react-bootstrap/ProgressBar';
import Spinner from 'react-bootstrap/Spinner';

import { Icon } from '@/components/ui/icon';
import { LoadingState } from '@/components/ui/loading-state';
import { formatDateTime, formatRelativeTime } from '@/lib/format';

import { type RecoveryRun, useRecover, useRecoveries } from '../api/recovery';
import { useInstanceErrorMessage } from '../hooks/use-instance-error-message';
import { useInstancesTranslation } from '../locales';
import { InstanceError } from './instance-error';

const SHOWN = 5;
// text-bg-* picks a readable text colour for each background (white on cyan would be 1.95:1).
const STATUS_VARIANT = {
  running: 'text-bg-info',
  succeeded: 'text-bg-success',
  failed: 'text-bg-danger',
} as const;

export interface RecoveryCardProps {
  instanceId: number;
  canOperate: boolean;
  /** How often a running pass's progress is read again. */
  pollIntervalMs?: number;
}

/** Recovery passes of the instance (newest first), live progress, and the button. */
export function RecoveryCard({ instanceId, canOperate, pollIntervalMs }: RecoveryCardProps) {
  const { t } = useInstancesTranslation();
  const describeError = useInstanceErrorMessage();
  const runs = useRecoveries(instanceId, pollIntervalMs);
  const recover = useRecover(instanceId);
  const running = runs.data?.some((run) => run.status === 'running') ?? false;

  let body;
  if (runs.isPending) {
    body = <LoadingState />;
  } else if (runs.isError) {
    body = <InstanceError error={runs.error} onRetry={() => void runs.refetch()} />;
  } else if (runs.data.length === 0) {
    body = <p className="text-body-secondary small mb-0">{t('recovery.empty')}</p>;
  } else {
    body = (
      <ul className="list-unstyled mb-0 d-grid gap-3" aria-label={t('recovery.title')}>
        {runs.data.slice(0, SHOWN).map((run) => (
          <RecoveryItem key={run.id} run={run} />
        ))}
      </ul>
    );
  }

  return (
    <Card className="mt-4" data-testid="recovery-card">
      <Card.Header className="d-flex flex-wrap align-items-center gap-2 bg-transparent">
        <Icon name="clock-history" />
        <h2 className="h6 mb-0 me-auto">{t('recovery.title')}</h2>
        {canOperate ? (
          <Button
            size="sm"
            variant="outline-primary"
            className="text-nowrap"
            disabled={running || recover.isPending}
            onClick={() => recover.mutate()}
          >
            {running || recover.isPending ? (
              <Spinner animation="border" size="sm" aria-hidden="true" className="me-1" />
            ) : (
              <Icon name="inbox" className="me-1" />
            )}
            {running ? t('recovery.running') : t('recovery.run')}
          </Button>
        ) : null}
      </Card.Header>
      <Card.Body>
        <p className="small text-body-secondary">{t('recovery.help')}</p>
        {recover.isError ? (
          <Alert variant="danger" className="small py-2">
            {t('recovery.failed')} {describeError(recover.error).message}
          </Alert>
        ) : null}
        {body}
      </Card.Body>
    </Card>
  );
}

function RecoveryItem({ run }: { run: RecoveryRun }) {
  const { t, i18n } = useInstancesTranslation();
  const total = run.pages_total ?? 0;
  const percent = total > 0 ? Math.round((100 * run.pages_done) / total) : 0;
  return (
    <li data-testid="recovery-run">
      <div className="d-flex flex-wrap align-items-center gap-2">
        <span className={`badge ${STATUS_VARIANT[run.status]}`}>
          {t(`recovery.statuses.${run.status}`)}
        </span>
        <span className="fw-semibold" data-testid="recovery-summary">
          {t('recovery.summary', { found: run.found, new: run.new })}
        </span>
        <span className="small text-body-secondary">
          {t(`recovery.triggers.${run.trigger}`)}
          {' · '}
          <time dateTime={run.started_at} title={formatDateTime(run.started_at, i18n.language)}>
            {formatRelativeTime(run.started_at, i18n.language)}
          </time>
        </span>
      </div>
      <div className="small text-body-secondary mt-1">
        {t('recovery.window', { since: formatDateTime(run.since, i18n.language) })}
      </div>
      {run.status === 'running' ? (
        // The bar as a child: only then does react-bootstrap put aria-label on the element
        // whose role is progressbar (a bar with no pages counted yet has no visible label).
        <ProgressBar className="mt-2">
          <ProgressBar
            animated
            now={percent}
            aria-label={t('recovery.progressName')}
            label={total > 0 ? t('recovery.progress', { done: run.pages_done, total }) : undefined}
          />
        </ProgressBar>
      ) : null}
      {run.error ? <div className="small text-danger mt-1 text-break">{run.error}</div> : null}
    </li>
  );
}
