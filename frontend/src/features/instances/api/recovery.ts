import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { recoveryListRecoveries, recoveryRecover } from '@/api/generated/sdk.gen';
import type { RecoveryRunRead } from '@/api/generated/types.gen';
import { EVENT, RECONNECTED, useRealtimeEvent } from '@/lib/realtime';

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

/** The list with `run` in it: replaced where it was, or first (the list is newest first). */
function withRun(runs: RecoveryRun[], run: RecoveryRun): RecoveryRun[] {
  return runs.some((r) => r.id === run.id)
    ? runs.map((r) => (r.id === run.id ? run : r))
    : [run, ...runs];
}

/**
 * The instance's passes, live: a pass the server starts by itself (the instance went back
 * to open, evodash started) or ends is put in the list from its `recovery.updated` event;
 * a running pass's progress is polled.
 */
export function useRecoveries(id: number, pollMs?: number) {
  const queryClient = useQueryClient();
  useRealtimeEvent(EVENT.recoveryUpdated, (event) => {
    if (event.data.instance_id !== id) return;
    const key = recoveriesKey(id);
    if (queryClient.isFetching({ queryKey: key }) > 0) {
      // A read that began before this pass would put back a list without it: drop that
      // read and read again (invalidating alone would wait for it when nothing is shown yet).
      void queryClient
        .cancelQueries({ queryKey: key })
        .then(() => queryClient.invalidateQueries({ queryKey: key }));
      return;
    }
    queryClient.setQueryData(key, (runs: RecoveryRun[] | undefined) =>
      runs ? withRun(runs, event.data) : runs,
    );
  });
  useRealtimeEvent(RECONNECTED, () => {
    void queryClient.invalidateQueries({ queryKey: recoveriesKey(id) });
  });
  return useQuery(getRecoveriesQueryOptions(id, pollMs));
}

export function useRecover(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const { data } = await recoveryRecover({ path: { instance_id: id }, throwOnError: true });
      return data;
    },
    onSuccess: (run) => {
      queryClient.setQueryData(recoveriesKey(id), (runs: RecoveryRun[] | undefined) =>
        withRun(runs ?? [], run),
      );
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: recoveriesKey(id) }),
  });
}
