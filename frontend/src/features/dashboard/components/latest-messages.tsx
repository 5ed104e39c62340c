import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { Icon } from '@/components/ui/icon';
import { paths } from '@/config/paths';

import type { Overview } from '../api/get-overview';
import { DASHBOARD_NS } from '../locales';
import { ListCard } from './list-card';
import { RelativeTime } from './relative-time';

type Message = Overview['latest_messages'][number];

/** What to show for a message: its text, or "[imagem]" and the like. */
function useMessagePreview() {
  const { t } = useTranslation(DASHBOARD_NS);
  return (message: Message) => {
    const text = message.text?.trim();
    if (text) return text;
    const type = t(`latestMessages.types.${message.message_type}`, {
      defaultValue: t('latestMessages.types.other'),
    });
    return t('latestMessages.noText', { type });
  };
}

export const LatestMessages = memo(function LatestMessages({
  overview,
  now,
}: {
  overview: Overview;
  now: number;
}) {
  const { t } = useTranslation(DASHBOARD_NS);
  const preview = useMessagePreview();
  const items = overview.latest_messages;
  return (
    <ListCard
      title={t('latestMessages.title')}
      headingId="latest-messages-title"
      icon="chat-dots"
      empty={t('latestMessages.empty')}
      isEmpty={items.length === 0}
      more={{ to: paths.messages.getHref(), label: t('latestMessages.all') }}
      fill
    >
      {items.map((message) => {
        const incoming = message.direction !== 'out';
        const who =
          message.sender_name ?? message.sender_phone ?? t('latestMessages.unknownSender');
        return (
          <li key={message.id} className="list-group-item d-flex gap-2">
            <span
              className={`message-direction ${incoming ? 'message-in' : 'message-out'}`}
              title={incoming ? t('latestMessages.incoming') : t('latestMessages.outgoing')}
            >
              <Icon name={incoming ? 'arrow-down-left' : 'arrow-up-right'} />
              <span className="visually-hidden">
                {incoming ? t('latestMessages.incoming') : t('latestMessages.outgoing')}
              </span>
            </span>
            <div className="flex-grow-1 min-w-0">
              <div className="d-flex align-items-baseline gap-2">
                <Link to={paths.message.getHref(message.id)} className="fw-semibold text-truncate">
                  {who}
                </Link>
                {message.is_allowed ? null : (
                  <span className="badge text-bg-danger">{t('latestMessages.blocked')}</span>
                )}
                <span className="ms-auto small text-body-secondary text-nowrap">
                  <RelativeTime value={message.wa_timestamp} now={now} />
                </span>
              </div>
              <p className="mb-0 small text-truncate">{preview(message)}</p>
              <Link
                to={paths.instance.getHref(message.instance_id)}
                className="small text-body-secondary"
              >
                {message.instance_name}
              </Link>
            </div>
          </li>
        );
      })}
    </ListCard>
  );
});
