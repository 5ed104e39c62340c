import './servers.css';

import { useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import { useTranslation } from 'react-i18next';

import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { Icon } from '@/components/ui/icon';
import { LoadingState } from '@/components/ui/loading-state';
import { PageHeader } from '@/components/ui/page-header';
import { formatNumber } from '@/lib/format';
import { EVENT, useInvalidateOn } from '@/lib/realtime';

import { type Server, serversQueryKeyPrefix, useServers } from '../api/get-servers';
import { type TestResult, useTestSavedServer } from '../api/test-server';
import { useNow } from '../hooks/use-now';
import { SERVERS_NS } from '../locales';
import { ApiErrorAlert } from './api-error-alert';
import { DeleteServerDialog } from './delete-server-dialog';
import { ServerFormDialog } from './server-form-dialog';
import { ServersTable } from './servers-table';
import { TestResultView } from './test-result';

type Notice =
  | { kind: 'message'; text: string }
  | { kind: 'test'; server: Server; result: TestResult }
  | { kind: 'test-error'; server: Server; error: unknown };

export interface ServersPageProps {
  /** Admins add, edit and delete servers. */
  canManage: boolean;
  /** Operators and admins may test a saved server's connection. */
  canTest: boolean;
}

/** Servidores: the registered Evolution servers, and (for admins) adding, editing, deleting. */
export function ServersPage({ canManage, canTest }: ServersPageProps) {
  const { t, i18n } = useTranslation(SERVERS_NS);
  const servers = useServers();
  const now = useNow();
  const testSaved = useTestSavedServer();
  const [editing, setEditing] = useState<Server | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [deleting, setDeleting] = useState<Server | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);

  // Servers change, and so does their instance count when instances come and go.
  useInvalidateOn(
    [EVENT.serverCreated, EVENT.serverUpdated, EVENT.serverDeleted, EVENT.instanceCreated, EVENT.instanceDeleted],
    [serversQueryKeyPrefix()],
  );

  const openForm = (server: Server | null) => {
    setEditing(server);
    setFormOpen(true);
  };

  const testServer = (server: Server, { quiet = false } = {}) => {
    testSaved.mutate(server.id, {
      onSuccess: (result) => {
        if (!quiet) setNotice({ kind: 'test', server, result });
      },
      onError: (error) => {
        if (!quiet) setNotice({ kind: 'test-error', server, error });
      },
    });
  };

  const items = servers.data?.items ?? [];
  const total = servers.data?.total ?? 0;
  const addButton = canManage ? (
    <Button variant="primary" className="btn-gradient" onClick={() => openForm(null)}>
      <Icon name="plus-lg" className="me-2" />
      {t('add')}
    </Button>
  ) : null;

  return (
    <>
      <PageHeader title={t('title')} description={t('description')} actions={addButton} />

      {!canManage ? (
        <p className="small text-body-secondary d-flex align-items-center gap-2">
          <Icon name="shield-lock" />
          {t('readOnly')}
        </p>
      ) : null}

      <div aria-live="polite">
        {notice ? <NoticeView notice={notice} onDismiss={() => setNotice(null)} /> : null}
      </div>

      {servers.isPending ? (
        <LoadingState label={t('loading')} />
      ) : servers.isError ? (
        <ErrorState error={servers.error} onRetry={() => void servers.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          icon="hdd-network"
          title={t('empty.title')}
          description={canManage ? t('empty.description') : t('empty.readOnly')}
          action={addButton}
        />
      ) : (
        <section className="card servers-card" aria-label={t('list.label')}>
          <ServersTable
            servers={items}
            now={now}
            canManage={canManage}
            canTest={canTest}
            testingId={testSaved.isPending ? testSaved.variables : null}
            onTest={(server) => testServer(server)}
            onEdit={(server) => openForm(server)}
            onDelete={(server) => setDeleting(server)}
          />
          {total > items.length ? (
            <p className="small text-body-secondary px-3 py-2 mb-0">
              {t('list.more', {
                shown: formatNumber(items.length, i18n.language),
                total: formatNumber(total, i18n.language),
              })}
            </p>
          ) : null}
        </section>
      )}

      {canManage ? (
        <>
          <ServerFormDialog
            show={formOpen}
            server={editing}
            onHide={() => setFormOpen(false)}
            onSaved={(saved, { created, connectionChanged }) => {
              setFormOpen(false);
              setNotice({
                kind: 'message',
                text: created
                  ? t('saved.created', { name: saved.name })
                  : t('saved.updated', { name: saved.name }),
              });
              // Record the version and reachability of the new URL/key for the list.
              if (connectionChanged) testServer(saved, { quiet: true });
            }}
          />
          <DeleteServerDialog
            server={deleting}
            onHide={() => setDeleting(null)}
            onDeleted={(server) => {
              setDeleting(null);
              setNotice({ kind: 'message', text: t('delete.deleted', { name: server.name }) });
            }}
          />
        </>
      ) : null}
    </>
  );
}

function NoticeView({ notice, onDismiss }: { notice: Notice; onDismiss: () => void }) {
  const { t } = useTranslation(SERVERS_NS);
  if (notice.kind === 'message') {
    return (
      <Alert
        variant="success"
        dismissible
        onClose={onDismiss}
        closeLabel={t('actions.dismiss')}
        className="d-flex align-items-center gap-2"
      >
        <Icon name="check-circle-fill" />
        {notice.text}
      </Alert>
    );
  }
  return (
    <div className="position-relative mb-3">
      <h2 className="h6 mb-2 pe-5">{t('actions.testResultTitle', { name: notice.server.name })}</h2>
      <button
        type="button"
        className="btn-close position-absolute top-0 end-0"
        aria-label={t('actions.dismiss')}
        onClick={onDismiss}
      />
      {notice.kind === 'test' ? (
        <TestResultView result={notice.result} />
      ) : (
        <ApiErrorAlert error={notice.error} title={t('test.failed')} className="mb-0" />
      )}
    </div>
  );
}
