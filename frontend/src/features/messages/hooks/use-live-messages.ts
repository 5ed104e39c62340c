import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';

import { EVENT, useRealtimeEvent } from '@/lib/realtime';

import { messageDetailKey } from '../api/get-message';
import {
  type MessagesData,
  messagesListKey,
  messagesListKeyRoot,
  replaceMessage,
} from '../api/get-messages';
import { type MessageFilters, matchesFilters } from '../lib/filters';

/**
 * Live updates of the message list. New messages that match the filters are counted, not
 * inserted, so the list does not jump under the reader: `showNew()` brings them in (the
 * first page is fetched again). Receipts and deletions (`message.updated`) are patched in
 * place. An empty list takes new messages at once: there is nothing to jump.
 */
export function useLiveMessages(filters: MessageFilters) {
  const queryClient = useQueryClient();
  const key = messagesListKey(filters);
  const keyHash = JSON.stringify(key);
  // Pending ids belong to one set of filters; new filters start from zero.
  const [pending, setPending] = useState<{ key: string; ids: readonly number[] }>({
    key: keyHash,
    ids: [],
  });
  const ids = pending.key === keyHash ? pending.ids : [];

  const showNew = useCallback(() => {
    setPending({ key: keyHash, ids: [] });
    // Keep only the first page, then fetch it again: the newest messages come on top and
    // the older pages load again on demand (their cursors still hold).
    queryClient.setQueryData<MessagesData>(key, (data) =>
      data && data.pages.length > 1
        ? { pages: data.pages.slice(0, 1), pageParams: data.pageParams.slice(0, 1) }
        : data,
    );
    void queryClient.invalidateQueries({ queryKey: key, exact: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- key is keyHash's source
  }, [queryClient, keyHash]);

  useRealtimeEvent(EVENT.messageCreated, (event) => {
    const message = event.data;
    if (!matchesFilters(message, filters)) return;
    const data = queryClient.getQueryData<MessagesData>(key);
    if (data?.pages.some((page) => page.items.some((item) => item.id === message.id))) return;
    if (data && data.pages.every((page) => page.items.length === 0)) {
      void queryClient.invalidateQueries({ queryKey: key, exact: true });
      return;
    }
    setPending((current) => {
      const base = current.key === keyHash ? current.ids : [];
      return base.includes(message.id) ? current : { key: keyHash, ids: [...base, message.id] };
    });
  });

  useRealtimeEvent(EVENT.messageUpdated, (event) => {
    const message = event.data;
    queryClient.setQueriesData<MessagesData>({ queryKey: messagesListKeyRoot }, (data) =>
      replaceMessage(data, message),
    );
    if (queryClient.getQueryData(messageDetailKey(message.id))) {
      queryClient.setQueryData(messageDetailKey(message.id), message);
    }
  });

  return { newCount: ids.length, showNew };
}
