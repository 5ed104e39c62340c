import { useMutation, useQueryClient } from '@tanstack/react-query';

import { statsOverviewQueryKey } from '@/api/generated/@tanstack/react-query.gen';
import { serversDeleteServer } from '@/api/generated/sdk.gen';

import { serversQueryKeyPrefix } from './get-servers';

export interface DeleteServerInput {
  serverId: number;
  /** Delete its instances too (on Evolution first); without it a server with any is a 409. */
  removeInstances?: boolean;
  /** With removeInstances: delete here even when Evolution cannot delete them. */
  force?: boolean;
}

export async function deleteServer({
  serverId,
  removeInstances = false,
  force = false,
}: DeleteServerInput): Promise<void> {
  await serversDeleteServer({
    path: { server_id: serverId },
    query: {
      ...(removeInstances ? { remove_instances: true } : {}),
      ...(force ? { force: true } : {}),
    },
    throwOnError: true,
  });
}

export function useDeleteServer() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteServer,
    // Instance lists learn about instances deleted with their server from the realtime
    // events of those deletions, like any other change.
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: serversQueryKeyPrefix() }),
        queryClient.invalidateQueries({ queryKey: statsOverviewQueryKey() }),
      ]);
    },
  });
}
