import Button from 'react-bootstrap/Button';
import Spinner from 'react-bootstrap/Spinner';

import { Icon } from '@/components/ui/icon';

import type { Instance } from '../api/get-instances';
import type { SimpleAction } from '../api/instance-actions';
import { useInstancesTranslation } from '../locales';
import { FeatureIcon } from './feature-icon';

export interface InstanceRowActionsProps {
  instance: Instance;
  onConnect: (instance: Instance) => void;
  onAction: (instance: Instance, action: Exclude<SimpleAction, 'webhook'>) => void;
  /** The action running on this instance, if any. */
  pending?: SimpleAction | null;
  className?: string;
}

/** Connect, disconnect, restart: icon buttons named for the instance they act on. */
export function InstanceRowActions({
  instance,
  onConnect,
  onAction,
  pending = null,
  className = '',
}: InstanceRowActionsProps) {
  const { t } = useInstancesTranslation();
  const name = instance.display_name;
  const isOpen = instance.status === 'open';
  const canDisconnect = isOpen || instance.status === 'connecting';
  const busy = pending !== null;
  return (
    <div
      className={`d-flex gap-1 flex-wrap ${className}`}
      role="group"
      aria-label={t('list.actionsFor', { name })}
    >
      {!isOpen ? (
        <Button
          size="sm"
          variant="outline-success"
          onClick={() => onConnect(instance)}
          disabled={busy}
          aria-label={t('actions.connectNamed', { name })}
          title={t('actions.connect')}
        >
          <Icon name="plug" />
        </Button>
      ) : null}
      {canDisconnect ? (
        <Button
          size="sm"
          variant="outline-danger"
          onClick={() => onAction(instance, 'disconnect')}
          disabled={busy}
          aria-label={t('actions.disconnectNamed', { name })}
          title={t('actions.disconnect')}
        >
          {pending === 'disconnect' ? (
            <Spinner animation="border" size="sm" aria-hidden="true" />
          ) : (
            <FeatureIcon name="power" />
          )}
        </Button>
      ) : null}
      {/* Evolution refuses to restart a closed instance: connect it instead. */}
      {canDisconnect ? (
        <Button
          size="sm"
          variant="outline-secondary"
          onClick={() => onAction(instance, 'restart')}
          disabled={busy}
          aria-label={t('actions.restartNamed', { name })}
          title={t('actions.restart')}
        >
          {pending === 'restart' ? (
            <Spinner animation="border" size="sm" aria-hidden="true" />
          ) : (
            <Icon name="arrow-repeat" />
          )}
        </Button>
      ) : null}
    </div>
  );
}
