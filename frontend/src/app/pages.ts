import type { QueryClient } from '@tanstack/react-query';
import type { ComponentType } from 'react';
import { matchPath, type Params } from 'react-router';

import { preloadCharts } from '@/components/charts/preload-charts';
import { paths } from '@/config/paths';
import {
  EMPTY_FILTERS as EMPTY_ALERT_FILTERS,
  getAlertsQueryOptions,
  getFiringQueryOptions,
} from '@/features/alerts/api/alerts';
import { getOverviewQueryOptions } from '@/features/dashboard/api/get-overview';
import { getInstanceQueryOptions } from '@/features/instances/api/get-instance';
import {
  getInstancesQueryOptions,
  INSTANCES_PAGE_SIZE,
} from '@/features/instances/api/get-instances';
import { getServerOptionsQueryOptions } from '@/features/instances/api/get-servers';
import { getTemplatesQueryOptions } from '@/features/instances/api/templates';
import { readInstanceFilters } from '@/features/instances/hooks/use-instance-filters';
import { getJobQueryOptions, getJobsQueryOptions, getJobCountsQueryOptions } from '@/features/jobs/api/get-jobs';
import { readJobFilters, readPage } from '@/features/jobs/lib/filters';
import { getInvoicesQueryOptions } from '@/features/ledger/api/invoices';
import { readInvoiceFilters, readInvoicePage } from '@/features/ledger/lib/filters';
import { getInstanceNamesQueryOptions } from '@/features/messages/api/get-instance-names';
import { getMessageQueryOptions } from '@/features/messages/api/get-message';
import { getMessagesInfiniteQueryOptions } from '@/features/messages/api/get-messages';
import { readMessageFilters } from '@/features/messages/lib/filters';
import {
  getReportQueryOptions,
  REPORT_KINDS,
  toReportParams,
} from '@/features/reports/api/reports';
import { readReportFilters } from '@/features/reports/lib/period';
import { getServersQueryOptions } from '@/features/servers/api/get-servers';

/**
 * What a page needs, started at navigation (the router's loaders) and when a link to it is
 * hovered or focused: its code and its first data, in parallel, instead of the data
 * waiting for the code and the code waiting for the session check. A 401 from any of them
 * sends the person to the login page (see createAppQueryClient).
 */
export interface PageEntry {
  path: string;
  load: () => Promise<{ default: ComponentType }>;
  data?: (queryClient: QueryClient, url: URL, params: Params) => void;
}

// Errors are the queries' own to report when the page renders: nothing to add here.
const ignore = () => undefined;

const positiveId = (value: string | undefined): number | null => {
  const id = Number(value);
  return Number.isInteger(id) && id > 0 ? id : null;
};

export const pages = {
  login: { path: paths.login.path, load: () => import('./routes/auth/login') },
  dashboard: {
    path: paths.dashboard.path,
    load: () => import('./routes/app/dashboard'),
    data: (queryClient) => {
      void queryClient.query(getOverviewQueryOptions()).catch(ignore);
    },
  },
  instanceNew: {
    path: paths.instanceNew.path,
    load: () => import('./routes/app/instances/new'),
    data: (queryClient) => void queryClient.query(getServerOptionsQueryOptions()).catch(ignore),
  },
  instanceImport: {
    path: paths.instanceImport.path,
    load: () => import('./routes/app/instances/import'),
    data: (queryClient) => void queryClient.query(getServerOptionsQueryOptions()).catch(ignore),
  },
  instances: {
    path: paths.instances.path,
    load: () => import('./routes/app/instances/list'),
    data: (queryClient, url) => {
      const filters = readInstanceFilters(url.searchParams);
      void queryClient.query(
        getInstancesQueryOptions({ ...filters, pageSize: INSTANCES_PAGE_SIZE }),
      ).catch(ignore);
      void queryClient.query(getServerOptionsQueryOptions()).catch(ignore);
    },
  },
  instance: {
    path: paths.instance.path,
    load: () => import('./routes/app/instances/detail'),
    data: (queryClient, _url, params) => {
      const id = positiveId(params.instanceId);
      if (id !== null) void queryClient.query(getInstanceQueryOptions(id)).catch(ignore);
    },
  },
  instanceEdit: {
    path: paths.instanceEdit.path,
    load: () => import('./routes/app/instances/edit'),
    data: (queryClient, _url, params) => {
      const id = positiveId(params.instanceId);
      if (id !== null) void queryClient.query(getInstanceQueryOptions(id)).catch(ignore);
    },
  },
  servers: {
    path: paths.servers.path,
    load: () => import('./routes/app/servers'),
    data: (queryClient) => void queryClient.query(getServersQueryOptions()).catch(ignore),
  },
  messages: {
    path: paths.messages.path,
    load: () => import('./routes/app/messages'),
    data: (queryClient, url) => {
      const filters = readMessageFilters(url.searchParams);
      void queryClient.infiniteQuery(getMessagesInfiniteQueryOptions(filters)).catch(ignore);
      void queryClient.query(getInstanceNamesQueryOptions()).catch(ignore);
    },
  },
  message: {
    path: paths.message.path,
    load: () => import('./routes/app/messages-detail'),
    data: (queryClient, _url, params) => {
      const id = positiveId(params.messageId);
      if (id !== null) void queryClient.query(getMessageQueryOptions(id)).catch(ignore);
    },
  },
  jobs: {
    path: paths.jobs.path,
    load: () => import('./routes/app/jobs'),
    data: (queryClient, url) => {
      const filters = readJobFilters(url.searchParams);
      void queryClient.query(getJobsQueryOptions(filters, readPage(url.searchParams))).catch(ignore);
      void queryClient.query(getJobCountsQueryOptions(filters)).catch(ignore);
      void queryClient.query(getInstanceNamesQueryOptions()).catch(ignore);
    },
  },
  job: {
    path: paths.job.path,
    load: () => import('./routes/app/jobs-detail'),
    data: (queryClient, _url, params) => {
      const id = positiveId(params.jobId);
      if (id !== null) void queryClient.query(getJobQueryOptions(id)).catch(ignore);
    },
  },
  invoices: {
    path: paths.invoices.path,
    load: () => import('./routes/app/invoices'),
    data: (queryClient, url) => {
      const filters = readInvoiceFilters(url.searchParams);
      const page = readInvoicePage(url.searchParams);
      void queryClient.query(getInvoicesQueryOptions(filters, page)).catch(ignore);
      void queryClient.query(getInstanceNamesQueryOptions()).catch(ignore);
    },
  },
  reports: {
    path: paths.reports.path,
    load: () => import('./routes/app/reports'),
    data: (queryClient, url) => {
      preloadCharts();
      const params = toReportParams(readReportFilters(url.searchParams));
      if (params) {
        for (const kind of REPORT_KINDS) {
          void queryClient.query(getReportQueryOptions(kind, params)).catch(ignore);
        }
      }
      void queryClient.query(getServerOptionsQueryOptions()).catch(ignore);
      void queryClient.query(getInstanceNamesQueryOptions()).catch(ignore);
    },
  },
  backups: { path: paths.backups.path, load: () => import('./routes/app/backups') },
  users: { path: paths.users.path, load: () => import('./routes/app/users') },
  events: { path: paths.events.path, load: () => import('./routes/app/events') },
  deliveries: { path: paths.deliveries.path, load: () => import('./routes/app/deliveries') },
  account: { path: paths.account.path, load: () => import('./routes/app/account') },
  alerts: {
    path: paths.alerts.path,
    load: () => import('./routes/app/alerts'),
    data: (queryClient) => {
      void queryClient.query(getFiringQueryOptions()).catch(ignore);
      void queryClient.query(getAlertsQueryOptions(EMPTY_ALERT_FILTERS)).catch(ignore);
    },
  },
  templates: {
    path: paths.templates.path,
    load: () => import('./routes/app/templates'),
    data: (queryClient) => void queryClient.query(getTemplatesQueryOptions()).catch(ignore),
  },
  notFound: { path: '*', load: () => import('./routes/not-found') },
} satisfies Record<string, PageEntry>;

/** Starts a page's code and data (a route loader): never waits, never throws. */
export function startPage(
  page: PageEntry,
  queryClient: QueryClient,
  url: URL,
  params: Params = {},
): void {
  page.load().catch(ignore);
  page.data?.(queryClient, url, params);
}

interface LinkTarget {
  path: string;
  /** What navigating there starts, outer routes first (the message drawer's list). */
  start: readonly PageEntry[];
}

// Most specific first: `/instances/new` is not the instance called "new".
const LINK_TARGETS: readonly LinkTarget[] = [
  ...[
    pages.dashboard,
    pages.instanceNew,
    pages.instanceImport,
    pages.instanceEdit,
    pages.instance,
    pages.instances,
    pages.servers,
  ].map((page) => ({ path: page.path, start: [page] })),
  {
    path: `${paths.messages.path}/${paths.message.path}`,
    start: [pages.messages, pages.message],
  },
  ...[
    pages.messages,
    pages.jobs,
    pages.job,
    pages.invoices,
    pages.reports,
    pages.backups,
    pages.users,
    pages.events,
    pages.deliveries,
    pages.account,
    pages.alerts,
    pages.templates,
  ].map((page) => ({
    path: page.path,
    start: [page],
  })),
];

/**
 * For links (hovered, focused, touched): starts the code and data of the page `href` leads
 * to, as navigating there would, so that the click shows it at once.
 */
export function prefetchHref(queryClient: QueryClient, href: string): void {
  const url = new URL(href, window.location.origin);
  if (url.origin !== window.location.origin) return;
  for (const target of LINK_TARGETS) {
    const match = matchPath({ path: target.path, end: true }, url.pathname);
    if (!match) continue;
    for (const page of target.start) startPage(page, queryClient, url, match.params);
    return;
  }
}

/**
 * Hovering, focusing or touching any same-origin link starts its page's code and data (one
 * listener for the whole document, so every link of every page does it). Returns the
 * function that stops it.
 */
export function prefetchLinks(queryClient: QueryClient, root: Document = document): () => void {
  let last: string | null = null;
  const onIntent = (event: Event) => {
    const target = event.target instanceof Element ? event.target.closest('a[href]') : null;
    const href = target?.getAttribute('href');
    if (!href || href === last || href.startsWith('#')) return;
    last = href;
    prefetchHref(queryClient, href);
  };
  const options = { passive: true, capture: true };
  const events = ['mouseover', 'focusin', 'touchstart'] as const;
  for (const type of events) root.addEventListener(type, onIntent, options);
  return () => {
    for (const type of events) root.removeEventListener(type, onIntent, options);
  };
}
