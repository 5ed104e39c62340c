import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';

import {
  EMPTY_JOB_FILTERS,
  type JobFilters,
  readJobFilters,
  readPage,
  writeJobFilters,
} from '../lib/filters';

/** The job list's filters and page, kept in the URL query string. */
export function useJobFilters() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readJobFilters(params), [params]);
  const page = readPage(params);

  const update = useCallback(
    (patch: Partial<JobFilters>) => {
      setParams((current) => writeJobFilters(current, { ...readJobFilters(current), ...patch }), {
        replace: true,
      });
    },
    [setParams],
  );
  const setPage = useCallback(
    (next: number) => {
      setParams((current) => {
        const copy = new URLSearchParams(current);
        if (next > 1) copy.set('page', String(next));
        else copy.delete('page');
        return copy;
      });
    },
    [setParams],
  );
  const clear = useCallback(() => update(EMPTY_JOB_FILTERS), [update]);
  return { filters, page, update, setPage, clear };
}

export type JobFiltersState = ReturnType<typeof useJobFilters>;
