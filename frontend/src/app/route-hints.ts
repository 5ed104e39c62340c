/**
 * What the server can announce in index.html for each page, so that the browser fetches it
 * while it is still reading the HTML instead of after the app's script has run:
 *
 * - `modules`: the page's route modules; the build (vite.config.ts, `routeHints`) turns
 *   them into their chunks and every chunk they import (`<link rel="modulepreload">`) and
 *   their styles, written to `dist/route-hints.json`;
 * - `data`: the API requests the page makes first when its URL has no query string,
 *   exactly as the app makes them (`<link rel="preload" as="fetch">`, which the app's own
 *   request then reuses). `pages.test.tsx` checks they match what the router starts;
 * - `session`: the requests it makes whatever the query string: the session check, which
 *   every page behind the login waits for before it shows anything (see `warmUp`).
 *
 * No imports: the build reads this file.
 */
export interface RouteHint {
  /** A route path; `:name` segments match one path segment. */
  path: string;
  modules: readonly string[];
  data?: readonly string[];
  session?: readonly string[];
}

const APP = 'src/app/routes/app';
const INSTANCE_NAMES = '/api/instances?include_deleted=true&page_size=200';
const SERVER_OPTIONS = '/api/servers?page=1&page_size=200';
/** The session check (`getMe`), started by `warmUp`. */
export const SESSION_CHECK = '/api/auth/me';

const APP_PAGES: readonly RouteHint[] = [
  { path: '/', modules: [`${APP}/dashboard.tsx`], data: ['/api/stats/overview'] },
  {
    path: '/instances',
    modules: [`${APP}/instances/list.tsx`],
    data: ['/api/instances?page=1&page_size=20', SERVER_OPTIONS],
  },
  { path: '/instances/new', modules: [`${APP}/instances/new.tsx`], data: [SERVER_OPTIONS] },
  { path: '/instances/import', modules: [`${APP}/instances/import.tsx`], data: [SERVER_OPTIONS] },
  { path: '/instances/:instanceId', modules: [`${APP}/instances/detail.tsx`] },
  { path: '/instances/:instanceId/edit', modules: [`${APP}/instances/edit.tsx`] },
  { path: '/servers', modules: [`${APP}/servers.tsx`], data: ['/api/servers?page_size=200'] },
  {
    path: '/messages',
    modules: [`${APP}/messages.tsx`],
    data: ['/api/messages?limit=50', INSTANCE_NAMES],
  },
  { path: '/messages/:messageId', modules: [`${APP}/messages.tsx`, `${APP}/messages-detail.tsx`] },
  {
    path: '/jobs',
    modules: [`${APP}/jobs.tsx`],
    data: ['/api/jobs?page=1&page_size=25', '/api/jobs/counts', INSTANCE_NAMES],
  },
  { path: '/jobs/:jobId', modules: [`${APP}/jobs-detail.tsx`] },
  {
    path: '/invoices',
    modules: [`${APP}/invoices.tsx`],
    data: ['/api/invoices?page=1&page_size=25', INSTANCE_NAMES],
  },
  { path: '/backups', modules: [`${APP}/backups.tsx`] },
  // The reports' requests name today's date in the browser's zone: not known to the server.
  { path: '/reports', modules: [`${APP}/reports.tsx`] },
  { path: '/users', modules: [`${APP}/users.tsx`] },
  { path: '/events', modules: [`${APP}/events.tsx`] },
  { path: '/deliveries', modules: [`${APP}/deliveries.tsx`] },
  { path: '/account', modules: [`${APP}/account.tsx`] },
  { path: '/templates', modules: [`${APP}/templates.tsx`] },
  {
    path: '/alerts',
    modules: [`${APP}/alerts.tsx`],
    data: ['/api/alerts?state=firing&page_size=100', '/api/alerts?page=1&page_size=25'],
  },
];

export const ROUTE_HINTS: readonly RouteHint[] = [
  { path: '/login', modules: ['src/app/routes/auth/login.tsx'] },
  ...APP_PAGES.map((hint) => ({ ...hint, session: [SESSION_CHECK] })),
];
