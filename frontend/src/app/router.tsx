import type { QueryClient } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import {
  createBrowserRouter,
  type LoaderFunctionArgs,
  type NonIndexRouteObject,
  Outlet,
  type RouteObject,
} from 'react-router';

import { LoadingState } from '@/components/ui/loading-state';

import { type PageEntry, pages, startPage } from './pages';
import { AppRoot } from './routes/app/root';
import { RouteError } from './routes/route-error';

/** The dashboard's code: also fetched early by `warmUp` (see ./warm-up.ts). */
export const loadDashboardRoute = pages.dashboard.load;

/**
 * A page: its component, fetched when first needed (one chunk per page), and a loader that
 * starts its code and its data together at navigation, without waiting for either (the
 * page shows its own loading state until the data is there).
 */
function page(
  entry: PageEntry,
  queryClient: QueryClient | undefined,
): Pick<NonIndexRouteObject, 'path' | 'element' | 'loader' | 'shouldRevalidate'> {
  const Component = lazy(entry.load);
  return {
    path: entry.path === '/' ? undefined : entry.path,
    element: <Component />,
    loader: queryClient
      ? ({ request, params }: LoaderFunctionArgs) => {
          startPage(entry, queryClient, new URL(request.url), params);
          return null;
        }
      : undefined,
    // A page changing its own query string (filters, paging) fetches what it needs itself;
    // its navigations then stay as immediate as without a loader.
    shouldRevalidate: ({ currentUrl, nextUrl }) => currentUrl.pathname !== nextUrl.pathname,
  };
}

/** The route tree; with a query client, each page's loader starts its code and data. */
export function createRoutes(queryClient?: QueryClient): RouteObject[] {
  const at = (entry: PageEntry) => page(entry, queryClient);
  return [
    {
      element: (
        <Suspense fallback={<LoadingState fullPage />}>
          <Outlet />
        </Suspense>
      ),
      errorElement: <RouteError />,
      hydrateFallbackElement: <LoadingState fullPage />,
      children: [
        at(pages.login),
        {
          path: pages.dashboard.path,
          element: <AppRoot />,
          errorElement: <RouteError />,
          children: [
            { ...at(pages.dashboard), index: true },
            at(pages.instances),
            at(pages.instanceNew),
            at(pages.instanceImport),
            at(pages.instance),
            at(pages.instanceEdit),
            at(pages.servers),
            { ...at(pages.messages), children: [at(pages.message)] },
            at(pages.jobs),
            at(pages.job),
            at(pages.invoices),
            at(pages.reports),
            at(pages.backups),
            at(pages.users),
            at(pages.events),
            at(pages.deliveries),
            at(pages.account),
            at(pages.alerts),
            at(pages.templates),
            at(pages.notFound),
          ],
        },
      ],
    },
  ];
}

/** The routes without loaders (tests render them in a memory router). */
export const routes: RouteObject[] = createRoutes();

export const createRouter = (queryClient?: QueryClient) =>
  createBrowserRouter(createRoutes(queryClient));
