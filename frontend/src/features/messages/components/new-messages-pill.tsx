import Button from 'react-bootstrap/Button';

import { SvgIcon } from '@/components/ui/svg-icon';

import { useMessagesTranslation } from '../i18n';
import { icons } from './icons';

/**
 * "3 novas mensagens": new messages wait above the list instead of pushing it down while
 * someone reads. Clicking brings them in and goes back to the top.
 */
export function NewMessagesPill({ count, onShow }: { count: number; onShow: () => void }) {
  const { t } = useMessagesTranslation();
  return (
    <div className="new-messages-pill" aria-live="polite">
      {count > 0 ? (
        <Button
          variant="primary"
          size="sm"
          className="rounded-pill shadow px-3"
          onClick={onShow}
          data-testid="new-messages-pill"
        >
          <SvgIcon svg={icons.arrowUp} className="me-1" />
          {t('list.newMessages', { count })}
        </Button>
      ) : null}
    </div>
  );
}
