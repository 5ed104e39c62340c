import { type InfiniteData, infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';

import { messagesListMessages } from '@/api/generated/sdk.gen';
import type {
  MessageRead,
  MessagesListMessagesData,
  MessagesListMessagesResponse,
} from '@/api/generated/types.gen';
import { periodRange } from '@/lib/period';

import type { MessageFilters } from '../lib/filters';

export type MessagesPage = MessagesListMessagesResponse;
export type MessagesData = InfiniteData<MessagesPage, string | null>;
export type MessagesQuery = NonNullable<MessagesListMessagesData['query']>;

export const MESSAGES_PAGE_SIZE = 50;

/** The API's query string for the filters; the period's bounds are computed at `now`. */
export function toMessagesQuery(filters: MessageFilters, now: number = Date.now()): MessagesQuery {
  const { since, until } = periodRange(filters.period, now);
  const query: MessagesQuery = {};
  if (filters.instanceId !== null) query.instance_id = filters.instanceId;
  if (filters.direction) query.direction = filters.direction;
  if (filters.type) query.type = filters.type;
  if (filters.status) query.allowed = filters.status === 'allowed';
  if (since) query.since = since;
  if (until) query.until = until;
  if (filters.sender) query.sender = filters.sender;
  if (filters.q) query.q = filters.q;
  return query;
}

/** Every message list query starts with this (the realtime handlers patch them all). */
export const messagesListKeyRoot = ['messages', 'list'] as const;

/** The key holds the filters as the URL has them (a "last 24 h" period stays the same key). */
export const messagesListKey = (filters: MessageFilters) =>
  [...messagesListKeyRoot, filters] as const;

/** Newest first, keyset-paginated: each page's `next_cursor` asks for the older ones. */
export const getMessagesInfiniteQueryOptions = (
  filters: MessageFilters,
  pageSize = MESSAGES_PAGE_SIZE,
) =>
  infiniteQueryOptions({
    queryKey: messagesListKey(filters),
    queryFn: async ({ pageParam, signal }) => {
      const { data } = await messagesListMessages({
        query: {
          ...toMessagesQuery(filters),
          limit: pageSize,
          ...(pageParam ? { cursor: pageParam } : {}),
        },
        signal,
        throwOnError: true,
      });
      return data;
    },
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.next_cursor ?? undefined,
  });

export const useMessages = (filters: MessageFilters) =>
  useInfiniteQuery(getMessagesInfiniteQueryOptions(filters));

/** Replaces a message wherever it is in loaded pages (a receipt, a deletion). */
export function replaceMessage(data: MessagesData | undefined, message: MessageRead) {
  const holds = (page: MessagesPage) => page.items.some((item) => item.id === message.id);
  if (!data?.pages.some(holds)) return data;
  const pages = data.pages.map((page) =>
    holds(page)
      ? { ...page, items: page.items.map((item) => (item.id === message.id ? message : item)) }
      : page,
  );
  return { ...data, pages };
}
