import {
  infiniteQueryOptions,
  queryOptions,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';

import {
  webhooksGetEvent,
  webhooksListEvents,
  webhooksReplayEvent,
  webhooksReplayEvents,
} from '@/api/generated/sdk.gen';
import type { EventSelection, EventStatus, WebhooksListEventsData } from '@/api/generated/types.gen';
import { periodRange, type PeriodValue } from '@/lib/period';

export const EVENTS_PAGE_SIZE = 50;

export interface EventFilters {
  instanceId: number | null;
  status: EventStatus | '';
  event: string;
  period: PeriodValue;
}

export const NO_EVENT_FILTERS: EventFilters = {
  instanceId: null,
  status: '',
  event: '',
  period: { period: '', from: '', to: '' },
};

type EventsQuery = NonNullable<WebhooksListEventsData['query']>;

/** The API's filters (also the selection a bulk replay takes); the period's bounds are
 * computed when the request is made. */
export function toEventSelection(filters: EventFilters, now: number = Date.now()): EventSelection {
  const { since, until } = periodRange(filters.period, now);
  const selection: EventSelection = {};
  if (filters.instanceId !== null) selection.instance_id = filters.instanceId;
  if (filters.status) selection.status = filters.status;
  if (filters.event.trim()) selection.event = filters.event.trim();
  if (since) selection.since = since;
  if (until) selection.until = until;
  return selection;
}

export const eventsKeys = {
  all: ['webhook-events'] as const,
  list: (filters: EventFilters) => ['webhook-events', 'list', filters] as const,
  detail: (id: number) => ['webhook-events', 'detail', id] as const,
};

export const getEventsQueryOptions = (filters: EventFilters) =>
  infiniteQueryOptions({
    queryKey: eventsKeys.list(filters),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam, signal }) => {
      const query: EventsQuery = { ...toEventSelection(filters), limit: EVENTS_PAGE_SIZE };
      if (pageParam) query.cursor = pageParam;
      const { data } = await webhooksListEvents({ query, signal, throwOnError: true });
      return data;
    },
    getNextPageParam: (last) => last.next_cursor ?? null,
  });

export const useEvents = (filters: EventFilters) => useInfiniteQuery(getEventsQueryOptions(filters));

export const getEventQueryOptions = (id: number) =>
  queryOptions({
    queryKey: eventsKeys.detail(id),
    queryFn: async ({ signal }) => {
      const { data } = await webhooksGetEvent({
        path: { event_id: id },
        signal,
        throwOnError: true,
      });
      return data;
    },
  });

export const useEvent = (id: number | null) =>
  useQuery({ ...getEventQueryOptions(id ?? 0), enabled: id !== null });

export function useReplayEvent() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) => {
      const { data } = await webhooksReplayEvent({ path: { event_id: id }, throwOnError: true });
      return data;
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: eventsKeys.all }),
  });
}

export function useReplaySelection() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (selection: EventSelection) => {
      const { data } = await webhooksReplayEvents({ body: selection, throwOnError: true });
      return data;
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: eventsKeys.all }),
  });
}
