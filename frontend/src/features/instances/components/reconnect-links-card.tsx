import { useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Badge from 'react-bootstrap/Badge';
import Button from 'react-bootstrap/Button';
import Card from 'react-bootstrap/Card';

import { Icon } from '@/components/ui/icon';
import { LoadingState } from '@/components/ui/loading-state';
import { formatDateTime, formatRelativeTime } from '@/lib/format';

import type { Instance } from '../api/get-instances';
import { type ReconnectLink, useReconnectLinks, useRevokeReconnectLink } from '../api/reconnect-links';
import { useInstancesTranslation } from '../locales';
import { FeatureIcon } from './feature-icon';
import { InstanceError } from './instance-error';
import { ReconnectLinkDialog } from './reconnect-link-dialog';

export interface ReconnectLinksCardProps {
  instance: Instance;
}

/** Operators' customer reconnect links: create (shown once), list the active ones, revoke. */
export function ReconnectLinksCard({ instance }: ReconnectLinksCardProps) {
  const { t } = useInstancesTranslation();
  const links = useReconnectLinks(instance.id);
  const revoke = useRevokeReconnectLink(instance.id);
  const [open, setOpen] = useState(false);
  const [revoked, setRevoked] = useState(false);
  const active = links.data?.filter((link) => link.active) ?? [];

  let body;
  if (links.isPending) body = <LoadingState />;
  else if (links.isError)
    body = <InstanceError error={links.error} title={t('reconnect.loadFailed')} onRetry={() => void links.refetch()} />;
  else if (active.length === 0) body = <p className="text-body-secondary small mb-0">{t('reconnect.empty')}</p>;
  else
    body = (
      <ul className="list-unstyled mb-0 d-grid gap-3" aria-label={t('reconnect.listLabel')}>
        {active.map((link) => (
          <LinkItem
            key={link.id}
            link={link}
            busy={revoke.isPending && revoke.variables === link.id}
            onRevoke={() => {
              setRevoked(false);
              revoke.mutate(link.id, { onSuccess: () => setRevoked(true) });
            }}
          />
        ))}
      </ul>
    );

  return (
    <Card className="mt-4" data-testid="reconnect-links-card">
      <Card.Header className="d-flex flex-wrap align-items-center gap-2 bg-transparent">
        <FeatureIcon name="link-45deg" />
        <h2 className="h6 mb-0 me-auto">{t('reconnect.title')}</h2>
        <Button size="sm" variant="outline-primary" className="text-nowrap" onClick={() => setOpen(true)}>
          <Icon name="plus-lg" className="me-1" />
          {t('reconnect.new')}
        </Button>
      </Card.Header>
      <Card.Body>
        <p className="small text-body-secondary">{t('reconnect.help')}</p>
        <div aria-live="polite">
          {revoked ? (
            <Alert variant="success" className="small py-2" dismissible onClose={() => setRevoked(false)}>
              {t('reconnect.revoked')}
            </Alert>
          ) : null}
          {revoke.isError ? (
            <InstanceError error={revoke.error} title={t('reconnect.revokeFailed')} className="small py-2" />
          ) : null}
        </div>
        {body}
      </Card.Body>
      <ReconnectLinkDialog instance={instance} show={open} onHide={() => setOpen(false)} />
    </Card>
  );
}

function LinkItem({ link, busy, onRevoke }: { link: ReconnectLink; busy: boolean; onRevoke: () => void }) {
  const { t, i18n } = useInstancesTranslation();
  const lang = i18n.language;
  const created = formatRelativeTime(link.created_at, lang);
  return (
    <li data-testid="reconnect-link" className="d-flex flex-wrap align-items-start gap-2">
      <div className="me-auto">
        <div className="d-flex flex-wrap gap-1 mb-1">
          <Badge bg="secondary">{link.single_use ? t('reconnect.singleUse') : t('reconnect.untilConnected')}</Badge>
          {link.pin_protected ? <Badge bg="info" text="dark">{t('reconnect.pin')}</Badge> : null}
          {link.opened_at ? <Badge bg="warning" text="dark">{t('reconnect.opened')}</Badge> : null}
        </div>
        <div className="small">
          <time dateTime={link.expires_at}>
            {t('reconnect.expires', { when: formatDateTime(link.expires_at, lang) })}
          </time>
          {' · '}
          <time dateTime={link.created_at} title={formatDateTime(link.created_at, lang)} className="text-body-secondary">
            {t('reconnect.created', { when: created })}
          </time>
        </div>
      </div>
      <Button
        size="sm"
        variant="outline-danger"
        disabled={busy}
        onClick={onRevoke}
        aria-label={t('reconnect.revokeNamed', { when: created })}
      >
        {t('reconnect.revoke')}
      </Button>
    </li>
  );
}
