import { useMutation, useQueryClient } from '@tanstack/react-query';

import { jobsCancelJob, jobsRetryJob } from '@/api/generated/sdk.gen';
import type { JobDetail, JobRead } from '@/api/generated/types.gen';

import { jobsKeys } from './get-jobs';

export async function retryJob(id: number): Promise<JobRead> {
  const { data } = await jobsRetryJob({ path: { job_id: id }, throwOnError: true });
  return data;
}

export async function cancelJob(id: number): Promise<JobRead> {
  const { data } = await jobsCancelJob({ path: { job_id: id }, throwOnError: true });
  return data;
}

function useJobAction(action: (id: number) => Promise<JobRead>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: action,
    onSuccess: (job) => {
      queryClient.setQueryData<JobDetail>(jobsKeys.detail(job.id), (current) =>
        current ? { ...current, ...job } : current,
      );
      void queryClient.invalidateQueries({ queryKey: jobsKeys.all });
    },
  });
}

/** Runs a finished (succeeded, failed or cancelled) job again. Operators and admins. */
export const useRetryJob = () => useJobAction(retryJob);
/** Cancels a pending or running job. Operators and admins. */
export const useCancelJob = () => useJobAction(cancelJob);
