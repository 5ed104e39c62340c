import { infiniteQueryOptions, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';

import { webhooksListDeliveries, webhooksRetryDelivery } from '@/api/generated/sdk.gen';
import type { DeliveryStatus, WebhooksListDeliveriesData } from '@/api/generated/types.gen';

export const DELIVERIES_PAGE_SIZE = 50;
/** While attempts are pending the list is read again this often. */
const PENDING_POLL_MS = 2000;
/** Otherwise this often: new attempts (each relayed event makes some) show up by themselves. */
const IDLE_POLL_MS = 5000;

export interface DeliveryFilters {
  instanceId: number | null;
  status: DeliveryStatus | '';
}

type DeliveriesQuery = NonNullable<WebhooksListDeliveriesData['query']>;

export const deliveriesKeys = {
  all: ['webhook-deliveries'] as const,
  list: (filters: DeliveryFilters) => ['webhook-deliveries', 'list', filters] as const,
};

export const getDeliveriesQueryOptions = (
  filters: DeliveryFilters,
  pollMs = PENDING_POLL_MS,
  idlePollMs = IDLE_POLL_MS,
) =>
  infiniteQueryOptions({
    queryKey: deliveriesKeys.list(filters),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam, signal }) => {
      const query: DeliveriesQuery = { limit: DELIVERIES_PAGE_SIZE };
      if (filters.instanceId !== null) query.instance_id = filters.instanceId;
      if (filters.status) query.status = filters.status;
      if (pageParam) query.cursor = pageParam;
      const { data } = await webhooksListDeliveries({ query, signal, throwOnError: true });
      return data;
    },
    getNextPageParam: (last) => last.next_cursor ?? null,
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.items.some((d) => d.status === 'pending'))
        ? pollMs
        : idlePollMs,
  });

export const useDeliveries = (filters: DeliveryFilters, pollMs?: number) =>
  useInfiniteQuery(getDeliveriesQueryOptions(filters, pollMs));

export interface RetryOutcome {
  id: number;
  ok: boolean;
  error?: unknown;
}

/** Retries each delivery in turn (one call each); the outcome of every one. */
export function useRetryDeliveries() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (ids: number[]): Promise<RetryOutcome[]> => {
      const outcomes: RetryOutcome[] = [];
      for (const id of ids) {
        try {
          await webhooksRetryDelivery({ path: { delivery_id: id }, throwOnError: true });
          outcomes.push({ id, ok: true });
        } catch (error) {
          outcomes.push({ id, ok: false, error });
        }
      }
      return outcomes;
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: deliveriesKeys.all }),
  });
}
