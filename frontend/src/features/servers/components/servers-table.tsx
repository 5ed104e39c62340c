import Button from 'react-bootstrap/Button';
import Spinner from 'react-bootstrap/Spinner';
import { useTranslation } from 'react-i18next';

import { Icon } from '@/components/ui/icon';
import { formatDateTime, formatNumber, formatRelativeTime } from '@/lib/format';

import type { Server } from '../api/get-servers';
import { SERVERS_NS } from '../locales';
import { ReachabilityBadge } from './reachability-badge';
import { TableScroll } from '@/components/ui/table-scroll';

export interface ServersTableProps {
  servers: readonly Server[];
  now: number;
  /** Admins: edit and delete. */
  canManage: boolean;
  /** Operators and admins: "Testar conexão" on a saved server. */
  canTest: boolean;
  testingId: number | null;
  onTest: (server: Server) => void;
  onEdit: (server: Server) => void;
  onDelete: (server: Server) => void;
}

/** The servers, one row each; below 768 px each row becomes a card (labels from data-label). */
export function ServersTable({
  servers,
  now,
  canManage,
  canTest,
  testingId,
  onTest,
  onEdit,
  onDelete,
}: ServersTableProps) {
  const { t, i18n } = useTranslation(SERVERS_NS);
  const unknown = t('list.unknown');
  const showActions = canManage || canTest;
  return (
    <TableScroll label={t('list.label')}>
      <table className="table align-middle mb-0 table-stack servers-table">
        <caption className="visually-hidden">{t('list.label')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('list.name')}</th>
            <th scope="col">{t('list.status')}</th>
            <th scope="col">{t('list.version')}</th>
            <th scope="col" className="text-end">
              {t('list.instances')}
            </th>
            {showActions ? (
              <th scope="col" className="text-end">
                {t('list.actions')}
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {servers.map((server) => {
            const testing = testingId === server.id;
            return (
              <tr key={server.id} data-testid={`server-row-${server.id}`}>
                <th scope="row" className="server-name-cell">
                  <span className="d-block fw-semibold server-name">{server.name}</span>
                  <span className="d-block small text-body-secondary font-monospace server-url">
                    {server.base_url}
                  </span>
                  <span className="d-block small text-body-secondary text-nowrap">
                    <span aria-hidden="true">
                      {t('list.key')}{' '}
                      <span className="font-monospace">•••• {server.api_key_last4}</span>
                    </span>
                    <span className="visually-hidden">
                      {t('list.keyMasked', { last4: server.api_key_last4 })}
                    </span>
                  </span>
                </th>
                <td data-label={t('list.status')}>
                  <div className="server-status">
                    <ReachabilityBadge reachable={server.is_reachable ?? null} />
                    <span className="small text-body-secondary text-nowrap">
                      <span className="visually-hidden">{t('list.lastCheck')}: </span>
                      {server.last_checked_at ? (
                        <time
                          dateTime={server.last_checked_at}
                          title={formatDateTime(server.last_checked_at, i18n.language)}
                        >
                          {formatRelativeTime(server.last_checked_at, i18n.language, now)}
                        </time>
                      ) : (
                        t('list.never')
                      )}
                    </span>
                  </div>
                  {server.last_error ? (
                    <span className="d-block small text-danger-emphasis server-error mt-1">
                      {server.last_error}
                    </span>
                  ) : null}
                </td>
                <td data-label={t('list.version')} className="versions-cell">
                  <dl className="server-versions small mb-0">
                    <div>
                      <dt>Evolution</dt>
                      <dd>{server.version ?? unknown}</dd>
                    </div>
                    <div>
                      <dt>{t('list.waVersion')}</dt>
                      <dd>{server.whatsapp_web_version ?? unknown}</dd>
                    </div>
                  </dl>
                </td>
                <td data-label={t('list.instances')} className="text-md-end">
                  {formatNumber(server.instance_count ?? 0, i18n.language)}
                </td>
                {showActions ? (
                  <td data-label={t('list.actions')} className="actions-cell text-md-end">
                    <div className="server-actions">
                      {canTest ? (
                        <Button
                          variant="outline-primary"
                          size="sm"
                          onClick={() => onTest(server)}
                          disabled={testing}
                          aria-label={t('actions.testNamed', { name: server.name })}
                          title={t('actions.test')}
                        >
                          {testing ? (
                            <Spinner animation="border" size="sm" aria-hidden="true" />
                          ) : (
                            <Icon name="plug" />
                          )}
                          <span className="ms-1 d-xxl-inline d-md-none">
                            {testing ? t('actions.testing') : t('actions.test')}
                          </span>
                        </Button>
                      ) : null}
                      {canManage ? (
                        <>
                          <Button
                            variant="outline-secondary"
                            size="sm"
                            onClick={() => onEdit(server)}
                            aria-label={t('actions.editNamed', { name: server.name })}
                            title={t('actions.edit')}
                          >
                            <Icon name="pencil" />
                            <span className="ms-1 d-md-none">{t('actions.edit')}</span>
                          </Button>
                          <Button
                            variant="outline-danger"
                            size="sm"
                            onClick={() => onDelete(server)}
                            aria-label={t('actions.deleteNamed', { name: server.name })}
                            title={t('actions.delete')}
                          >
                            <Icon name="trash" />
                            <span className="ms-1 d-md-none">{t('actions.delete')}</span>
                          </Button>
                        </>
                      ) : null}
                    </div>
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
  );
}
