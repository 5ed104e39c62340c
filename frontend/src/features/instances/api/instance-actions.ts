import { useMutation, useQueryClient } from '@tanstack/react-query';

import {
  instancesApplyWebhook,
  instancesConnect,
  instancesDisconnect,
  instancesRestart,
  instancesSyncInstance,
  instancesSyncInstances,
} from '@/api/generated/sdk.gen';
import type { ConnectRequest } from '@/api/generated/types.gen';

import { storeInstance } from './cache';
import { instanceKey } from './get-instance';
import { instancesListKey } from './get-instances';

export type SimpleAction = 'disconnect' | 'restart' | 'webhook';

export async function connectInstance(id: number, body: ConnectRequest = {}) {
  const { data } = await instancesConnect({
    path: { instance_id: id },
    body,
    throwOnError: true,
  });
  return data;
}

export async function runInstanceAction(id: number, action: SimpleAction) {
  const call = {
    disconnect: instancesDisconnect,
    restart: instancesRestart,
    webhook: instancesApplyWebhook,
  }[action];
  const { data } = await call({ path: { instance_id: id }, throwOnError: true });
  return data;
}

/** One call for many instances; answers one result per instance. */
export async function syncInstances(ids: number[], checkWebhook: boolean | null = null) {
  const { data } = await instancesSyncInstances({
    body: { instance_ids: ids, check_webhook: checkWebhook },
    throwOnError: true,
  });
  return data;
}

export async function syncInstance(id: number) {
  const { data } = await instancesSyncInstance({ path: { instance_id: id }, throwOnError: true });
  return data;
}

/** Disconnect, restart or re-apply the webhook; the answer refreshes the cached instance. */
export function useInstanceAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: number; action: SimpleAction }) =>
      runInstanceAction(id, action),
    onSuccess: (data) => storeInstance(queryClient, data.instance),
  });
}

/** Asks Evolution for the live state and the webhook (drift included). */
export function useSyncInstance() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => syncInstance(id),
    onSuccess: (_data, id) => {
      void queryClient.invalidateQueries({ queryKey: instanceKey(id) });
      void queryClient.invalidateQueries({ queryKey: instancesListKey() });
    },
  });
}

export function useConnectInstance() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body?: ConnectRequest }) => connectInstance(id, body),
    onSuccess: (data) => storeInstance(queryClient, data.instance),
  });
}
