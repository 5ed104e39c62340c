import { useId, useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import { useTranslation } from 'react-i18next';

import { ConfirmModal } from '@/components/ui/confirm-modal';
import type { SessionRead } from '@/api/generated/types.gen';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';
import { TableScroll } from '@/components/ui/table-scroll';
import { getErrorMessage } from '@/lib/api-error';
import { formatDateTime } from '@/lib/format';

import { useEndAllSessions, useEndSession, useSessions } from '../api/account';
import { useAccountTranslation } from '../i18n';
import { deviceName } from '../lib/device-name';

export interface SessionsProps {
  /** Every session ended, this one too: send the person to the login page. */
  onSignedOutEverywhere: () => void;
}

/** Where I am logged in, ending one of those sessions, or all of them. */
export function Sessions({ onSignedOutEverywhere }: SessionsProps) {
  const { t } = useAccountTranslation();
  const sessions = useSessions();
  const [confirming, setConfirming] = useState(false);

  return (
    <>
      <p className="small text-body-secondary">{t('sessions.help')}</p>
      {sessions.isPending ? (
        <LoadingState />
      ) : sessions.isError ? (
        <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />
      ) : (
        <SessionTable sessions={sessions.data} />
      )}
      <Button variant="outline-danger" className="mt-3" onClick={() => setConfirming(true)}>
        {t('sessions.endAll')}
      </Button>
      {confirming ? (
        <EndAllModal onClose={() => setConfirming(false)} onDone={onSignedOutEverywhere} />
      ) : null}
    </>
  );
}

function SessionTable({ sessions }: { sessions: readonly SessionRead[] }) {
  const { t, i18n } = useAccountTranslation();
  const common = useTranslation().t;
  const end = useEndSession();
  return (
    <>
      {end.isError ? <Alert variant="danger">{getErrorMessage(end.error, common)}</Alert> : null}
      <TableScroll label={t('sessions.list')}>
        <table className="table align-middle small mb-0" aria-label={t('sessions.list')}>
          <thead>
            <tr>
              <th scope="col">{t('sessions.device')}</th>
              <th scope="col" className="d-none d-md-table-cell">
                {t('sessions.address')}
              </th>
              <th scope="col" className="d-none d-md-table-cell">
                {t('sessions.since')}
              </th>
              <th scope="col" className="d-none d-lg-table-cell">
                {t('sessions.until')}
              </th>
              <th scope="col">
                <span className="visually-hidden">{t('sessions.end')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((session) => {
              const device =
                deviceName(session.user_agent) ??
                (session.kind === 'bearer' ? t('sessions.token') : t('sessions.unknown'));
              return (
                <tr key={session.id} data-testid="session-row">
                  <td className="text-break">
                    <span className="fw-semibold">{device}</span>
                    {session.current ? (
                      <span className="badge text-bg-success ms-2">{t('sessions.current')}</span>
                    ) : null}
                    {session.kind === 'bearer' ? (
                      <span className="badge text-bg-light border ms-2">{t('sessions.token')}</span>
                    ) : null}
                  </td>
                  <td className="d-none d-md-table-cell">{session.ip_address ?? '—'}</td>
                  <td className="d-none d-md-table-cell">
                    {formatDateTime(session.created_at, i18n.language)}
                  </td>
                  <td className="d-none d-lg-table-cell">
                    {formatDateTime(session.expires_at, i18n.language)}
                  </td>
                  <td className="text-end">
                    {session.current ? null : (
                      <Button
                        variant="outline-secondary"
                        size="sm"
                        disabled={end.isPending}
                        onClick={() => end.mutate(session.id)}
                        aria-label={t('sessions.endNamed', { device })}
                      >
                        {t('sessions.end')}
                      </Button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}

function EndAllModal({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const { t } = useAccountTranslation();
  const checkId = useId();
  const [revokeApiKeys, setRevokeApiKeys] = useState(false);
  const endAll = useEndAllSessions({ onSuccess: onDone });
  return (
    <ConfirmModal
      title={t('sessions.endAllTitle')}
      confirmLabel={t('sessions.endAll')}
      pending={endAll.isPending}
      error={endAll.error}
      onClose={onClose}
      onConfirm={() => endAll.mutate(revokeApiKeys)}
    >
      <p>{t('sessions.endAllBody')}</p>
      <Form.Check
        id={checkId}
        type="checkbox"
        label={t('sessions.alsoKeys')}
        checked={revokeApiKeys}
        onChange={(event) => setRevokeApiKeys(event.currentTarget.checked)}
      />
    </ConfirmModal>
  );
}
