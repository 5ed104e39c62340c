import { queryOptions, useQuery } from '@tanstack/react-query';

import { authMeQueryKey } from '@/api/generated/@tanstack/react-query.gen';
import { authMe } from '@/api/generated/sdk.gen';
import type { UserRead } from '@/api/generated/types.gen';
import { isApiError } from '@/lib/api-error';

export type User = UserRead;

/** The logged-in user, or null when there is no valid session (401 is an answer here). */
export async function getMe({ signal }: { signal?: AbortSignal } = {}): Promise<User | null> {
  try {
    const { data } = await authMe({ signal, throwOnError: true });
    return data;
  } catch (error) {
    if (isApiError(error) && error.isUnauthorized) return null;
    throw error;
  }
}

export const meQueryKey = () => authMeQueryKey();

export const getMeQueryOptions = () =>
  queryOptions({
    queryKey: meQueryKey(),
    queryFn: ({ signal }) => getMe({ signal }),
    staleTime: 5 * 60_000,
  });

export const useMe = () => useQuery(getMeQueryOptions());
