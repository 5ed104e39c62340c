import { queryOptions, useQuery } from '@tanstack/react-query';

import { instancesListEvents } from '@/api/generated/sdk.gen';

export const instanceEventsKey = (id: number) => ['instances', 'events', id] as const;

export async function getInstanceEvents(id: number, pageSize: number, signal?: AbortSignal) {
  const { data } = await instancesListEvents({
    path: { instance_id: id },
    query: { page: 1, page_size: pageSize },
    signal,
    throwOnError: true,
  });
  return data;
}

export const getInstanceEventsQueryOptions = (id: number, pageSize = 15) =>
  queryOptions({
    queryKey: [...instanceEventsKey(id), pageSize] as const,
    queryFn: ({ signal }) => getInstanceEvents(id, pageSize, signal),
  });

export const useInstanceEvents = (id: number, pageSize = 15) =>
  useQuery(getInstanceEventsQueryOptions(id, pageSize));
