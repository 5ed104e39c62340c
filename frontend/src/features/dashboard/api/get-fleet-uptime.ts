import { queryOptions, useQuery } from '@tanstack/react-query';

import { uptimeFleetUptime } from '@/api/generated/sdk.gen';
import type { FleetUptime } from '@/api/generated/types.gen';

export type { FleetUptime };

/** The server keeps the fleet's figures a minute; asking more often brings nothing new. */
export const FLEET_UPTIME_REFETCH_MS = 60_000;
export const WORST_INSTANCES = 5;

export const fleetUptimeQueryKey = () => ['stats', 'fleet-uptime'] as const;

export async function getFleetUptime({ signal }: { signal?: AbortSignal } = {}) {
  const { data } = await uptimeFleetUptime({
    query: { worst: WORST_INSTANCES },
    signal,
    throwOnError: true,
  });
  return data;
}

export const getFleetUptimeQueryOptions = () =>
  queryOptions({
    queryKey: fleetUptimeQueryKey(),
    queryFn: ({ signal }) => getFleetUptime({ signal }),
    staleTime: FLEET_UPTIME_REFETCH_MS,
    refetchInterval: FLEET_UPTIME_REFETCH_MS,
  });

export const useFleetUptime = () => useQuery(getFleetUptimeQueryOptions());
