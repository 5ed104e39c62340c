import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { instancesImportInstances, instancesListImportable } from '@/api/generated/sdk.gen';
import type { ImportRequest } from '@/api/generated/types.gen';

import { instancesListKey } from './get-instances';

export const importableKey = (serverId: number) => ['instances', 'importable', serverId] as const;

export async function getImportable(serverId: number, signal?: AbortSignal) {
  const { data } = await instancesListImportable({
    query: { server_id: serverId },
    signal,
    throwOnError: true,
  });
  return data;
}

/** Asks the Evolution server live; nothing to retry on a 502/504. */
export const getImportableQueryOptions = (serverId: number) =>
  queryOptions({
    queryKey: importableKey(serverId),
    queryFn: ({ signal }) => getImportable(serverId, signal),
    retry: false,
    staleTime: 0,
  });

export const useImportable = (serverId: number | null) =>
  useQuery({ ...getImportableQueryOptions(serverId ?? 0), enabled: serverId !== null });

export function useImportInstances() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: ImportRequest) => {
      const { data } = await instancesImportInstances({ body, throwOnError: true });
      return data;
    },
    onSuccess: (_data, body) => {
      void queryClient.invalidateQueries({ queryKey: importableKey(body.server_id) });
      void queryClient.invalidateQueries({ queryKey: instancesListKey() });
    },
  });
}
