import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';

import { AppProvider, createAppQueryClient } from '@/app/provider';
import { createRoutes } from '@/app/router';

// The app's query client, without retries (a failed request should fail the test now).
function testQueryClient() {
  const queryClient = createAppQueryClient();
  const { queries } = queryClient.getDefaultOptions();
  queryClient.setDefaultOptions({ queries: { ...queries, retry: false } });
  return queryClient;
}

/** Renders the whole app (real routes and providers) at `url`, as a person would see it. */
export function renderApp(url = '/') {
  const queryClient = testQueryClient();
  // The app's routes with their loaders (each page's code and data start at navigation).
  const router = createMemoryRouter(createRoutes(queryClient), { initialEntries: [url] });
  const user = userEvent.setup();
  const result = render(
    <AppProvider queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProvider>,
  );
  return { ...result, router, queryClient, user };
}

/** Renders one component inside the providers, with a router around it. */
export function renderWithProviders(ui: ReactElement, { url = '/' } = {}) {
  const router = createMemoryRouter([{ path: '*', element: ui }], { initialEntries: [url] });
  const queryClient = testQueryClient();
  const user = userEvent.setup();
  const result = render(
    <AppProvider queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProvider>,
  );
  return { ...result, router, queryClient, user };
}
