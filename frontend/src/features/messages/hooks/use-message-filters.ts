import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';

import { useDebouncedValue } from '@/hooks/use-debounced-value';

import {
  EMPTY_FILTERS,
  type MessageFilters,
  readMessageFilters,
  writeMessageFilters,
} from '../lib/filters';

export const SEARCH_DEBOUNCE_MS = 350;

/**
 * A text box whose value goes into the URL once typing pauses, and follows the URL when it
 * changes otherwise (back button, "clear filters").
 */
function useDebouncedUrlText(urlValue: string, write: (value: string) => void) {
  const [text, setText] = useState(urlValue);
  const [seen, setSeen] = useState(urlValue);
  // The URL changed under us: show what it says (adjusting state while rendering).
  if (urlValue !== seen) {
    setSeen(urlValue);
    if (urlValue !== text.trim()) setText(urlValue);
  }
  const debounced = useDebouncedValue(text, SEARCH_DEBOUNCE_MS);
  useEffect(() => {
    // Only a settled value is written: a stale one would undo a change made meanwhile.
    if (debounced === text && debounced.trim() !== urlValue) write(debounced.trim());
  }, [debounced, text, urlValue, write]);
  return [text, setText] as const;
}

/** The message filters, kept in the URL query string (so a filtered view can be shared). */
export function useMessageFilters() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readMessageFilters(params), [params]);

  const update = useCallback(
    (patch: Partial<MessageFilters>) => {
      setParams(
        (current) => writeMessageFilters(current, { ...readMessageFilters(current), ...patch }),
        { replace: true },
      );
    },
    [setParams],
  );
  const clear = useCallback(() => update(EMPTY_FILTERS), [update]);

  const writeQ = useCallback((q: string) => update({ q }), [update]);
  const writeSender = useCallback((sender: string) => update({ sender }), [update]);
  const [searchText, setSearchText] = useDebouncedUrlText(filters.q, writeQ);
  const [senderText, setSenderText] = useDebouncedUrlText(filters.sender, writeSender);

  return { filters, update, clear, searchText, setSearchText, senderText, setSenderText };
}

export type MessageFiltersState = ReturnType<typeof useMessageFilters>;
