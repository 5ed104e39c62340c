import { queryOptions, useQuery } from '@tanstack/react-query';

import { statsOverviewQueryKey } from '@/api/generated/@tanstack/react-query.gen';
import { statsOverview } from '@/api/generated/sdk.gen';
import type { StatsOverview } from '@/api/generated/types.gen';

export type Overview = StatsOverview;

/** A gentle safety net under the realtime refresh (events can be missed while offline). */
export const OVERVIEW_REFETCH_MS = 60_000;

export async function getOverview({ signal }: { signal?: AbortSignal } = {}): Promise<Overview> {
  const { data } = await statsOverview({ signal, throwOnError: true });
  return data;
}

export const overviewQueryKey = () => statsOverviewQueryKey();

export const getOverviewQueryOptions = () =>
  queryOptions({
    queryKey: overviewQueryKey(),
    queryFn: ({ signal }) => getOverview({ signal }),
    staleTime: 10_000,
    refetchInterval: OVERVIEW_REFETCH_MS,
  });

export const useOverview = () => useQuery(getOverviewQueryOptions());
