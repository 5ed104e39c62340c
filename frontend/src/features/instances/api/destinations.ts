import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import {
  destinationsCreateDestination,
  destinationsDeleteDestination,
  destinationsListDestinations,
  destinationsTestDestination,
  destinationsUpdateDestination,
} from '@/api/generated/sdk.gen';
import type {
  DestinationCreateWritable,
  DestinationRead,
  DestinationUpdateWritable,
} from '@/api/generated/types.gen';

export type Destination = DestinationRead;
export type DestinationInput = DestinationCreateWritable;
export type DestinationChanges = DestinationUpdateWritable;

export const destinationsKey = (instanceId: number) =>
  ['instances', 'destinations', instanceId] as const;

export async function getDestinations(instanceId: number, signal?: AbortSignal) {
  const { data } = await destinationsListDestinations({
    path: { instance_id: instanceId },
    signal,
    throwOnError: true,
  });
  return data;
}

export const getDestinationsQueryOptions = (instanceId: number) =>
  queryOptions({
    queryKey: destinationsKey(instanceId),
    queryFn: ({ signal }) => getDestinations(instanceId, signal),
  });

export const useDestinations = (instanceId: number) =>
  useQuery(getDestinationsQueryOptions(instanceId));

/** Create (no `id`) or change a destination; the list is fetched again afterwards. */
export function useSaveDestination(instanceId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (
      input: { id: null; body: DestinationInput } | { id: number; body: DestinationChanges },
    ) => {
      if (input.id === null) {
        const { data } = await destinationsCreateDestination({
          path: { instance_id: instanceId },
          body: input.body,
          throwOnError: true,
        });
        return data;
      }
      const { data } = await destinationsUpdateDestination({
        path: { instance_id: instanceId, destination_id: input.id },
        body: input.body,
        throwOnError: true,
      });
      return data;
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: destinationsKey(instanceId) }),
  });
}

export function useDeleteDestination(instanceId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) => {
      await destinationsDeleteDestination({
        path: { instance_id: instanceId, destination_id: id },
        throwOnError: true,
      });
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: destinationsKey(instanceId) }),
  });
}

export function useTestDestination(instanceId: number) {
  return useMutation({
    mutationFn: async (id: number) => {
      const { data } = await destinationsTestDestination({
        path: { instance_id: instanceId, destination_id: id },
        throwOnError: true,
      });
      return data;
    },
  });
}
