import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { allowListGetAllowedNumbers, allowListSetAllowedNumbers } from '@/api/generated/sdk.gen';

import { instanceKey } from './get-instance';

export const allowedNumbersKey = (id: number) => ['instances', 'allowed-numbers', id] as const;

export async function getAllowedNumbers(id: number, signal?: AbortSignal) {
  const { data } = await allowListGetAllowedNumbers({
    path: { instance_id: id },
    signal,
    throwOnError: true,
  });
  return data;
}

export const getAllowedNumbersQueryOptions = (id: number) =>
  queryOptions({
    queryKey: allowedNumbersKey(id),
    queryFn: ({ signal }) => getAllowedNumbers(id, signal),
  });

export const useAllowedNumbers = (id: number) => useQuery(getAllowedNumbersQueryOptions(id));

export function useSetAllowedNumbers(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (numbers: string[]) => {
      const { data } = await allowListSetAllowedNumbers({
        path: { instance_id: id },
        body: { numbers },
        throwOnError: true,
      });
      return data;
    },
    onSuccess: (data) => {
      queryClient.setQueryData(allowedNumbersKey(id), data);
      void queryClient.invalidateQueries({ queryKey: instanceKey(id) });
    },
  });
}
