import { queryOptions, useQuery } from '@tanstack/react-query';

import { serversListServersQueryKey } from '@/api/generated/@tanstack/react-query.gen';
import { serversListServers } from '@/api/generated/sdk.gen';
import type { PageServerRead, ServerRead } from '@/api/generated/types.gen';

export type Server = ServerRead;

/** Servers are few; one page holds them all (the API allows up to 200). */
export const SERVERS_PAGE_SIZE = 200;

export async function getServers({
  signal,
}: { signal?: AbortSignal } = {}): Promise<PageServerRead> {
  const { data } = await serversListServers({
    query: { page_size: SERVERS_PAGE_SIZE },
    signal,
    throwOnError: true,
  });
  return data;
}

/** Every server list query (any page size): what to invalidate after a change. */
export const serversQueryKeyPrefix = () => [{ _id: 'serversListServers' }] as const;

export const getServersQueryOptions = () =>
  queryOptions({
    queryKey: serversListServersQueryKey({ query: { page_size: SERVERS_PAGE_SIZE } }),
    queryFn: ({ signal }) => getServers({ signal }),
  });

export const useServers = () => useQuery(getServersQueryOptions());
