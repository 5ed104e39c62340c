import type { JobStatus } from '@/api/generated/types.gen';

import { useJobsTranslation } from '../i18n';

const VARIANTS: Record<JobStatus, string> = {
  pending: 'text-bg-secondary',
  running: 'text-bg-info',
  succeeded: 'text-bg-success',
  failed: 'text-bg-danger',
  cancelled: 'text-bg-warning',
};

export function JobStatusBadge({ status }: { status: JobStatus }) {
  const { t } = useJobsTranslation();
  return (
    <span className={`badge rounded-pill ${VARIANTS[status]}`} data-status={status}>
      {t(`status.${status}`)}
    </span>
  );
}
