import { useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import Modal from 'react-bootstrap/Modal';
import Spinner from 'react-bootstrap/Spinner';

import { Icon } from '@/components/ui/icon';

import type { Instance } from '../api/get-instances';
import { useDeleteInstance } from '../api/delete-instance';
import { useInstancesTranslation } from '../locales';
import { InstanceError } from './instance-error';

export interface DeleteInstanceDialogProps {
  instance: Instance;
  show: boolean;
  onHide: () => void;
  onDeleted: () => void;
}

/**
 * Deleting is for good (on Evolution too): the technical name must be typed to confirm.
 * History (messages, connections) is kept unless unticked; when Evolution fails, the
 * person may delete here anyway.
 */
export function DeleteInstanceDialog({ instance, show, onHide, onDeleted }: DeleteInstanceDialogProps) {
  const { t } = useInstancesTranslation();
  return (
    <Modal show={show} onHide={onHide} aria-labelledby="delete-instance-title">
      <Modal.Header closeButton closeLabel={t('delete.cancel')}>
        <Modal.Title id="delete-instance-title" as="h2" className="h5">
          {t('delete.title', { name: instance.display_name })}
        </Modal.Title>
      </Modal.Header>
      {show ? <DeleteBody instance={instance} onHide={onHide} onDeleted={onDeleted} /> : null}
    </Modal>
  );
}

function DeleteBody({ instance, onHide, onDeleted }: Omit<DeleteInstanceDialogProps, 'show'>) {
  const { t } = useInstancesTranslation();
  const remove = useDeleteInstance();
  const [typed, setTyped] = useState('');
  const [keepHistory, setKeepHistory] = useState(true);
  const [force, setForce] = useState(false);
  const matches = typed.trim() === instance.name;
  const evolutionFailed = remove.error ? [502, 504].includes(remove.error.status) : false;

  return (
    <Form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (!matches) return;
        remove.mutate({ id: instance.id, keepHistory, force }, { onSuccess: onDeleted });
      }}
    >
      <Modal.Body>
        <Alert variant="danger" className="d-flex gap-2 small">
          <Icon name="exclamation-triangle" className="flex-shrink-0 mt-1" />
          <span>{t('delete.warning')}</span>
        </Alert>
        <Form.Check
          type="checkbox"
          id="delete-keep-history"
          className="mb-1"
          label={t('delete.keepHistory')}
          checked={keepHistory}
          onChange={(event) => setKeepHistory(event.target.checked)}
          aria-describedby="delete-keep-history-help"
        />
        <Form.Text id="delete-keep-history-help" className="d-block mb-3">
          {t('delete.keepHistoryHelp')}
        </Form.Text>
        <Form.Group controlId="delete-confirm-name">
          <Form.Label>{t('delete.confirmLabel', { name: instance.name })}</Form.Label>
          <Form.Control
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            className="font-monospace"
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            isInvalid={typed !== '' && !matches}
            aria-invalid={typed !== '' && !matches}
          />
          <Form.Control.Feedback type="invalid">
            {t('delete.confirmMismatch', { name: instance.name })}
          </Form.Control.Feedback>
        </Form.Group>
        {remove.isError ? (
          <InstanceError error={remove.error} title={t('delete.failed')} className="mt-3 mb-0" />
        ) : null}
        {evolutionFailed || force ? (
          <Form.Check
            type="checkbox"
            id="delete-force"
            className="mt-3"
            label={t('delete.force')}
            checked={force}
            onChange={(event) => setForce(event.target.checked)}
          />
        ) : null}
      </Modal.Body>
      <Modal.Footer>
        <Button variant="outline-secondary" onClick={onHide} disabled={remove.isPending}>
          {t('delete.cancel')}
        </Button>
        <Button type="submit" variant="danger" disabled={!matches || remove.isPending}>
          {remove.isPending ? (
            <>
              <Spinner animation="border" size="sm" aria-hidden="true" className="me-2" />
              {t('delete.deleting')}
            </>
          ) : (
            <>
              <Icon name="trash" className="me-2" />
              {t('delete.submit')}
            </>
          )}
        </Button>
      </Modal.Footer>
    </Form>
  );
}
