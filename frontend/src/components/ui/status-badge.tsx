import { useTranslation } from 'react-i18next';

import { type InstanceStatus, isInstanceStatus } from '@/lib/instance-status';

// text-bg-* picks a readable text colour for each background in both themes.
const VARIANTS: Record<InstanceStatus, string> = {
  created: 'text-bg-info',
  connecting: 'text-bg-warning',
  open: 'text-bg-success',
  close: 'text-bg-secondary',
  refused: 'text-bg-danger',
  unreachable: 'bg-danger-subtle text-danger-emphasis border border-danger-subtle',
};

export interface StatusBadgeProps {
  /** An instance status; an unknown value is shown as it is. */
  status: string;
}

export function StatusBadge({ status }: StatusBadgeProps) {
  const { t } = useTranslation();
  if (!isInstanceStatus(status)) {
    return <span className="badge rounded-pill text-bg-secondary">{status}</span>;
  }
  return (
    <span className={`badge rounded-pill ${VARIANTS[status]}`} data-status={status}>
      {t(`status.${status}`)}
    </span>
  );
}
