import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Modal from 'react-bootstrap/Modal';

import type { BulkRun } from '../hooks/use-bulk-runner';
import { useInstanceErrorMessage } from '../hooks/use-instance-error-message';
import { useInstancesTranslation } from '../locales';
import { BulkProgress } from './bulk-progress';

export interface BulkDialogProps {
  run: BulkRun | null;
  onClose: () => void;
  /** Run the failed instances again (tracked operations). */
  onRetry?: () => void;
}

/** The bulk action's progress and results; it can be closed once every call returned. */
export function BulkDialog({ run, onClose, onRetry }: BulkDialogProps) {
  const { t } = useInstancesTranslation();
  const describeError = useInstanceErrorMessage();
  const running = run?.running ?? false;
  const canRetry = Boolean(onRetry && run?.operationId && !running && run.failed > 0);
  return (
    <Modal
      show={run !== null}
      onHide={() => {
        if (!running) onClose();
      }}
      backdrop={running ? 'static' : true}
      keyboard={!running}
      scrollable
      aria-labelledby="bulk-dialog-title"
    >
      <Modal.Header closeButton={!running} closeLabel={t('bulk.close')}>
        <Modal.Title id="bulk-dialog-title" as="h2" className="h5">
          {run ? t(`bulk.title.${run.action}`) : null}
        </Modal.Title>
      </Modal.Header>
      <Modal.Body>
        {run?.error ? (
          <Alert variant="danger">{describeError(run.error).message}</Alert>
        ) : null}
        {run ? <BulkProgress run={run} /> : null}
      </Modal.Body>
      <Modal.Footer>
        {canRetry ? (
          <Button variant="outline-primary" onClick={onRetry}>
            {t('bulk.retry', { count: run?.failed ?? 0 })}
          </Button>
        ) : null}
        <Button variant="primary" onClick={onClose} disabled={running}>
          {t('bulk.close')}
        </Button>
      </Modal.Footer>
    </Modal>
  );
}
