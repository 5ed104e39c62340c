import type { ReactNode } from 'react';
import Spinner from 'react-bootstrap/Spinner';
import { Link } from 'react-router';

import type { MessageRead } from '@/api/generated/types.gen';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';
import { SvgIcon } from '@/components/ui/svg-icon';
import { paths } from '@/config/paths';
import { formatDateTime } from '@/lib/format';

import { mayHaveJob, useMessageJob } from '../api/get-message-job';
import { useMessagesTranslation } from '../i18n';
import { counterpart, formatJid, messageType } from '../lib/display';
import { icons } from './icons';
import { MessageTypeIcon } from './message-type-icon';
import { RawPayload } from './raw-payload';

const DELIVERY_VARIANTS: Record<string, string> = {
  ERROR: 'text-bg-danger',
  PENDING: 'text-bg-secondary',
  SERVER_ACK: 'text-bg-info',
  DELIVERY_ACK: 'text-bg-primary',
  READ: 'text-bg-success',
  PLAYED: 'text-bg-success',
};

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="col-sm-4 text-body-secondary fw-normal">{label}</dt>
      <dd className="col-sm-8 text-break">{children}</dd>
    </>
  );
}

export interface MessageDetailProps {
  message: MessageRead;
  instanceName: string;
  /** Admins see the raw Evolution payload. */
  canSeeRaw: boolean;
}

/** Everything about one message: content, people, delivery, allow-list, job, raw payload. */
export function MessageDetail({ message, instanceName, canSeeRaw }: MessageDetailProps) {
  const { t, i18n } = useMessagesTranslation();
  const type = messageType(message.message_type);
  const { name, number } = counterpart(message);
  const status = message.status ?? '';
  const deliveryLabel = status
    ? t(`delivery.${status}`, { defaultValue: status })
    : t('delivery.none');

  return (
    <article>
      <header className="d-flex gap-3 align-items-center mb-3">
        <MessageTypeIcon type={type} blocked={!message.is_allowed} />
        <div className="min-w-0">
          <p className="fw-semibold mb-0 text-truncate">
            {message.direction === 'out' ? t('list.fromMe') : name || number}
          </p>
          <p className="small text-body-secondary mb-0">
            {message.direction === 'in' && name ? `${number} · ` : ''}
            {formatDateTime(message.wa_timestamp, i18n.language)}
          </p>
        </div>
      </header>

      {message.deleted_at ? (
        <div className="alert alert-warning py-2 small">
          {t('detail.deletedAt', { time: formatDateTime(message.deleted_at, i18n.language) })}
        </div>
      ) : null}
      {!message.is_allowed ? (
        <div className="alert alert-danger py-2 small d-flex gap-2">
          <SvgIcon svg={icons.slashCircle} className="mt-1" />
          <span>{t('allowList.body')}</span>
        </div>
      ) : null}

      <section className="mb-3">
        <h3 className="h6">{t('detail.text')}</h3>
        <div className="message-bubble">
          {message.text ? (
            <p className="mb-0 message-full-text">{message.text}</p>
          ) : (
            <p className="mb-0 fst-italic text-body-secondary">{t(`types.${type}`)}</p>
          )}
        </div>
      </section>

      <dl className="row small mb-0">
        <Field label={t('detail.instance')}>{instanceName}</Field>
        <Field label={t('detail.direction')}>{t(`direction.${message.direction}`)}</Field>
        <Field label={t('detail.type')}>
          {t(`types.${type}`)}
          {message.media_mimetype ? (
            <span className="text-body-secondary"> · {message.media_mimetype}</span>
          ) : null}
        </Field>
        <Field label={t('detail.sender')}>
          {name ? `${name} · ` : ''}
          {message.direction === 'in' ? number : formatJid(message.remote_jid)}
        </Field>
        {message.is_group ? (
          <Field label={t('detail.chat')}>
            <code>{message.remote_jid}</code>
          </Field>
        ) : null}
        <Field label={t('detail.status')}>
          <span className={`badge ${DELIVERY_VARIANTS[status] ?? 'text-bg-light border'}`}>
            {deliveryLabel}
          </span>
        </Field>
        <Field label={t('detail.allowList')}>
          {message.is_allowed ? (
            <span className="badge text-bg-success">{t('detail.allowed')}</span>
          ) : (
            <span className="badge text-bg-danger">{t('detail.blocked')}</span>
          )}
        </Field>
        <Field label={t('detail.waTime')}>
          {formatDateTime(message.wa_timestamp, i18n.language)}
        </Field>
        <Field label={t('detail.receivedAt')}>
          {formatDateTime(message.created_at, i18n.language)}
        </Field>
        <Field label={t('detail.messageId')}>
          <code>{message.message_id}</code>
        </Field>
        {mayHaveJob(message) ? (
          <Field label={t('detail.job')}>
            <MessageJobLink message={message} />
          </Field>
        ) : null}
      </dl>

      {canSeeRaw ? <RawPayload messageId={message.id} /> : null}
    </article>
  );
}

function MessageJobLink({ message }: { message: MessageRead }) {
  const { t } = useMessagesTranslation();
  const job = useMessageJob(message);
  if (job.isPending) {
    return <Spinner animation="border" size="sm" role="status" aria-label={t('detail.loading')} />;
  }
  if (job.isError) return <span className="text-danger">{t('detail.jobLookupFailed')}</span>;
  if (!job.data) return <span className="text-body-secondary">{t('detail.noJob')}</span>;
  return (
    <Link to={paths.job.getHref(job.data.id)}>
      <SvgIcon svg={icons.boxArrowUpRight} className="me-1" />
      {t('detail.openJob', { id: job.data.id })}
    </Link>
  );
}

/** The detail's own loading and error states. */
export function MessageDetailStates({
  isPending,
  error,
  onRetry,
}: {
  isPending: boolean;
  error: unknown;
  onRetry: () => void;
}) {
  const { t } = useMessagesTranslation();
  if (isPending) return <LoadingState label={t('detail.loading')} />;
  return <ErrorState error={error} onRetry={onRetry} />;
}
