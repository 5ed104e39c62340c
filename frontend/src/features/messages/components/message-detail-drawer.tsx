import Offcanvas from 'react-bootstrap/Offcanvas';

import { useMessage } from '../api/get-message';
import type { InstanceOption } from '../api/get-instance-names';
import { useMessagesTranslation } from '../i18n';
import { MessageDetail, MessageDetailStates } from './message-detail';

export interface MessageDetailDrawerProps {
  messageId: number;
  instances: readonly InstanceOption[];
  canSeeRaw: boolean;
  onClose: () => void;
}

/** The message detail in a side drawer over the list (full width on phones). */
export function MessageDetailDrawer({
  messageId,
  instances,
  canSeeRaw,
  onClose,
}: MessageDetailDrawerProps) {
  const { t } = useMessagesTranslation();
  const message = useMessage(messageId);
  const instanceName =
    instances.find((instance) => instance.id === message.data?.instance_id)?.name ??
    t('list.instanceFallback', { id: message.data?.instance_id ?? '?' });

  return (
    <Offcanvas
      show
      onHide={onClose}
      placement="end"
      className="message-drawer"
      aria-labelledby="message-drawer-title"
    >
      <Offcanvas.Header closeButton closeLabel={t('detail.close')}>
        <Offcanvas.Title as="h2" className="h5" id="message-drawer-title">
          {t('detail.title')} #{messageId}
        </Offcanvas.Title>
      </Offcanvas.Header>
      <Offcanvas.Body>
        {message.data ? (
          <MessageDetail message={message.data} instanceName={instanceName} canSeeRaw={canSeeRaw} />
        ) : (
          <MessageDetailStates
            isPending={message.isPending}
            error={message.error?.status === 404 ? new Error(t('detail.notFound')) : message.error}
            onRetry={() => void message.refetch()}
          />
        )}
      </Offcanvas.Body>
    </Offcanvas>
  );
}
