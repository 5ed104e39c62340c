import { queryOptions, useQuery } from '@tanstack/react-query';

import { serversListServers } from '@/api/generated/sdk.gen';
import type { ServerRead } from '@/api/generated/types.gen';

export type ServerOption = Pick<ServerRead, 'id' | 'name' | 'base_url'>;

/** The servers to pick from (filters, the form, import): all of them, by name. */
export async function getServerOptions(signal?: AbortSignal): Promise<ServerOption[]> {
  const { data } = await serversListServers({
    query: { page: 1, page_size: 200 },
    signal,
    throwOnError: true,
  });
  return data.items
    .map(({ id, name, base_url }) => ({ id, name, base_url }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export const serverOptionsKey = () => ['instances', 'server-options'] as const;

export const getServerOptionsQueryOptions = () =>
  queryOptions({
    queryKey: serverOptionsKey(),
    queryFn: ({ signal }) => getServerOptions(signal),
    staleTime: 60_000,
  });

export const useServerOptions = () => useQuery(getServerOptionsQueryOptions());
