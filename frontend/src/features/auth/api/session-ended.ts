import type { QueryClient } from '@tanstack/react-query';

/**
 * Whether the session ended under the person's feet (a 401 from the API, the WebSocket
 * closed with 4401: logged out elsewhere, "log out everywhere", password changed, account
 * deactivated), as opposed to never having logged in. Kept in the query cache, so the
 * login page can say why it is shown; a full page load (an explicit logout) forgets it.
 */
export const sessionEndedKey = ['auth', 'session-ended'] as const;

export function markSessionEnded(queryClient: QueryClient): void {
  queryClient.setQueryData(sessionEndedKey, true);
}

export function isSessionEnded(queryClient: QueryClient): boolean {
  return queryClient.getQueryData<boolean>(sessionEndedKey) === true;
}

export function clearSessionEnded(queryClient: QueryClient): void {
  queryClient.removeQueries({ queryKey: sessionEndedKey, exact: true });
}
