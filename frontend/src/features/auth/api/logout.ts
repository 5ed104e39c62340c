import { useMutation } from '@tanstack/react-query';

import { authLogout } from '@/api/generated/sdk.gen';
import { paths } from '@/config/paths';
import { isApiError } from '@/lib/api-error';

export async function logout(): Promise<void> {
  try {
    await authLogout({ throwOnError: true });
  } catch (error) {
    // Already logged out (expired session) is what we wanted anyway.
    if (!(isApiError(error) && error.isUnauthorized)) throw error;
  }
}

/**
 * Logs out, then loads the login page afresh: a full page load drops every cached query,
 * so nothing the previous user saw stays in memory.
 */
export function useLogout({ redirect = (href: string) => window.location.assign(href) } = {}) {
  return useMutation({
    meta: { ignoreUnauthorized: true },
    mutationFn: logout,
    onSuccess: () => redirect(paths.login.getHref()),
  });
}
