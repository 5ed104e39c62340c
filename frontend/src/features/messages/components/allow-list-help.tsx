import { SvgIcon } from '@/components/ui/svg-icon';

import { useMessagesTranslation } from '../i18n';
import { icons } from './icons';

/** Why some messages are "Bloqueada" (collapsed, one click away). */
export function AllowListHelp({ open = false }: { open?: boolean }) {
  const { t } = useMessagesTranslation();
  return (
    <details className="allow-list-help small mb-3" open={open}>
      <summary className="text-body-secondary">
        <SvgIcon svg={icons.infoCircle} className="me-1" />
        {t('allowList.title')}
      </summary>
      <p className="mb-0 mt-2 text-body-secondary">{t('allowList.body')}</p>
    </details>
  );
}
