import './jobs.css';

import { useCallback, useMemo } from 'react';
import Button from 'react-bootstrap/Button';

import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';
import { PageHeader } from '@/components/ui/page-header';
import { Pager } from '@/components/ui/pager';

import { useInstanceNames } from '../api/get-instance-names';
import { JOBS_PAGE_SIZE, useJobCounts, useJobs } from '../api/get-jobs';
import { useJobFilters } from '../hooks/use-job-filters';
import { useLiveJobs } from '../hooks/use-live-jobs';
import { useJobsTranslation } from '../i18n';
import { countActiveJobFilters } from '../lib/filters';
import { JobFilters } from './job-filters';
import { JobsList } from './jobs-list';

/** Jobs: status chips with counts, instance and period filters, a live list. */
export function JobsPage() {
  const { t } = useJobsTranslation();
  const state = useJobFilters();
  const { filters, page } = state;
  const jobs = useJobs(filters, page);
  const counts = useJobCounts(filters);
  const instances = useInstanceNames();
  useLiveJobs();

  const names = useMemo(
    () => new Map((instances.data ?? []).map((instance) => [instance.id, instance.name])),
    [instances.data],
  );
  const instanceName = useCallback(
    (id: number | null) =>
      id === null ? '—' : (names.get(id) ?? t('list.instanceFallback', { id })),
    [names, t],
  );

  let body;
  if (jobs.isPending) {
    body = <LoadingState />;
  } else if (jobs.isError) {
    body = <ErrorState error={jobs.error} onRetry={() => void jobs.refetch()} />;
  } else if (jobs.data.items.length === 0) {
    body =
      countActiveJobFilters(filters) > 0 ? (
        <EmptyState
          icon="list-task"
          title={t('empty.filteredTitle')}
          description={t('empty.filteredDescription')}
          action={
            <Button variant="outline-primary" onClick={state.clear}>
              {t('filters.clear')}
            </Button>
          }
        />
      ) : (
        <EmptyState
          icon="list-task"
          title={t('empty.title')}
          description={t('empty.description')}
        />
      );
  } else {
    body = (
      <>
        <JobsList jobs={jobs.data.items} instanceName={instanceName} />
        <Pager
          page={page}
          pageSize={JOBS_PAGE_SIZE}
          total={jobs.data.total}
          onPageChange={state.setPage}
          label={t('list.pagesLabel')}
        />
      </>
    );
  }

  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <JobFilters state={state} counts={counts.data} instances={instances.data ?? []} />
      {body}
    </>
  );
}
