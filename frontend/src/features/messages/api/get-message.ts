import { queryOptions, useQuery } from '@tanstack/react-query';

import { messagesGetMessage, messagesGetMessageRaw } from '@/api/generated/sdk.gen';

export const messageDetailKey = (id: number) => ['messages', 'detail', id] as const;

export const getMessageQueryOptions = (id: number) =>
  queryOptions({
    queryKey: messageDetailKey(id),
    queryFn: async ({ signal }) => {
      const { data } = await messagesGetMessage({
        path: { message_id: id },
        signal,
        throwOnError: true,
      });
      return data;
    },
  });

export const useMessage = (id: number) => useQuery(getMessageQueryOptions(id));

/** The raw Evolution payload (admins only): fetched when someone opens it. */
export const getMessageRawQueryOptions = (id: number) =>
  queryOptions({
    queryKey: ['messages', 'raw', id] as const,
    queryFn: async ({ signal }) => {
      const { data } = await messagesGetMessageRaw({
        path: { message_id: id },
        signal,
        throwOnError: true,
      });
      return data.raw;
    },
    staleTime: Infinity,
  });

export const useMessageRaw = (id: number, enabled: boolean) =>
  useQuery({ ...getMessageRawQueryOptions(id), enabled });
