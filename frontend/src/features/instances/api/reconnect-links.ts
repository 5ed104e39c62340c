import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import {
  instancesListInstances,
  messagesSendText,
  reconnectCreateLink,
  reconnectListLinks,
  reconnectRevokeLink,
} from '@/api/generated/sdk.gen';
import type { ReconnectLinkCreate, ReconnectLinkRead, SendText } from '@/api/generated/types.gen';

export type ReconnectLink = ReconnectLinkRead;

export const reconnectLinksKey = (id: number) => ['instances', 'reconnect-links', id] as const;

export const getReconnectLinksQueryOptions = (id: number) =>
  queryOptions({
    queryKey: reconnectLinksKey(id),
    queryFn: async ({ signal }) => {
      const { data } = await reconnectListLinks({
        path: { instance_id: id },
        signal,
        throwOnError: true,
      });
      return data;
    },
    // A customer opening or using a link changes it: look again now and then.
    refetchInterval: 30_000,
  });

export const useReconnectLinks = (id: number) => useQuery(getReconnectLinksQueryOptions(id));

export function useCreateReconnectLink(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: ReconnectLinkCreate) => {
      const { data } = await reconnectCreateLink({
        path: { instance_id: id },
        body,
        throwOnError: true,
      });
      return data;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: reconnectLinksKey(id) }),
  });
}

export function useRevokeReconnectLink(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (linkId: number) => {
      await reconnectRevokeLink({ path: { instance_id: id, link_id: linkId }, throwOnError: true });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: reconnectLinksKey(id) }),
  });
}

/** Connected instances a link can be sent from (the caller's scope; not `exceptId`). */
export const getSenderInstancesQueryOptions = (exceptId: number) =>
  queryOptions({
    queryKey: ['instances', 'list', { status: 'open', senders: true }] as const,
    queryFn: async ({ signal }) => {
      const { data } = await instancesListInstances({
        query: { status: ['open'], page_size: 100 },
        signal,
        throwOnError: true,
      });
      return data.items;
    },
    select: (items) => items.filter((item) => item.id !== exceptId),
  });

export const useSenderInstances = (exceptId: number, enabled: boolean) =>
  useQuery({ ...getSenderInstancesQueryOptions(exceptId), enabled });

/** Sends the link as a WhatsApp text from another instance (the send-message route). */
export function useSendLink() {
  return useMutation({
    mutationFn: async ({ fromId, body }: { fromId: number; body: SendText }) => {
      const { data } = await messagesSendText({
        path: { instance_id: fromId },
        body,
        throwOnError: true,
      });
      return data;
    },
  });
}
