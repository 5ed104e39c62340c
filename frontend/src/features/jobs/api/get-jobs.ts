import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import { jobsGetJob, jobsJobCounts, jobsListJobs } from '@/api/generated/sdk.gen';
import type { JobRead, JobsListJobsData } from '@/api/generated/types.gen';
import { periodRange } from '@/lib/period';

import type { JobFilters } from '../lib/filters';

export const JOBS_PAGE_SIZE = 25;

type JobsQuery = NonNullable<JobsListJobsData['query']>;

/** The API's filters; the period's bounds are computed when the request is made. */
export function toJobsQuery(filters: JobFilters, now: number = Date.now()): JobsQuery {
  const { since, until } = periodRange(filters.period, now);
  const query: JobsQuery = {};
  if (filters.statuses.length > 0) query.status = filters.statuses;
  if (filters.instanceId !== null) query.instance_id = filters.instanceId;
  if (since) query.created_from = since;
  if (until) query.created_to = until;
  return query;
}

export const jobsKeys = {
  all: ['jobs'] as const,
  lists: ['jobs', 'list'] as const,
  list: (filters: JobFilters, page: number) => ['jobs', 'list', filters, page] as const,
  counts: ['jobs', 'counts'] as const,
  countsFor: (filters: Omit<JobFilters, 'statuses'>) => ['jobs', 'counts', filters] as const,
  detail: (id: number) => ['jobs', 'detail', id] as const,
};

export const getJobsQueryOptions = (filters: JobFilters, page: number) =>
  queryOptions({
    queryKey: jobsKeys.list(filters, page),
    queryFn: async ({ signal }) => {
      const { data } = await jobsListJobs({
        query: { ...toJobsQuery(filters), page, page_size: JOBS_PAGE_SIZE },
        signal,
        throwOnError: true,
      });
      return data;
    },
    placeholderData: keepPreviousData,
  });

export const useJobs = (filters: JobFilters, page: number) =>
  useQuery(getJobsQueryOptions(filters, page));

/** Counts per status for the chips: the status filter itself is left out. */
export const getJobCountsQueryOptions = ({ instanceId, period }: JobFilters) =>
  queryOptions({
    queryKey: jobsKeys.countsFor({ instanceId, period }),
    queryFn: async ({ signal }) => {
      const { data } = await jobsJobCounts({
        query: toJobsQuery({ statuses: [], instanceId, period }),
        signal,
        throwOnError: true,
      });
      return data;
    },
    placeholderData: keepPreviousData,
  });

export const useJobCounts = (filters: JobFilters) => useQuery(getJobCountsQueryOptions(filters));

export const getJobQueryOptions = (id: number) =>
  queryOptions({
    queryKey: jobsKeys.detail(id),
    queryFn: async ({ signal }) => {
      const { data } = await jobsGetJob({ path: { job_id: id }, signal, throwOnError: true });
      return data;
    },
  });

export const useJob = (id: number) => useQuery(getJobQueryOptions(id));

export function isActive(job: Pick<JobRead, 'status'>): boolean {
  return job.status === 'pending' || job.status === 'running';
}
