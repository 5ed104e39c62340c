import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';

import { type ApiError, isApiError } from './api-error';

declare module '@tanstack/react-query' {
  interface Register {
    // Every query and mutation fails with an ApiError (see lib/api-client.ts).
    defaultError: ApiError;
    queryMeta: QueryMeta;
    mutationMeta: QueryMeta;
  }
}

interface QueryMeta extends Record<string, unknown> {
  /** A 401 from this request is an expected answer, not an expired session (login). */
  ignoreUnauthorized?: boolean;
}

/**
 * @param onUnauthorized called when any request answers 401: the session is gone, and the
 *   app sends the person to the login page (and back afterwards).
 */
export function createQueryClient(onUnauthorized: () => void = () => {}): QueryClient {
  const handle = (error: unknown, meta: QueryMeta | undefined) => {
    if (isApiError(error) && error.isUnauthorized && !meta?.ignoreUnauthorized) onUnauthorized();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError: (error, query) => handle(error, query.meta) }),
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => handle(error, mutation.meta),
    }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        // Client errors will not get better by asking again; network and 5xx might.
        retry: (failureCount, error) =>
          !(isApiError(error) && error.status >= 400 && error.status < 500) && failureCount < 2,
      },
      mutations: { retry: false },
    },
  });
}
