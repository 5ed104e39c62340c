import { type ReactNode, useId, useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Form from 'react-bootstrap/Form';
import Modal from 'react-bootstrap/Modal';
import Spinner from 'react-bootstrap/Spinner';
import { useTranslation } from 'react-i18next';

import { getErrorMessage } from '@/lib/api-error';

export interface ConfirmModalProps {
  /** The question, e.g. "Revogar a chave …?" (the dialog's accessible name). */
  title: ReactNode;
  /** What happens if the user goes on; may hold extra controls (a checkbox…). */
  children: ReactNode;
  /** The confirming button's text, e.g. "Revogar". */
  confirmLabel: ReactNode;
  onConfirm: () => void;
  onClose: () => void;
  /** Shown when false: the parent may keep the dialog mounted. Default true. */
  show?: boolean;
  /** The cancel button's text; "Cancelar" by default. */
  cancelLabel?: ReactNode;
  /** `danger` for what cannot be undone (default), `primary` for the rest. */
  variant?: 'danger' | 'primary';
  /** The action is running: the confirming button is disabled and spins. */
  pending?: boolean;
  /** The action's last error (a mutation's `error`), shown above the text. */
  error?: unknown;
  /**
   * A typed confirmation: the confirming button stays disabled until the user types this
   * text exactly (for deletions of many things, or of things that cannot come back).
   */
  typedConfirmation?: { expected: string; label: ReactNode };
}

/**
 * The one confirmation dialog of the app: a question, what it does, cancel and a
 * confirming button, the action's error and, where it matters, a typed confirmation.
 */
export function ConfirmModal({
  title,
  children,
  confirmLabel,
  onConfirm,
  onClose,
  show = true,
  cancelLabel,
  variant = 'danger',
  pending = false,
  error,
  typedConfirmation,
}: ConfirmModalProps) {
  const { t } = useTranslation();
  const titleId = useId();
  const typedId = useId();
  const [typed, setTyped] = useState('');
  const confirmed = !typedConfirmation || typed.trim() === typedConfirmation.expected;
  const close = () => {
    setTyped('');
    onClose();
  };
  return (
    <Modal aria-labelledby={titleId} show={show} onHide={close} centered>
      <Form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (confirmed && !pending) onConfirm();
        }}
      >
        <Modal.Header closeButton closeLabel={t('common.close')}>
          <Modal.Title id={titleId} as="h2" className="h5">
            {title}
          </Modal.Title>
        </Modal.Header>
        <Modal.Body>
          {error ? (
            <Alert variant="danger" role="alert">
              {getErrorMessage(error, t)}
            </Alert>
          ) : null}
          <div className="confirm-modal-body">{children}</div>
          {typedConfirmation ? (
            <Form.Group controlId={typedId} className="mt-3">
              <Form.Label>{typedConfirmation.label}</Form.Label>
              <Form.Control
                autoComplete="off"
                maxLength={Math.max(64, typedConfirmation.expected.length + 8)}
                value={typed}
                onChange={(event) => setTyped(event.currentTarget.value)}
              />
            </Form.Group>
          ) : null}
        </Modal.Body>
        <Modal.Footer>
          <Button variant="outline-secondary" onClick={close}>
            {cancelLabel ?? t('common.cancel')}
          </Button>
          <Button type="submit" variant={variant} disabled={!confirmed || pending}>
            {pending ? (
              <Spinner animation="border" size="sm" className="me-2" aria-hidden="true" />
            ) : null}
            {confirmLabel}
          </Button>
        </Modal.Footer>
      </Form>
    </Modal>
  );
}
