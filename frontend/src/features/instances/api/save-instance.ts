import { useMutation, useQueryClient } from '@tanstack/react-query';

import { instancesCreateInstance, instancesUpdateInstance } from '@/api/generated/sdk.gen';
import type { InstanceCreate, InstanceUpdate } from '@/api/generated/types.gen';

import { storeInstance } from './cache';

export async function createInstance(body: InstanceCreate) {
  const { data } = await instancesCreateInstance({ body, throwOnError: true });
  return data;
}

export async function updateInstance(id: number, body: InstanceUpdate) {
  const { data } = await instancesUpdateInstance({
    path: { instance_id: id },
    body,
    throwOnError: true,
  });
  return data;
}

export function useCreateInstance() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createInstance,
    onSuccess: (instance) => storeInstance(queryClient, instance),
  });
}

export function useUpdateInstance(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: InstanceUpdate) => updateInstance(id, body),
    onSuccess: (instance) => storeInstance(queryClient, instance),
  });
}
