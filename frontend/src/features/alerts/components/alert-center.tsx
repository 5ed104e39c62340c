import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import Badge from 'react-bootstrap/Badge';
import Toast from 'react-bootstrap/Toast';
import ToastContainer from 'react-bootstrap/ToastContainer';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import type { AlertRead } from '@/api/generated/types.gen';
import { Icon } from '@/components/ui/icon';
import { paths } from '@/config/paths';
import { EVENT, RECONNECTED, useRealtimeEvent } from '@/lib/realtime';

import { alertsKeys, useAlertSummary } from '../api/alerts';
import { notify } from '../lib/browser-notifications';
import { describeAlert } from '../lib/describe';

/** Toasts shown at once (the oldest leaves first). */
const MAX_TOASTS = 4;
const TOAST_MS = 12_000;

interface Shown {
  key: string;
  kind: 'fired' | 'resolved';
  alert: AlertRead;
}

/** The bell in the top bar: how many firing alerts nobody acknowledged. */
export function AlertBell() {
  const { t } = useTranslation();
  const summary = useAlertSummary();
  const unread = summary.data?.unacknowledged ?? 0;
  const label = unread > 0 ? t('alertCenter.bellUnread', { count: unread }) : t('alertCenter.bell');
  return (
    <Link
      to={paths.alerts.getHref()}
      className="btn btn-link topbar-control position-relative"
      aria-label={label}
      title={label}
      data-testid="alert-bell"
    >
      <Icon name={unread > 0 ? 'bell-fill' : 'bell'} size="1.25rem" />
      {unread > 0 ? (
        <Badge
          bg="danger"
          pill
          className="position-absolute top-0 start-100 translate-middle"
          data-testid="alert-bell-count"
        >
          {unread > 99 ? '99+' : unread}
        </Badge>
      ) : null}
    </Link>
  );
}

/**
 * Listens to the alert events of the realtime socket: refreshes what is shown about
 * alerts, pops a toast when one fires or resolves, and a browser notification for the
 * people who asked for them.
 */
export function AlertToasts({ userId }: { userId: number }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [shown, setShown] = useState<Shown[]>([]);

  const refresh = () => void queryClient.invalidateQueries({ queryKey: alertsKeys.all });
  useRealtimeEvent([EVENT.alertAcked, RECONNECTED], refresh);
  useRealtimeEvent([EVENT.alertFired, EVENT.alertResolved], (event) => {
    refresh();
    const kind: Shown['kind'] = event.type === EVENT.alertFired ? 'fired' : 'resolved';
    const alert = event.data;
    const silenced = alert.silenced_until !== null && new Date(alert.silenced_until) > new Date();
    if (silenced) return;
    setShown((current) => [...current, { key: event.id, kind, alert }].slice(-MAX_TOASTS));
    const title = `${t(`alertCenter.${kind}`)}: ${t(`alertCenter.rules.${alert.rule}`)}`;
    const text = describeAlert(alert, t, i18n.language);
    notify(userId, title, `${alert.subject_label} — ${text}`, `evodash-alert-${String(alert.id)}`);
  });

  const close = (key: string) => setShown((current) => current.filter((item) => item.key !== key));
  return (
    <ToastContainer position="bottom-end" className="p-3 position-fixed" style={{ zIndex: 1090 }}>
      {shown.map(({ key, kind, alert }) => (
        <Toast
          key={key}
          className={`border-2 ${kind === 'fired' ? 'border-danger' : 'border-success'}`}
          onClose={() => close(key)}
          autohide
          delay={TOAST_MS}
          data-testid="alert-toast"
        >
          <Toast.Header closeLabel={t('alertCenter.close')}>
            <Icon
              name={kind === 'fired' ? 'exclamation-triangle' : 'check-circle-fill'}
              className={`me-2 ${kind === 'fired' ? 'text-danger' : 'text-success'}`}
            />
            <strong className="me-auto">
              {t(`alertCenter.${kind}`)}: {t(`alertCenter.rules.${alert.rule}`)}
            </strong>
          </Toast.Header>
          <Toast.Body>
            <div className="fw-semibold">{alert.subject_label}</div>
            <div className="small">{describeAlert(alert, t, i18n.language)}</div>
            <Link
              to={paths.alerts.getHref(`?alert=${String(alert.id)}`)}
              className="small"
              onClick={() => close(key)}
            >
              {t('alertCenter.view')}
            </Link>
          </Toast.Body>
        </Toast>
      ))}
    </ToastContainer>
  );
}
