import { memo } from 'react';
import { Link } from 'react-router';

import type { MessageRead } from '@/api/generated/types.gen';
import { SvgIcon } from '@/components/ui/svg-icon';
import { paths } from '@/config/paths';
import { formatDateTime } from '@/lib/format';
import { excerpt } from '@/lib/format-br';

import { useMessagesTranslation } from '../i18n';
import { counterpart, messageType } from '../lib/display';
import { icons } from './icons';
import { MessageTypeIcon } from './message-type-icon';

export interface MessageRowProps {
  message: MessageRead;
  instanceName: string;
  /** The current query string, kept when opening the message (filters stay). */
  search: string;
  active?: boolean;
}

/** One message in the list: who, when, where, what; the whole row opens the detail. */
export const MessageRow = memo(function MessageRow({
  message,
  instanceName,
  search,
  active = false,
}: MessageRowProps) {
  const { t, i18n } = useMessagesTranslation();
  const { name, number } = counterpart(message);
  const time = formatDateTime(message.wa_timestamp, i18n.language);
  const type = messageType(message.message_type);
  const who =
    message.direction === 'out' ? t('list.fromMe') : name || number || t('list.unknownSender');
  const text = message.deleted_at ? null : excerpt(message.text, 160);

  return (
    <li
      className={`list-group-item message-row p-0 ${message.is_allowed ? '' : 'message-row-blocked'} ${
        active ? 'active-row' : ''
      }`}
      data-testid="message-row"
      data-message-id={message.id}
    >
      <Link
        to={paths.message.getHref(message.id, search)}
        className="d-flex gap-3 p-3 text-reset text-decoration-none message-row-link"
        aria-label={t('list.open', { sender: name || number || who, time })}
        aria-current={active ? 'true' : undefined}
      >
        <MessageTypeIcon type={type} blocked={!message.is_allowed} />
        <div className="flex-grow-1 min-w-0">
          <div className="d-flex flex-wrap align-items-baseline column-gap-2">
            <span className="fw-semibold text-truncate message-sender">{who}</span>
            {message.direction === 'in' && name && number ? (
              <span className="text-body-secondary small text-nowrap">{number}</span>
            ) : null}
            {message.direction === 'out' && number ? (
              <span className="text-body-secondary small text-nowrap">
                <SvgIcon svg={icons.arrowUpRight} className="me-1" />
                {number}
              </span>
            ) : null}
            <time
              className="ms-auto small text-body-secondary text-nowrap"
              dateTime={message.wa_timestamp}
            >
              {time}
            </time>
          </div>
          <div className="d-flex flex-wrap align-items-center gap-2 small mt-1">
            <span
              className={`badge rounded-pill ${
                message.direction === 'in'
                  ? 'bg-body-tertiary text-body-emphasis border'
                  : 'bg-primary-subtle text-primary-emphasis'
              }`}
            >
              <SvgIcon
                svg={message.direction === 'in' ? icons.arrowDownLeft : icons.arrowUpRight}
                className="me-1"
              />
              {t(`direction.${message.direction}`)}
            </span>
            <span className="text-body-secondary text-truncate message-instance">
              {instanceName}
            </span>
            <span className="visually-hidden">{t(`types.${type}`)}</span>
            {message.is_group ? (
              <span className="badge rounded-pill text-bg-secondary">
                <SvgIcon svg={icons.people} className="me-1" />
                {t('list.group')}
              </span>
            ) : null}
            {!message.is_allowed ? (
              <span className="badge rounded-pill text-bg-danger" title={t('list.blockedTitle')}>
                <SvgIcon svg={icons.slashCircle} className="me-1" />
                {t('list.blocked')}
              </span>
            ) : null}
            {message.deleted_at ? (
              <span className="badge rounded-pill text-bg-warning">{t('list.deleted')}</span>
            ) : null}
          </div>
          <p
            className={`mb-0 mt-1 message-excerpt ${text ? '' : 'fst-italic text-body-secondary'}`}
          >
            {text || (message.deleted_at ? t('list.deleted') : t(`types.${type}`))}
          </p>
        </div>
      </Link>
    </li>
  );
});
