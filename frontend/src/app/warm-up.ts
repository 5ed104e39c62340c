import type { QueryClient } from '@tanstack/react-query';

import { loadCharts } from '@/components/charts/load-charts';
import { paths } from '@/config/paths';
import { getMeQueryOptions } from '@/features/auth/api/get-me';
import { prepareFormats } from '@/lib/format';
import { storedLanguage } from '@/lib/i18n';

// Errors are the queries' own to report (a 401 leads to the login page): nothing to add.
const ignore = () => undefined;

/**
 * Starts at once what the first screen needs besides the page itself (whose code and data
 * the router's loaders start, see ./pages.ts): the session check, and on the dashboard the
 * charts' code. The session check gates nothing: the page's requests go out beside it.
 * Then, in a task of its own while the page waits for its code and data, the number and
 * date formats every page uses (see prepareFormats).
 */
export function warmUp(queryClient: QueryClient, pathname = window.location.pathname) {
  queryClient.query(getMeQueryOptions()).catch(ignore);
  if (pathname === paths.dashboard.getHref()) void loadCharts();
  setTimeout(() => prepareFormats(storedLanguage()), 0);
}
