import type { QueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { RouterProvider } from 'react-router/dom';

import { AppProvider, createAppQueryClient } from './provider';
import { createRouter } from './router';

type Router = ReturnType<typeof createRouter>;

/**
 * The app. main.tsx creates the router before the first render (its loaders start the
 * page's code and data at once); without one, it is made here with the query client.
 */
export function App({ queryClient, router }: { queryClient?: QueryClient; router?: Router }) {
  const [client] = useState(() => queryClient ?? createAppQueryClient());
  const [appRouter] = useState(() => router ?? createRouter(client));
  return (
    <AppProvider queryClient={client}>
      <RouterProvider router={appRouter} />
    </AppProvider>
  );
}
