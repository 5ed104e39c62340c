import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { instancesReadSettings, instancesWriteSettings } from '@/api/generated/sdk.gen';
import type { InstanceSettingsWrite } from '@/api/generated/types.gen';

export const instanceSettingsKey = (id: number) => ['instances', 'settings', id] as const;

export async function getInstanceSettings(id: number, signal?: AbortSignal) {
  const { data } = await instancesReadSettings({
    path: { instance_id: id },
    signal,
    throwOnError: true,
  });
  return data;
}

/** Read live from Evolution: not retried (a 502/504 says the server is down). */
export const getInstanceSettingsQueryOptions = (id: number) =>
  queryOptions({
    queryKey: instanceSettingsKey(id),
    queryFn: ({ signal }) => getInstanceSettings(id, signal),
    retry: false,
  });

export const useInstanceSettings = (id: number) => useQuery(getInstanceSettingsQueryOptions(id));

export function useWriteInstanceSettings(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: InstanceSettingsWrite) => {
      const { data } = await instancesWriteSettings({
        path: { instance_id: id },
        body,
        throwOnError: true,
      });
      return data;
    },
    onSuccess: (data) => queryClient.setQueryData(instanceSettingsKey(id), data),
  });
}
