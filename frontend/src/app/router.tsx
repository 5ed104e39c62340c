import type { QueryClient } from '@tanstack/react-query';
import { Suspense } from 'react';
import {
  createBrowserRouter,
  type LoaderFunctionArgs,
  type NonIndexRouteObject,
  Outlet,
  type RouteObject,
} from 'react-router';

import { LoadingState } from '@/components/ui/loading-state';
import { translationsReady } from '@/lib/i18n';

import { type PageEntry, pages, startPage } from './pages';
import { AppRoot } from './routes/app/root';
import { RouteError } from './routes/route-error';

/** The dashboard's code: also fetched early by `warmUp` (see ./warm-up.ts). */
export const loadDashboardRoute = pages.dashboard.load;

/**
 * A page: its component, fetched when first needed (one chunk per page), and a loader that
 * starts its code and its data together at navigation, without waiting for either (the
 * page shows its own loading state until the data is there).
 *
 * The component is the router's `lazy` property, not `React.lazy`: the router renders the
 * page once its chunk is there, so nothing suspends. A suspended boundary would show its
 * fallback, and React then holds the page back until 300 ms after that fallback appeared
 * (its Suspense throttling), however early the code and the data arrived.
 */
function page(
  entry: PageEntry,
  queryClient: QueryClient | undefined,
): Pick<NonIndexRouteObject, 'path' | 'lazy' | 'loader' | 'shouldRevalidate'> {
  return {
    path: entry.path === '/' ? undefined : entry.path,
    // The object form: the loader runs at once, beside the chunk's download.
    // The page's strings in a language other than the bundled one come before it renders.
    lazy: {
      Component: async () => {
        const module = await entry.load();
        await translationsReady();
        return module.default;
      },
    },
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

type Router = ReturnType<typeof createRouter>;

/**
 * Resolves once the router has the first page's code (its routes' `lazy` parts). Rendering
 * then shows the page in one synchronous render, instead of a loading state first and the
 * page in a later, interruptible (transition) render; until then index.html's own loading
 * screen is what shows.
 */
export function routerReady(router: Router): Promise<void> {
  return new Promise((resolve) => {
    if (router.state.initialized) {
      resolve();
      return;
    }
    const unsubscribe = router.subscribe((state) => {
      if (!state.initialized) return;
      unsubscribe();
      resolve();
    });
  });
}
