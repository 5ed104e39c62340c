import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';

import type { JobDetail, JobRead, JobsListJobsResponse } from '@/api/generated/types.gen';
import { COALESCE_MS, EVENT, RECONNECTED, useRealtimeEvent } from '@/lib/realtime';

import { jobsKeys } from '../api/get-jobs';

/** Merges a job's new state into every loaded list page; false when no page has it. */
function patchLists(queryClient: QueryClient, job: JobRead): { found: boolean; moved: boolean } {
  let found = false;
  let moved = false;
  queryClient.setQueriesData<JobsListJobsResponse>({ queryKey: jobsKeys.lists }, (page) => {
    if (!page?.items.some((item) => item.id === job.id)) return page;
    found = true;
    return {
      ...page,
      items: page.items.map((item) => {
        if (item.id !== job.id) return item;
        if (item.status !== job.status) moved = true;
        return { ...item, ...job };
      }),
    };
  });
  return { found, moved };
}

/**
 * Keeps the jobs pages live from `job.updated`: progress is patched in place (bars move
 * without a request); a new job or a status change refreshes the lists and the counts
 * (coalesced, so a burst of updates costs one request each).
 */
export function useLiveJobs() {
  const queryClient = useQueryClient();
  const scheduled = useRef(false);

  const refreshSoon = () => {
    if (scheduled.current) return;
    scheduled.current = true;
    setTimeout(() => {
      scheduled.current = false;
      void queryClient.invalidateQueries({ queryKey: jobsKeys.lists });
      void queryClient.invalidateQueries({ queryKey: jobsKeys.counts });
    }, COALESCE_MS);
  };

  useRealtimeEvent(EVENT.jobUpdated, (event) => {
    const job = event.data;
    const { found, moved } = patchLists(queryClient, job);
    if (!found || moved) refreshSoon();

    const detailKey = jobsKeys.detail(job.id);
    const detail = queryClient.getQueryData<JobDetail>(detailKey);
    if (detail) {
      queryClient.setQueryData<JobDetail>(detailKey, { ...detail, ...job });
      // The result (and the stored image) come with the detail: fetch it when it changes.
      if (detail.status !== job.status || detail.media_sha256 !== job.media_sha256) {
        void queryClient.invalidateQueries({ queryKey: detailKey, exact: true });
      }
    }
  });

  useRealtimeEvent(RECONNECTED, () => {
    void queryClient.invalidateQueries({ queryKey: jobsKeys.all });
  });
}
