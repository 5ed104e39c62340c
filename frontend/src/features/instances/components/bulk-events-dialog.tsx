import { useState } from 'react';
import Button from 'react-bootstrap/Button';
import Modal from 'react-bootstrap/Modal';

import type { EventName } from '../api/webhook-events';
import { useInstancesTranslation } from '../locales';
import { EventSelectionFields } from './events-card';

export interface BulkEventsDialogProps {
  show: boolean;
  count: number;
  onApply: (events: EventName[]) => void;
  onHide: () => void;
}

/** Choose the optional events of the selected instances (the required ones stay on). */
export function BulkEventsDialog({ show, count, onApply, onHide }: BulkEventsDialogProps) {
  const { t } = useInstancesTranslation();
  const [selected, setSelected] = useState<Set<EventName>>(new Set());
  return (
    <Modal show={show} onHide={onHide} scrollable size="lg" aria-labelledby="bulk-events-title">
      <Modal.Header closeButton closeLabel={t('bulk.close')}>
        <Modal.Title id="bulk-events-title" as="h2" className="h5">
          {t('events.bulkTitle')}
        </Modal.Title>
      </Modal.Header>
      <Modal.Body>
        <p className="small text-body-secondary">{t('events.bulkHelp')}</p>
        <EventSelectionFields idPrefix="bulk-events" selected={selected} onChange={setSelected} />
      </Modal.Body>
      <Modal.Footer>
        <Button variant="outline-secondary" onClick={onHide}>
          {t('form.cancel')}
        </Button>
        <Button variant="primary" onClick={() => onApply([...selected])}>
          {t('events.bulkApply', { count })}
        </Button>
      </Modal.Footer>
    </Modal>
  );
}
