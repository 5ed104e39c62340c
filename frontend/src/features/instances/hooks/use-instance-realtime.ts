import { useQueryClient } from '@tanstack/react-query';

import { type RealtimeEvent, RECONNECTED, useInvalidateOn, useRealtimeEvent } from '@/lib/realtime';

import { allowedNumbersKey } from '../api/allowed-numbers';
import { instanceKey } from '../api/get-instance';
import { instanceEventsKey } from '../api/get-instance-events';
import { type Instance, instancesListKey } from '../api/get-instances';
import { instanceMessagesKey } from '../api/instance-messages';

/** Instance events the backend sends (see backend `instances/history.py`). */
export const INSTANCE_UPDATED = 'instance.updated';
export const INSTANCE_CREATED = 'instance.created';
export const INSTANCE_DELETED = 'instance.deleted';
export const INSTANCE_QR = 'instance.qr';

/** `instance.qr` data: the newest QR (PNG data URL) or pairing code of an instance. */
export interface InstanceQrEvent {
  id: number;
  qr: string | null;
  code: string | null;
  pairing_code: string | null;
  at: string;
}

/** Keeps every instance list fresh: created, changed or deleted anywhere. */
export function useInstancesListRealtime() {
  useInvalidateOn([INSTANCE_UPDATED, INSTANCE_CREATED, INSTANCE_DELETED], [instancesListKey()]);
}

function isInstance(data: unknown): data is Instance {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { id?: unknown }).id === 'number' &&
    typeof (data as { status?: unknown }).status === 'string' &&
    typeof (data as { name?: unknown }).name === 'string'
  );
}

/**
 * Keeps one instance's page live: `instance.updated` carries the whole instance (the same
 * shape as GET), so it replaces the cached one at once (the status flips without a
 * refetch) and the connection history is refetched; new messages refresh the recent list.
 */
export function useInstanceRealtime(id: number) {
  const queryClient = useQueryClient();
  useRealtimeEvent([INSTANCE_UPDATED, INSTANCE_DELETED], (event: RealtimeEvent) => {
    const data = event.data as { id?: unknown } | null;
    if (!data || data.id !== id) return;
    if (event.type === INSTANCE_UPDATED && isInstance(data)) {
      queryClient.setQueryData(instanceKey(id), data);
    } else {
      void queryClient.invalidateQueries({ queryKey: instanceKey(id) });
    }
    void queryClient.invalidateQueries({ queryKey: instanceEventsKey(id) });
  });
  useInvalidateOn<{ instance_id?: number }>(
    ['message.created', 'message.updated'],
    [instanceMessagesKey(id)],
    { filter: (event) => event.data.instance_id === id },
  );
  useRealtimeEvent(RECONNECTED, () => {
    for (const queryKey of [instanceKey(id), instanceEventsKey(id), allowedNumbersKey(id)]) {
      void queryClient.invalidateQueries({ queryKey });
    }
  });
}
