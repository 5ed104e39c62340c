import Button from 'react-bootstrap/Button';
import Modal from 'react-bootstrap/Modal';

import type { BulkRun } from '../hooks/use-bulk-runner';
import { useInstancesTranslation } from '../locales';
import { BulkProgress } from './bulk-progress';

/** The bulk action's progress and results; it can be closed once every call returned. */
export function BulkDialog({ run, onClose }: { run: BulkRun | null; onClose: () => void }) {
  const { t } = useInstancesTranslation();
  const running = run?.running ?? false;
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
      <Modal.Body>{run ? <BulkProgress run={run} /> : null}</Modal.Body>
      <Modal.Footer>
        <Button variant="primary" onClick={onClose} disabled={running}>
          {t('bulk.close')}
        </Button>
      </Modal.Footer>
    </Modal>
  );
}
