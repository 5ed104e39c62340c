import { useId, useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import Modal from 'react-bootstrap/Modal';

import { useInstancesTranslation } from '../locales';

export interface BulkDeleteDialogProps {
  names: readonly string[];
  onConfirm: (confirmation: string, keepHistory: boolean) => void;
  onHide: () => void;
}

/** Deleting many instances at once: the person types how many, as the API requires. */
export function BulkDeleteDialog({ names, onConfirm, onHide }: BulkDeleteDialogProps) {
  const { t } = useInstancesTranslation();
  const [typed, setTyped] = useState('');
  const [keepHistory, setKeepHistory] = useState(true);
  const inputId = useId();
  const expected = String(names.length);
  const matches = typed.trim() === expected;
  return (
    <Modal show onHide={onHide} aria-labelledby="bulk-delete-title">
      <Form
        onSubmit={(event) => {
          event.preventDefault();
          if (matches) onConfirm(typed.trim(), keepHistory);
        }}
      >
        <Modal.Header closeButton closeLabel={t('bulk.close')}>
          <Modal.Title id="bulk-delete-title" as="h2" className="h5">
            {t('bulk.deleteTitle', { count: names.length })}
          </Modal.Title>
        </Modal.Header>
        <Modal.Body>
          <Alert variant="danger" className="small">
            {t('bulk.deleteWarning')}
          </Alert>
          <ul className="small bulk-delete-names">
            {names.slice(0, 20).map((name) => (
              <li key={name}>{name}</li>
            ))}
            {names.length > 20 ? <li>{t('bulk.andMore', { count: names.length - 20 })}</li> : null}
          </ul>
          <Form.Check
            id={`${inputId}-history`}
            className="mb-3"
            checked={keepHistory}
            onChange={(event) => setKeepHistory(event.target.checked)}
            label={t('bulk.keepHistory')}
          />
          <Form.Group controlId={inputId}>
            <Form.Label>{t('bulk.deleteConfirmLabel', { count: names.length })}</Form.Label>
            <Form.Control
              inputMode="numeric"
              autoComplete="off"
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              isInvalid={typed !== '' && !matches}
            />
            <Form.Control.Feedback type="invalid">
              {t('bulk.deleteConfirmMismatch', { count: names.length })}
            </Form.Control.Feedback>
          </Form.Group>
        </Modal.Body>
        <Modal.Footer>
          <Button variant="outline-secondary" onClick={onHide}>
            {t('form.cancel')}
          </Button>
          <Button type="submit" variant="danger" disabled={!matches}>
            {t('bulk.deleteConfirm', { count: names.length })}
          </Button>
        </Modal.Footer>
      </Form>
    </Modal>
  );
}
