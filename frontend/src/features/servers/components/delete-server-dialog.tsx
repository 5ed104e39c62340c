import { useId } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Modal from 'react-bootstrap/Modal';
import Spinner from 'react-bootstrap/Spinner';
import { useTranslation } from 'react-i18next';

import { Icon } from '@/components/ui/icon';
import { isApiError } from '@/lib/api-error';

import { type DeleteServerInput, useDeleteServer } from '../api/delete-server';
import type { Server } from '../api/get-servers';
import { SERVERS_NS } from '../locales';
import { ApiErrorAlert } from './api-error-alert';

export interface DeleteServerDialogProps {
  server: Server | null;
  onHide: () => void;
  onDeleted: (server: Server) => void;
}

/**
 * "Excluir servidor?" When the API refuses because the server still has instances (409),
 * explains it and offers to delete them too; when Evolution then cannot delete them
 * (502/504), offers to delete here only.
 */
export function DeleteServerDialog({ server, onHide, onDeleted }: DeleteServerDialogProps) {
  const { t } = useTranslation(SERVERS_NS);
  const titleId = useId();
  return (
    <Modal show={server !== null} onHide={onHide} aria-labelledby={titleId} centered>
      <Modal.Header closeButton closeLabel={t('delete.cancel')}>
        <Modal.Title id={titleId} as="h2" className="h5">
          {t('delete.title')}
        </Modal.Title>
      </Modal.Header>
      {server ? (
        <DeleteServerBody key={server.id} server={server} onHide={onHide} onDeleted={onDeleted} />
      ) : null}
    </Modal>
  );
}

function DeleteServerBody({
  server,
  onHide,
  onDeleted,
}: {
  server: Server;
  onHide: () => void;
  onDeleted: (server: Server) => void;
}) {
  const { t } = useTranslation(SERVERS_NS);
  const remove = useDeleteServer();
  const error = remove.error;
  const lastInput = remove.variables;
  const hasInstances = isApiError(error) && error.code === 'server_has_instances';
  const upstreamFailed =
    isApiError(error) &&
    Boolean(lastInput?.removeInstances) &&
    (error.status === 502 || error.status === 504);

  const run = (input: Omit<DeleteServerInput, 'serverId'>) =>
    remove.mutate({ serverId: server.id, ...input }, { onSuccess: () => onDeleted(server) });

  // The next step: plain delete, then with the instances, then here only.
  const step: Omit<DeleteServerInput, 'serverId'> = upstreamFailed
    ? { removeInstances: true, force: true }
    : hasInstances || lastInput?.removeInstances
      ? { removeInstances: true }
      : {};
  const label = step.force
    ? t('delete.force')
    : step.removeInstances
      ? t('delete.removeInstances')
      : t('delete.submit');

  return (
    <>
      <Modal.Body>
        <p className={hasInstances || upstreamFailed ? 'mb-3' : 'mb-0'}>
          {t('delete.confirm', { name: server.name })}
        </p>
        {hasInstances ? (
          <Alert variant="warning" className="mb-0" role="alert">
            <strong className="d-block mb-1">{t('delete.hasInstancesTitle')}</strong>
            {t('delete.hasInstances', {
              name: server.name,
              count: server.instance_count ?? 0,
            })}
          </Alert>
        ) : null}
        {upstreamFailed ? (
          <>
            <p className="mb-2">{t('delete.upstreamFailed')}</p>
            <ApiErrorAlert error={error} title={t('delete.failed')} className="mb-0" />
          </>
        ) : null}
        {error && !hasInstances && !upstreamFailed ? (
          <ApiErrorAlert error={error} title={t('delete.failed')} className="mb-0" />
        ) : null}
      </Modal.Body>
      <Modal.Footer>
        <Button variant="outline-secondary" onClick={onHide}>
          {t('delete.cancel')}
        </Button>
        <Button variant="danger" onClick={() => run(step)} disabled={remove.isPending}>
          {remove.isPending ? (
            <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" />
          ) : (
            <Icon name="trash" className="me-2" />
          )}
          {remove.isPending ? t('delete.deleting') : label}
        </Button>
      </Modal.Footer>
    </>
  );
}
