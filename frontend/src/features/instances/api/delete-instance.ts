import { useMutation, useQueryClient } from '@tanstack/react-query';

import { instancesDeleteInstance } from '@/api/generated/sdk.gen';

import { instanceKey } from './get-instance';
import { instancesListKey } from './get-instances';

export interface DeleteInstanceInput {
  id: number;
  keepHistory: boolean;
  force: boolean;
}

export async function deleteInstance({ id, keepHistory, force }: DeleteInstanceInput) {
  await instancesDeleteInstance({
    path: { instance_id: id },
    query: { keep_history: keepHistory, force },
    throwOnError: true,
  });
}

export function useDeleteInstance() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteInstance,
    onSuccess: (_data, { id }) => {
      queryClient.removeQueries({ queryKey: instanceKey(id) });
      void queryClient.invalidateQueries({ queryKey: instancesListKey() });
    },
  });
}
