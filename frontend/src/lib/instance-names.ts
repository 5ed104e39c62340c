import { queryOptions, useQuery } from '@tanstack/react-query';

import { instancesListInstances } from '@/api/generated/sdk.gen';

export interface InstanceOption {
  id: number;
  name: string;
  deleted: boolean;
}

/**
 * The instances, for filters and to name each row's instance (deleted ones too: their
 * messages, jobs and invoices stay). One page of the API's maximum size. Shared by the
 * pages that list them (one cache entry).
 */
export const getInstanceNamesQueryOptions = () =>
  queryOptions({
    queryKey: ['instance-names'] as const,
    queryFn: async ({ signal }): Promise<InstanceOption[]> => {
      const { data } = await instancesListInstances({
        query: { include_deleted: true, page_size: 200 },
        signal,
        throwOnError: true,
      });
      return data.items.map((instance) => ({
        id: instance.id,
        name: instance.display_name || instance.name,
        deleted: instance.deleted_at !== null,
      }));
    },
    staleTime: 5 * 60_000,
  });

export const useInstanceNames = () => useQuery(getInstanceNamesQueryOptions());
