import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { recoveryListRecoveries, recoveryRecover } from '@/api/generated/sdk.gen';
import type { RecoveryRunRead } from '@/api/generated/types.gen';

export type RecoveryRun = RecoveryRunRead;

export const recoveriesKey = (id: number) => ['instances', 'recoveries', id] as const;

/** While a pass runs its progress is polled this often (it moves page by page). */
const RUNNING_POLL_MS = 1500;

export async function getRecoveries(id: number, signal?: AbortSignal) {
  const { data } = await recoveryListRecoveries({
    path: { instance_id: id },
    signal,
    throwOnError: true,
  });
  return data;
}

export const getRecoveriesQueryOptions = (id: number, pollMs = RUNNING_POLL_MS) =>
  queryOptions({
    queryKey: recoveriesKey(id),
    queryFn: ({ signal }) => getRecoveries(id, signal),
    refetchInterval: (query) =>
      query.state.data?.some((run) => run.status === 'running') ? pollMs : false,
  });

export const useRecoveries = (id: number, pollMs?: number) =>
  useQuery(getRecoveriesQueryOptions(id, pollMs));

export function useRecover(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const { data } = await recoveryRecover({ path: { instance_id: id }, throwOnError: true });
      return data;
    },
    onSuccess: (run) => {
      queryClient.setQueryData(recoveriesKey(id), (runs: RecoveryRun[] | undefined) => [
        run,
        ...(runs ?? []).filter((r) => r.id !== run.id),
      ]);
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: recoveriesKey(id) }),
  });
}
