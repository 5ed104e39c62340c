import { Icon } from '@/components/ui/icon';

import type { DriftItem } from '../api/templates';
import { useInstancesTranslation } from '../locales';

/** Whether an instance still matches the template applied to it (nothing when none). */
export function DriftBadge({ drift }: { drift: DriftItem | undefined }) {
  const { t } = useInstancesTranslation();
  if (!drift) return null;
  const drifted = drift.in_sync === false || drift.template_changed;
  const label = drifted
    ? t('templates.drift.badgeOut', { name: drift.template_name })
    : t('templates.drift.badgeIn', { name: drift.template_name });
  return (
    <span
      className={`badge ${drifted ? 'text-bg-warning' : 'text-bg-light border'} fw-normal text-truncate mw-100`}
      title={label}
      data-testid="drift-badge"
      data-drifted={drifted ? 'true' : 'false'}
    >
      <Icon name={drifted ? 'exclamation-triangle' : 'layers'} className="me-1" />
      {label}
    </span>
  );
}
