import { queryOptions, useQuery } from '@tanstack/react-query';

import { instancesListInstances } from '@/api/generated/sdk.gen';

export interface InstanceOption {
  id: number;
  name: string;
}

/** The instances, for the filter and to name each row's instance (deleted ones too). */
export const getInstanceOptionsQueryOptions = () =>
  queryOptions({
    queryKey: ['instance-names', 'webhooks'] as const,
    queryFn: async ({ signal }): Promise<InstanceOption[]> => {
      const { data } = await instancesListInstances({
        query: { include_deleted: true, page_size: 200 },
        signal,
        throwOnError: true,
      });
      return data.items.map((instance) => ({
        id: instance.id,
        name: instance.display_name || instance.name,
      }));
    },
    staleTime: 5 * 60_000,
  });

export const useInstanceOptions = () => useQuery(getInstanceOptionsQueryOptions());
