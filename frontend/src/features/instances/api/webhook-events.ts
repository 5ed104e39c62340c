import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import {
  instancesSetEvents,
  instancesSetEventsInBulk,
  instancesWebhookEventCatalog,
} from '@/api/generated/sdk.gen';
import type { DestinationCreate, WebhookEventInfo } from '@/api/generated/types.gen';

import { storeInstance } from './cache';

/** A subscription name of `webhook/set` (`MESSAGES_UPSERT`). */
export type EventName = NonNullable<DestinationCreate['events']>[number];
export type EventInfo = WebhookEventInfo & { name: EventName };

export const webhookEventsKey = ['instances', 'webhook-events'] as const;

export async function getWebhookEventCatalog(signal?: AbortSignal) {
  const { data } = await instancesWebhookEventCatalog({ signal, throwOnError: true });
  return data as EventInfo[];
}

/** The events Evolution can post, and which evodash needs (fixed for a given server). */
export const webhookEventCatalogQueryOptions = () =>
  queryOptions({
    queryKey: webhookEventsKey,
    queryFn: ({ signal }) => getWebhookEventCatalog(signal),
    staleTime: Infinity,
  });

export const useWebhookEventCatalog = () => useQuery(webhookEventCatalogQueryOptions());

/** Subscribe one instance to the required events and `events` (on Evolution too). */
export function useSetWebhookEvents(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (events: EventName[]) => {
      const { data } = await instancesSetEvents({
        path: { instance_id: id },
        body: { events },
        throwOnError: true,
      });
      return data;
    },
    onSuccess: (instance) => storeInstance(queryClient, instance),
  });
}

/** The same for many instances: one result each. */
export async function setWebhookEventsInBulk(instanceIds: number[], events: EventName[]) {
  const { data } = await instancesSetEventsInBulk({
    body: { instance_ids: instanceIds, events },
    throwOnError: true,
  });
  return data;
}
