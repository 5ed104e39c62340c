import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import { uptimeInstancesUptime, uptimeInstanceUptime } from '@/api/generated/sdk.gen';
import type { UptimeWindow } from '@/api/generated/types.gen';

export type UptimeWindowName = UptimeWindow['window'];
export const UPTIME_WINDOWS: readonly UptimeWindowName[] = ['24h', '7d', '30d'];
/** Uptime moves slowly: a minute-old figure is fine, and the timeline's end follows now. */
export const UPTIME_REFETCH_MS = 60_000;

export const instanceUptimeKey = (id: number) => ['instances', 'uptime', id] as const;
export const instancesUptimeKey = () => ['instances', 'uptime-list'] as const;

export async function getInstanceUptime(
  id: number,
  window: UptimeWindowName,
  signal?: AbortSignal,
) {
  const { data } = await uptimeInstanceUptime({
    path: { instance_id: id },
    query: { window },
    signal,
    throwOnError: true,
  });
  return data;
}

export const getInstanceUptimeQueryOptions = (id: number, window: UptimeWindowName) =>
  queryOptions({
    queryKey: [...instanceUptimeKey(id), window] as const,
    queryFn: ({ signal }) => getInstanceUptime(id, window, signal),
    refetchInterval: UPTIME_REFETCH_MS,
    // Switching the timeline's window keeps the previous chart until the new one arrives.
    placeholderData: keepPreviousData,
  });

export const useInstanceUptime = (id: number, window: UptimeWindowName) =>
  useQuery(getInstanceUptimeQueryOptions(id, window));

/** The three windows of the instances of one list page, in one request. */
export async function getInstancesUptime(ids: readonly number[], signal?: AbortSignal) {
  const { data } = await uptimeInstancesUptime({
    query: { instance_id: [...ids] },
    signal,
    throwOnError: true,
  });
  return data;
}

export const getInstancesUptimeQueryOptions = (ids: readonly number[]) =>
  queryOptions({
    queryKey: [...instancesUptimeKey(), [...ids].sort((a, b) => a - b)] as const,
    queryFn: ({ signal }) => getInstancesUptime(ids, signal),
    enabled: ids.length > 0,
    staleTime: 30_000,
    refetchInterval: UPTIME_REFETCH_MS,
    placeholderData: keepPreviousData,
  });

/** `instance id → its windows`; empty while loading (the column shows a placeholder). */
export function useInstancesUptime(ids: readonly number[]) {
  const query = useQuery(getInstancesUptimeQueryOptions(ids));
  const byId = new Map((query.data ?? []).map((item) => [item.instance_id, item.windows]));
  return { ...query, byId };
}

export function windowOf(windows: readonly UptimeWindow[] | undefined, name: UptimeWindowName) {
  return windows?.find((w) => w.window === name);
}
