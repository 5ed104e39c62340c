import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';

import { RECONNECTED, useRealtimeEvent } from '@/lib/realtime';

import { overviewQueryKey } from '../api/get-overview';

/** What moves the dashboard's figures. */
export const OVERVIEW_EVENTS = [
  'message.created',
  'instance.created',
  'instance.updated',
  'instance.deleted',
  'job.updated',
  'server.created',
  'server.deleted',
  RECONNECTED,
] as const;

/** Quiet time after the last event before refetching… */
export const LIVE_DEBOUNCE_MS = 1500;
/** …but never wait longer than this during a steady stream of messages. */
export const LIVE_MAX_WAIT_MS = 8000;

/**
 * Refetches the dashboard figures when something they count changes, debounced: a burst of
 * 200 incoming messages costs one request, and a steady stream one every LIVE_MAX_WAIT_MS.
 */
export function useLiveOverview(): void {
  const queryClient = useQueryClient();
  const timers = useRef<{
    debounce?: ReturnType<typeof setTimeout>;
    maxWait?: ReturnType<typeof setTimeout>;
  }>({});

  useEffect(() => {
    const current = timers.current;
    return () => {
      clearTimeout(current.debounce);
      clearTimeout(current.maxWait);
    };
  }, []);

  useRealtimeEvent(OVERVIEW_EVENTS, () => {
    const current = timers.current;
    const flush = () => {
      clearTimeout(current.debounce);
      clearTimeout(current.maxWait);
      current.debounce = undefined;
      current.maxWait = undefined;
      void queryClient.invalidateQueries({ queryKey: overviewQueryKey() });
    };
    clearTimeout(current.debounce);
    current.debounce = setTimeout(flush, LIVE_DEBOUNCE_MS);
    current.maxWait ??= setTimeout(flush, LIVE_MAX_WAIT_MS);
  });
}
