import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Card from 'react-bootstrap/Card';
import Spinner from 'react-bootstrap/Spinner';

import { Icon } from '@/components/ui/icon';
import { formatRelativeTime } from '@/lib/format';

import type { Instance } from '../api/get-instances';
import { useInstanceAction, useSyncInstance } from '../api/instance-actions';
import { describeDrift } from '../lib/describe-drift';
import { useInstancesTranslation } from '../locales';
import { FeatureIcon } from './feature-icon';
import { InstanceError } from './instance-error';

export interface WebhookCardProps {
  instance: Instance;
  canOperate: boolean;
}

/** Is the webhook on Evolution still ours? Drift is explained, with a re-apply button. */
export function WebhookCard({ instance, canOperate }: WebhookCardProps) {
  const { t, i18n } = useInstancesTranslation();
  const reapply = useInstanceAction();
  const check = useSyncInstance();
  const drift = instance.webhook_drift;
  const busy = reapply.isPending || check.isPending;

  return (
    <Card className="mb-4">
      <Card.Header className="d-flex align-items-center gap-2 bg-transparent">
        <FeatureIcon name="link-45deg" />
        <h2 className="h6 mb-0">{t('webhook.title')}</h2>
      </Card.Header>
      <Card.Body>
        {drift ? (
          <Alert variant="warning" className="mb-3" data-testid="webhook-drift">
            <div className="d-flex gap-2">
              <Icon name="exclamation-triangle" className="flex-shrink-0 mt-1" />
              <div>
                <strong className="d-block">{t('webhook.drift')}</strong>
                <ul className="mb-1 small ps-3">
                  {describeDrift(drift, t).map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
                <span className="small">{t('webhook.driftHelp')}</span>
              </div>
            </div>
          </Alert>
        ) : instance.webhook_checked_at ? (
          <p className="text-success-emphasis mb-2">
            <Icon name="check-circle-fill" className="me-2" />
            {t('webhook.ok')}
          </p>
        ) : (
          <p className="text-body-secondary mb-2">{t('webhook.neverChecked')}</p>
        )}
        {instance.webhook_checked_at ? (
          <p className="small text-body-secondary">
            {t('webhook.checkedAt', {
              when: formatRelativeTime(instance.webhook_checked_at, i18n.language),
            })}
          </p>
        ) : null}

        <dl className="small mb-3">
          <dt className="text-body-secondary fw-normal">{t('webhook.events')}</dt>
          <dd className="d-flex flex-wrap gap-1">
            {instance.webhook_events.map((event) => (
              <span key={event} className="badge text-bg-light border font-monospace fw-normal">
                {event}
              </span>
            ))}
          </dd>
        </dl>

        {reapply.isError ? <InstanceError error={reapply.error} className="small" /> : null}
        {check.isError ? <InstanceError error={check.error} className="small" /> : null}

        {canOperate && !instance.deleted_at ? (
          <div className="d-flex flex-wrap gap-2">
            <Button
              variant={drift ? 'warning' : 'outline-primary'}
              size="sm"
              disabled={busy}
              onClick={() => reapply.mutate({ id: instance.id, action: 'webhook' })}
            >
              {reapply.isPending ? (
                <Spinner animation="border" size="sm" aria-hidden="true" className="me-1" />
              ) : (
                <Icon name="arrow-repeat" className="me-1" />
              )}
              {reapply.isPending ? t('webhook.reapplying') : t('webhook.reapply')}
            </Button>
            <Button
              variant="outline-secondary"
              size="sm"
              disabled={busy}
              onClick={() => check.mutate(instance.id)}
            >
              {check.isPending ? (
                <Spinner animation="border" size="sm" aria-hidden="true" className="me-1" />
              ) : null}
              {check.isPending ? t('webhook.checking') : t('webhook.check')}
            </Button>
          </div>
        ) : null}
      </Card.Body>
    </Card>
  );
}
