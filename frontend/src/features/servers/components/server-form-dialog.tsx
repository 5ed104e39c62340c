import Modal from 'react-bootstrap/Modal';
import { useTranslation } from 'react-i18next';

import type { Server } from '../api/get-servers';
import { SERVERS_NS } from '../locales';
import { ServerForm, type ServerFormProps } from './server-form';

export interface ServerFormDialogProps {
  show: boolean;
  /** null: add a server; otherwise edit this one. */
  server: Server | null;
  onHide: () => void;
  onSaved: ServerFormProps['onSaved'];
}

export function ServerFormDialog({ show, server, onHide, onSaved }: ServerFormDialogProps) {
  const { t } = useTranslation(SERVERS_NS);
  const title = server ? t('form.editTitle', { name: server.name }) : t('form.addTitle');
  return (
    <Modal show={show} onHide={onHide} aria-labelledby="server-form-title" centered>
      <Modal.Header closeButton closeLabel={t('form.cancel')}>
        <Modal.Title id="server-form-title" as="h2" className="h5">
          {title}
        </Modal.Title>
      </Modal.Header>
      {show ? (
        <ServerForm
          key={server?.id ?? 'new'}
          server={server}
          onSaved={onSaved}
          onCancel={onHide}
          bodyClassName="modal-body"
          footerClassName="modal-footer"
        />
      ) : null}
    </Modal>
  );
}
