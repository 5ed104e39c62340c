import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import { instancesListInstances } from '@/api/generated/sdk.gen';
import type { InstanceRead, InstanceStatus } from '@/api/generated/types.gen';

export type Instance = InstanceRead;

export interface InstanceListParams {
  page: number;
  pageSize: number;
  status: InstanceStatus | null;
  serverId: number | null;
  search: string;
}

export const INSTANCES_PAGE_SIZE = 20;

/** Every list page and filter: the prefix to invalidate when any instance changes. */
export const instancesListKey = () => ['instances', 'list'] as const;

export async function getInstances(params: InstanceListParams, signal?: AbortSignal) {
  const { data } = await instancesListInstances({
    query: {
      page: params.page,
      page_size: params.pageSize,
      status: params.status ? [params.status] : undefined,
      server_id: params.serverId ?? undefined,
      search: params.search.trim() || undefined,
    },
    signal,
    throwOnError: true,
  });
  return data;
}

export const getInstancesQueryOptions = (params: InstanceListParams) =>
  queryOptions({
    queryKey: [...instancesListKey(), params] as const,
    queryFn: ({ signal }) => getInstances(params, signal),
    // Paging and filtering keep the previous rows on screen until the new ones arrive.
    placeholderData: keepPreviousData,
  });

export const useInstances = (params: InstanceListParams) =>
  useQuery(getInstancesQueryOptions(params));
