import type { QueryClient } from '@tanstack/react-query';

import { loadCharts } from '@/components/charts/load-charts';
import { paths } from '@/config/paths';
import { getMeQueryOptions } from '@/features/auth/api/get-me';
import { getOverviewQueryOptions } from '@/features/dashboard/api/get-overview';

import { loadDashboardRoute } from './router';

// Errors are the queries' own to report (a 401 leads to the login page): nothing to add.
const ignore = () => undefined;

/**
 * Starts at once what the first screen needs, instead of one after the other (the session
 * check after the first render, then the page's code, then the charts' code, then the
 * figures): on a slow phone connection each of those waits is a round trip.
 */
export function warmUp(queryClient: QueryClient, pathname = window.location.pathname) {
  queryClient.query(getMeQueryOptions()).catch(ignore);
  if (pathname !== paths.dashboard.getHref()) return;
  void loadDashboardRoute();
  void loadCharts();
  queryClient.query(getOverviewQueryOptions()).catch(ignore);
}
