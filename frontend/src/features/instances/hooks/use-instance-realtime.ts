import { type QueryClient, useQueryClient } from '@tanstack/react-query';

import type {
  InstancesListInstancesResponse,
  MessageRead,
  MessagesListMessagesResponse,
} from '@/api/generated/types.gen';
import { EVENT, RECONNECTED, useInvalidateOn, useRealtimeEvent } from '@/lib/realtime';

import { allowedNumbersKey } from '../api/allowed-numbers';
import { instanceKey } from '../api/get-instance';
import { instanceEventsKey } from '../api/get-instance-events';
import { type Instance, type InstanceListParams, instancesListKey } from '../api/get-instances';
import { instanceMessagesKey } from '../api/instance-messages';

/**
 * Puts an instance's new state (the `instance.updated` payload, the same shape as GET) into
 * every loaded list page. A page whose status filter it now leaves, or may now enter, is
 * fetched again; the others change without a request.
 */
function patchLists(queryClient: QueryClient, instance: Instance): void {
  const pages = queryClient.getQueriesData<InstancesListInstancesResponse>({
    queryKey: instancesListKey(),
  });
  for (const [key, page] of pages) {
    if (!page) continue;
    const params = key[2] as InstanceListParams | undefined;
    const listed = page.items.some((item) => item.id === instance.id);
    const wanted = !params?.status || params.status === instance.status;
    if (listed && wanted) {
      queryClient.setQueryData<InstancesListInstancesResponse>(key, {
        ...page,
        items: page.items.map((item) => (item.id === instance.id ? instance : item)),
      });
    } else if (listed || (wanted && params?.status)) {
      void queryClient.invalidateQueries({ queryKey: key, exact: true });
    }
  }
}

/** Keeps every instance list fresh: changes are patched in, arrivals and departures refetch. */
export function useInstancesListRealtime() {
  const queryClient = useQueryClient();
  useRealtimeEvent(EVENT.instanceUpdated, (event) => {
    patchLists(queryClient, event.data);
  });
  useInvalidateOn([EVENT.instanceCreated, EVENT.instanceDeleted], [instancesListKey()]);
}

type RecentPage = MessagesListMessagesResponse;

const newestFirst = (a: MessageRead, b: MessageRead) =>
  b.wa_timestamp.localeCompare(a.wa_timestamp) || b.id - a.id;

/** Adds or replaces a message in an instance's "recent messages" lists (any limit). */
function patchRecent(queryClient: QueryClient, id: number, message: MessageRead): void {
  for (const [key, page] of queryClient.getQueriesData<RecentPage>({
    queryKey: instanceMessagesKey(id),
  })) {
    if (!page) continue;
    const limit = typeof key[3] === 'number' ? key[3] : page.items.length;
    const others = page.items.filter((item) => item.id !== message.id);
    const items = [...others, message].sort(newestFirst).slice(0, Math.max(limit, 1));
    queryClient.setQueryData<RecentPage>(key, { ...page, items });
  }
}

/**
 * Keeps one instance's page live: `instance.updated` carries the whole instance (the same
 * shape as GET), so it replaces the cached one at once (the status flips without a
 * refetch); the connection history is fetched again only when the status changed; new and
 * updated messages go straight into the recent list.
 */
export function useInstanceRealtime(id: number) {
  const queryClient = useQueryClient();
  useRealtimeEvent(EVENT.instanceUpdated, (event) => {
    if (event.data.id !== id) return;
    const before = queryClient.getQueryData<Instance>(instanceKey(id));
    queryClient.setQueryData(instanceKey(id), event.data);
    if (before?.status !== event.data.status) {
      void queryClient.invalidateQueries({ queryKey: instanceEventsKey(id) });
    }
  });
  useRealtimeEvent(EVENT.instanceDeleted, (event) => {
    if (event.data.id !== id) return;
    void queryClient.invalidateQueries({ queryKey: instanceKey(id) });
  });
  useRealtimeEvent([EVENT.messageCreated, EVENT.messageUpdated], (event) => {
    if (event.data.instance_id === id) patchRecent(queryClient, id, event.data);
  });
  useRealtimeEvent(RECONNECTED, () => {
    for (const queryKey of [
      instanceKey(id),
      instanceEventsKey(id),
      allowedNumbersKey(id),
      instanceMessagesKey(id),
    ]) {
      void queryClient.invalidateQueries({ queryKey });
    }
  });
}
