import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { messagesListMessages, messagesSendText } from '@/api/generated/sdk.gen';
import type { SendText } from '@/api/generated/types.gen';

export const instanceMessagesKey = (id: number) => ['instances', 'messages', id] as const;

export async function getRecentMessages(id: number, limit: number, signal?: AbortSignal) {
  const { data } = await messagesListMessages({
    query: { instance_id: id, limit },
    signal,
    throwOnError: true,
  });
  return data;
}

export const getRecentMessagesQueryOptions = (id: number, limit = 10) =>
  queryOptions({
    queryKey: [...instanceMessagesKey(id), limit] as const,
    queryFn: ({ signal }) => getRecentMessages(id, limit, signal),
  });

export const useRecentMessages = (id: number, limit = 10) =>
  useQuery(getRecentMessagesQueryOptions(id, limit));

export function useSendText(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: SendText) => {
      const { data } = await messagesSendText({
        path: { instance_id: id },
        body,
        throwOnError: true,
      });
      return data;
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: instanceMessagesKey(id) }),
  });
}
