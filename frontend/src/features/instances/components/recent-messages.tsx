import Card from 'react-bootstrap/Card';
import { Link } from 'react-router';

import { Icon } from '@/components/ui/icon';
import { LoadingState } from '@/components/ui/loading-state';
import { paths } from '@/config/paths';
import { formatDateTime, formatRelativeTime } from '@/lib/format';
import { excerpt, formatPhone } from '@/lib/format-br';

import { useRecentMessages } from '../api/instance-messages';
import { useInstancesTranslation } from '../locales';
import { InstanceError } from './instance-error';

/** The instance's latest messages, live, with a link to the full list in Mensagens. */
export function RecentMessages({ instanceId }: { instanceId: number }) {
  const { t, i18n } = useInstancesTranslation();
  const messages = useRecentMessages(instanceId);
  const allHref = `${paths.messages.getHref()}?instance=${String(instanceId)}`;

  let body;
  if (messages.isPending) body = <LoadingState />;
  else if (messages.isError) {
    body = <InstanceError error={messages.error} onRetry={() => void messages.refetch()} />;
  } else if (messages.data.items.length === 0) {
    body = <p className="text-body-secondary small mb-0">{t('messages.empty')}</p>;
  } else {
    body = (
      <ul className="list-unstyled mb-0 recent-messages">
        {messages.data.items.map((message) => {
          const incoming = message.direction === 'in';
          const who = incoming
            ? (message.sender_name ?? formatPhone(message.sender_phone ?? message.remote_jid))
            : formatPhone(message.remote_jid.split('@')[0] ?? message.remote_jid);
          const text =
            excerpt(message.text, 160) || t('messages.media', { type: message.message_type });
          return (
            <li key={message.id} className="py-2 border-bottom">
              <div className="d-flex flex-wrap align-items-center gap-2 small">
                <span className={`badge ${incoming ? 'text-bg-info' : 'text-bg-secondary'}`}>
                  {incoming ? t('messages.incoming') : t('messages.outgoing')}
                </span>
                {!message.is_allowed ? (
                  <span className="badge text-bg-warning">{t('messages.blocked')}</span>
                ) : null}
                <span className="fw-semibold text-truncate">{who}</span>
                <time
                  className="ms-auto text-body-secondary"
                  dateTime={message.wa_timestamp}
                  title={formatDateTime(message.wa_timestamp, i18n.language)}
                >
                  {formatRelativeTime(message.wa_timestamp, i18n.language)}
                </time>
              </div>
              <p className="mb-0 mt-1 text-break">{text}</p>
            </li>
          );
        })}
      </ul>
    );
  }

  return (
    <Card className="mb-4">
      <Card.Header className="d-flex align-items-center gap-2 bg-transparent">
        <Icon name="chat-dots" />
        <h2 className="h6 mb-0 me-auto">{t('messages.title')}</h2>
        <Link to={allHref} className="small">
          {t('messages.all')}
        </Link>
      </Card.Header>
      <Card.Body>{body}</Card.Body>
    </Card>
  );
}
