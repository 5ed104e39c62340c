import { useSearchParams } from 'react-router';

import type { InstanceStatus } from '@/api/generated/types.gen';
import { isInstanceStatus } from '@/lib/instance-status';

export interface InstanceFilters {
  page: number;
  status: InstanceStatus | null;
  serverId: number | null;
  search: string;
}

function positiveInt(value: string | null): number | null {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** The list's page and filters as the URL has them (?page=2&status=open&server=1&q=loja). */
export function readInstanceFilters(params: URLSearchParams): InstanceFilters {
  const status = params.get('status');
  return {
    page: positiveInt(params.get('page')) ?? 1,
    status: status && isInstanceStatus(status) ? status : null,
    serverId: positiveInt(params.get('server')),
    search: (params.get('q') ?? '').slice(0, 100),
  };
}

/** The list's page and filters, kept in the URL (see readInstanceFilters). */
export function useInstanceFilters() {
  const [params, setParams] = useSearchParams();
  const filters = readInstanceFilters(params);

  const update = (changes: Partial<InstanceFilters>) => {
    const next = { ...filters, ...changes };
    // A new filter starts again at page 1.
    if (!('page' in changes)) next.page = 1;
    const search = new URLSearchParams();
    if (next.search) search.set('q', next.search);
    if (next.status) search.set('status', next.status);
    if (next.serverId) search.set('server', String(next.serverId));
    if (next.page > 1) search.set('page', String(next.page));
    setParams(search, { replace: true });
  };

  const isFiltered = Boolean(filters.status ?? filters.serverId ?? filters.search);
  return { filters, update, isFiltered };
}
