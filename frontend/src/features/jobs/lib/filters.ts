import type { JobStatus } from '@/api/generated/types.gen';
import { type PeriodValue, readPeriod, writePeriod } from '@/lib/period';

export const JOB_STATUSES: readonly JobStatus[] = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'cancelled',
];

/** The job list's filters and page, as kept in the URL query string. */
export interface JobFilters {
  statuses: JobStatus[];
  instanceId: number | null;
  period: PeriodValue;
}

export const EMPTY_JOB_FILTERS: JobFilters = {
  statuses: [],
  instanceId: null,
  period: { period: '', from: '', to: '' },
};

export function readJobFilters(params: URLSearchParams): JobFilters {
  const instance = Number(params.get('instance'));
  return {
    // In the canonical order, so the same selection is always the same query key.
    statuses: JOB_STATUSES.filter((status) => params.getAll('status').includes(status)),
    instanceId: Number.isInteger(instance) && instance > 0 ? instance : null,
    period: readPeriod(params),
  };
}

export function readPage(params: URLSearchParams): number {
  const page = Number(params.get('page'));
  return Number.isInteger(page) && page > 1 ? page : 1;
}

/** A copy of `params` with the filters written in; a filter change goes back to page 1. */
export function writeJobFilters(params: URLSearchParams, filters: JobFilters): URLSearchParams {
  const next = new URLSearchParams(params);
  next.delete('status');
  for (const status of filters.statuses) next.append('status', status);
  if (filters.instanceId === null) next.delete('instance');
  else next.set('instance', String(filters.instanceId));
  writePeriod(next, filters.period);
  next.delete('page');
  return next;
}

export function countActiveJobFilters(filters: JobFilters): number {
  return [filters.statuses.length > 0, filters.instanceId !== null, filters.period.period].filter(
    Boolean,
  ).length;
}
