import { queryOptions, useQuery } from '@tanstack/react-query';

import {
  reportsHoursReport,
  reportsJobsReport,
  reportsMessagesReport,
  reportsSendersReport,
  reportsUptimeReport,
} from '@/api/generated/sdk.gen';
import type {
  HoursReport,
  JobsReport,
  MessagesReport,
  SendersReport,
  UptimeReport,
} from '@/api/generated/types.gen';
import { env } from '@/config/env';

import { browserTimeZone, type ReportFilters, reportRange } from '../lib/period';

export type ReportKind = 'messages' | 'uptime' | 'jobs' | 'hours' | 'senders';
export const REPORT_KINDS: readonly ReportKind[] = ['messages', 'uptime', 'jobs', 'hours', 'senders'];
export type CsvSeparator = ',' | ';';
/** How many senders the report lists. */
export const TOP_SENDERS = 10;

export interface ReportParams {
  from: string;
  to: string;
  tz: string;
  server_id?: number;
  instance_id?: number;
}

interface Reports {
  messages: MessagesReport;
  uptime: UptimeReport;
  jobs: JobsReport;
  hours: HoursReport;
  senders: SendersReport;
}

/** The API's query for the filters at `now`; null when the chosen dates are invalid. */
export function toReportParams(
  filters: ReportFilters,
  now: Date = new Date(),
  tz: string = browserTimeZone(),
): ReportParams | null {
  const range = reportRange(filters, now);
  if (!range) return null;
  const params: ReportParams = { ...range, tz };
  if (filters.serverId !== null) params.server_id = filters.serverId;
  if (filters.instanceId !== null) params.instance_id = filters.instanceId;
  return params;
}

async function fetchReport<K extends ReportKind>(
  kind: K,
  query: ReportParams,
  signal: AbortSignal,
): Promise<Reports[K]> {
  const options = { query, signal, throwOnError: true } as const;
  switch (kind) {
    case 'messages':
      return (await reportsMessagesReport(options)).data as Reports[K];
    case 'uptime':
      return (await reportsUptimeReport(options)).data as Reports[K];
    case 'jobs':
      return (await reportsJobsReport(options)).data as Reports[K];
    case 'hours':
      return (await reportsHoursReport(options)).data as Reports[K];
    default:
      return (
        await reportsSendersReport({ ...options, query: { ...query, limit: TOP_SENDERS } })
      ).data as Reports[K];
  }
}

export const reportsKeys = {
  all: ['reports'] as const,
  report: (kind: ReportKind, params: ReportParams) => ['reports', kind, params] as const,
};

export const getReportQueryOptions = <K extends ReportKind>(kind: K, params: ReportParams) =>
  queryOptions({
    queryKey: reportsKeys.report(kind, params),
    queryFn: ({ signal }) => fetchReport(kind, params, signal),
    staleTime: 60_000,
  });

export const useReport = <K extends ReportKind>(kind: K, params: ReportParams | null) =>
  useQuery({
    ...getReportQueryOptions(kind, params ?? { from: '', to: '', tz: 'UTC' }),
    enabled: params !== null,
  });

/** The report's CSV download (a plain link: the session cookie goes with it). */
export function reportCsvHref(kind: ReportKind, params: ReportParams, sep: CsvSeparator): string {
  const query = new URLSearchParams({ from: params.from, to: params.to, tz: params.tz });
  if (params.server_id !== undefined) query.set('server_id', String(params.server_id));
  if (params.instance_id !== undefined) query.set('instance_id', String(params.instance_id));
  if (kind === 'senders') query.set('limit', String(TOP_SENDERS));
  query.set('format', 'csv');
  query.set('sep', sep);
  return `${env.API_BASE_URL}/api/reports/${kind}?${query.toString()}`;
}
