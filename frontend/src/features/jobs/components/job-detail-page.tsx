import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';

import { useInstanceNames } from '../api/get-instance-names';
import { useJob } from '../api/get-jobs';
import { useLiveJobs } from '../hooks/use-live-jobs';
import { useJobsTranslation } from '../i18n';
import { JobDetailView } from './job-detail';

/** The job page: its states, live updates, and the job itself. */
export function JobDetailPage({ jobId, canAct }: { jobId: number; canAct: boolean }) {
  const { t } = useJobsTranslation();
  const job = useJob(jobId);
  const instances = useInstanceNames();
  useLiveJobs();

  if (job.isPending) return <LoadingState />;
  if (job.isError) {
    if (job.error.status === 404) {
      return <EmptyState icon="list-task" title={t('detail.notFound')} />;
    }
    return <ErrorState error={job.error} onRetry={() => void job.refetch()} />;
  }
  const instanceId = job.data.instance_id;
  const instanceName =
    instanceId === null
      ? '—'
      : (instances.data?.find((instance) => instance.id === instanceId)?.name ??
        t('list.instanceFallback', { id: instanceId }));
  return <JobDetailView job={job.data} instanceName={instanceName} canAct={canAct} />;
}
