import { useState } from 'react';
import Button from 'react-bootstrap/Button';

import { Icon } from '@/components/ui/icon';

import { useAlertsTranslation } from '../i18n';
import {
  enableNotifications,
  notificationSupport,
  notificationsWanted,
  type NotifyPermission,
  setNotificationsWanted,
} from '../lib/browser-notifications';

/** Opt in (or out) of system notifications for alerts, for this user on this device. */
export function BrowserNotifications({ userId }: { userId: number }) {
  const { t } = useAlertsTranslation();
  const [permission, setPermission] = useState<NotifyPermission>(notificationSupport);
  const [wanted, setWanted] = useState(() => notificationsWanted(userId));

  if (permission === 'unsupported') {
    return <span className="small text-body-secondary">{t('browser.unsupported')}</span>;
  }
  if (permission === 'denied') {
    return <span className="small text-body-secondary">{t('browser.denied')}</span>;
  }
  const on = wanted && permission === 'granted';
  return (
    <div className="d-flex flex-column align-items-sm-end gap-1">
      <Button
        variant={on ? 'outline-secondary' : 'outline-primary'}
        aria-pressed={on}
        onClick={() => {
          if (on) {
            setNotificationsWanted(userId, false);
            setWanted(false);
            return;
          }
          void enableNotifications(userId).then((answer) => {
            setPermission(answer);
            setWanted(answer === 'granted');
          });
        }}
      >
        <Icon name={on ? 'bell-fill' : 'bell'} className="me-1" />
        {on ? t('browser.disable') : t('browser.enable')}
      </Button>
      {on ? <span className="small text-body-secondary">{t('browser.on')}</span> : null}
    </div>
  );
}
