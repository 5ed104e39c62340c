import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';

import { EVENT, type FrameOf, RECONNECTED, useRealtimeEvent } from '@/lib/realtime';

import { overviewQueryKey } from '../api/get-overview';

/** What moves the dashboard's figures. */
export const OVERVIEW_EVENTS = [
  EVENT.messageCreated,
  EVENT.instanceCreated,
  EVENT.instanceUpdated,
  EVENT.instanceDeleted,
  EVENT.jobUpdated,
  EVENT.serverCreated,
  EVENT.serverDeleted,
  RECONNECTED,
] as const;

/** After a refetch, events wait for this much quiet time before the next one… */
export const LIVE_DEBOUNCE_MS = 1500;
/** …but never wait longer than this during a steady stream of messages. */
export const LIVE_MAX_WAIT_MS = 8000;

/** The part of an instance or job the dashboard shows; other changes (a new QR code,
 * a job's progress) do not move its figures. */
function visibleState(
  event: FrameOf<typeof EVENT.instanceUpdated | typeof EVENT.jobUpdated>,
): { id: string; state: string } {
  const name = event.type === EVENT.instanceUpdated ? event.data.display_name : '';
  return { id: `${event.type}:${event.data.id}`, state: `${event.data.status}|${name}` };
}

/**
 * Refetches the dashboard figures when something they count changes: at once for the first
 * event (a number that connects shows as connected without delay), then, while events keep
 * coming, once they quiet down: a burst of 200 incoming messages costs two requests, and a
 * steady stream one every LIVE_MAX_WAIT_MS. Updates of an instance or a job that leave its
 * status (and name) as they were are skipped: a connecting instance gets a new QR code
 * every few seconds.
 */
export function useLiveOverview(): void {
  const queryClient = useQueryClient();
  const timers = useRef<{
    debounce?: ReturnType<typeof setTimeout>;
    maxWait?: ReturnType<typeof setTimeout>;
    /** When the last refetch started (ms since the epoch). */
    lastRefetch: number;
  }>({ lastRefetch: Number.NEGATIVE_INFINITY });
  const seen = useRef(new Map<string, string>());

  useEffect(() => {
    const current = timers.current;
    return () => {
      clearTimeout(current.debounce);
      clearTimeout(current.maxWait);
    };
  }, []);

  useRealtimeEvent(OVERVIEW_EVENTS, (event) => {
    if (event.type === EVENT.instanceUpdated || event.type === EVENT.jobUpdated) {
      const visible = visibleState(event);
      const before = seen.current.get(visible.id);
      seen.current.set(visible.id, visible.state);
      if (before === visible.state) return;
    }
    const current = timers.current;
    const flush = () => {
      clearTimeout(current.debounce);
      clearTimeout(current.maxWait);
      current.debounce = undefined;
      current.maxWait = undefined;
      current.lastRefetch = Date.now();
      void queryClient.invalidateQueries({ queryKey: overviewQueryKey() });
    };
    if (current.debounce === undefined && Date.now() - current.lastRefetch >= LIVE_DEBOUNCE_MS) {
      flush();
      return;
    }
    clearTimeout(current.debounce);
    current.debounce = setTimeout(flush, LIVE_DEBOUNCE_MS);
    current.maxWait ??= setTimeout(flush, LIVE_MAX_WAIT_MS);
  });
}
