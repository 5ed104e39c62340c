import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { I18nextProvider } from 'react-i18next';

import { meQueryKey } from '@/features/auth/api/get-me';
import { markSessionEnded } from '@/features/auth/api/session-ended';
import { i18n } from '@/lib/i18n';
import { createQueryClient } from '@/lib/react-query';

/** Any 401 means the session is gone: forget the user, and <ProtectedRoute> sends the
 * person to /login?next=<where they were> (and back there after logging in), saying why. */
export function createAppQueryClient() {
  const client = createQueryClient(() => {
    // Only a session that existed can end (startup prefetches of a visitor answer 401 too).
    if (client.getQueryData(meQueryKey())) markSessionEnded(client);
    client.setQueryData(meQueryKey(), null);
  });
  return client;
}

export function AppProvider({
  children,
  queryClient: givenClient,
}: {
  children: ReactNode;
  queryClient?: QueryClient;
}) {
  const [queryClient] = useState(() => givenClient ?? createAppQueryClient());
  return (
    <I18nextProvider i18n={i18n}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </I18nextProvider>
  );
}
