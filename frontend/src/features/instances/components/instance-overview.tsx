import type { ReactNode } from 'react';
import Card from 'react-bootstrap/Card';

import { formatDateTime, formatRelativeTime } from '@/lib/format';
import { formatPhone, phoneDigits } from '@/lib/format-br';

import type { Instance } from '../api/get-instances';
import { useInstancesTranslation } from '../locales';
import { InstanceAvatar } from './instance-avatar';

export interface InstanceOverviewProps {
  instance: Instance;
  serverName?: string;
}

function When({ value, locale }: { value: string; locale: string }) {
  return (
    <time dateTime={value} title={formatDateTime(value, locale)}>
      {`${formatDateTime(value, locale)} (${formatRelativeTime(value, locale)})`}
    </time>
  );
}

/** The WhatsApp profile (picture, name, number) and the instance's key facts. */
export function InstanceOverview({ instance, serverName }: InstanceOverviewProps) {
  const { t, i18n } = useInstancesTranslation();
  const locale = i18n.language;
  const owner = formatPhone(phoneDigits(instance.owner_jid));
  const hasProfile = Boolean(instance.profile_name || owner || instance.profile_picture_url);
  const none = <span className="text-body-secondary">{t('detail.none')}</span>;

  const facts: [string, ReactNode][] = [
    [t('detail.technicalName'), <span className="font-monospace">{instance.name}</span>],
    [t('detail.server'), serverName ?? `#${String(instance.server_id)}`],
    [t('detail.phone'), instance.phone_number ? formatPhone(instance.phone_number) : none],
    [
      t('detail.connectedAt'),
      instance.status === 'open' && instance.connected_at ? (
        <When value={instance.connected_at} locale={locale} />
      ) : (
        none
      ),
    ],
    [
      t('detail.lastSync'),
      instance.last_status_sync_at ? (
        <When value={instance.last_status_sync_at} locale={locale} />
      ) : (
        t('detail.never')
      ),
    ],
    [
      t('detail.token'),
      instance.token_last4 ? (
        <span className="font-monospace">
          {`••••${instance.token_last4}`}
          <span className="visually-hidden">
            {t('detail.tokenMasked', { last4: instance.token_last4 })}
          </span>
        </span>
      ) : (
        none
      ),
    ],
    [t('detail.createdAt'), <When value={instance.created_at} locale={locale} />],
  ];

  return (
    <Card className="mb-4">
      <Card.Body>
        <section
          aria-labelledby="instance-profile-title"
          className="d-flex align-items-center gap-3 mb-3"
        >
          <InstanceAvatar
            name={instance.profile_name ?? instance.display_name}
            pictureUrl={instance.profile_picture_url}
            size={72}
            alt={t('detail.profilePicture', {
              name: instance.profile_name ?? instance.display_name,
            })}
          />
          <div className="min-w-0">
            <h2 id="instance-profile-title" className="h6 text-body-secondary mb-1">
              {t('detail.profile')}
            </h2>
            {hasProfile ? (
              <>
                <p className="fw-semibold fs-5 mb-0 text-truncate" data-testid="profile-name">
                  {instance.profile_name ?? instance.display_name}
                </p>
                <p className="mb-0">
                  <span className="visually-hidden">{`${t('detail.owner')}: `}</span>
                  {owner || none}
                </p>
              </>
            ) : (
              <p className="mb-0 text-body-secondary small">{t('detail.noProfile')}</p>
            )}
          </div>
        </section>

        {instance.last_error ? (
          <div className="alert alert-warning py-2 small" role="note">
            <strong>{`${t('detail.lastError')}: `}</strong>
            {instance.last_error}
          </div>
        ) : null}
        {instance.disconnection_reason !== null && instance.status !== 'open' ? (
          <p className="small text-body-secondary">
            {t('detail.reason', { code: instance.disconnection_reason })}
          </p>
        ) : null}

        <dl className="row mb-0 instance-facts">
          {facts.map(([label, value]) => (
            <div key={label} className="col-sm-6 mb-2">
              <dt className="small text-body-secondary fw-normal">{label}</dt>
              <dd className="mb-0 text-break">{value}</dd>
            </div>
          ))}
        </dl>
      </Card.Body>
    </Card>
  );
}
