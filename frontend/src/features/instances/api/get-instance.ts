import { queryOptions, useQuery } from '@tanstack/react-query';

import { instancesGetInstance } from '@/api/generated/sdk.gen';

import type { Instance } from './get-instances';

export const instanceKey = (id: number) => ['instances', 'detail', id] as const;

export async function getInstance(id: number, signal?: AbortSignal): Promise<Instance> {
  const { data } = await instancesGetInstance({
    path: { instance_id: id },
    signal,
    throwOnError: true,
  });
  return data;
}

export const getInstanceQueryOptions = (id: number) =>
  queryOptions({
    queryKey: instanceKey(id),
    queryFn: ({ signal }) => getInstance(id, signal),
  });

export const useInstance = (id: number) => useQuery(getInstanceQueryOptions(id));
