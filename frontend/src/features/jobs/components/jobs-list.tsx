import { memo } from 'react';
import { Link } from 'react-router';

import type { JobRead } from '@/api/generated/types.gen';
import { SvgIcon } from '@/components/ui/svg-icon';
import { paths } from '@/config/paths';
import { formatDateTime, formatRelativeTime } from '@/lib/format';
import { excerpt } from '@/lib/format-br';

import { isActive } from '../api/get-jobs';
import { useJobsTranslation } from '../i18n';
import { icons } from './icons';
import { JobProgress } from './job-progress';
import { JobStatusBadge } from './job-status-badge';

export interface JobsListProps {
  jobs: readonly JobRead[];
  instanceName: (id: number | null) => string;
}

export function JobsList({ jobs, instanceName }: JobsListProps) {
  const { t } = useJobsTranslation();
  return (
    <ul className="list-group job-list" aria-label={t('list.label')}>
      {jobs.map((job) => (
        <JobRow key={job.id} job={job} instance={instanceName(job.instance_id)} />
      ))}
    </ul>
  );
}

const JobRow = memo(function JobRow({ job, instance }: { job: JobRead; instance: string }) {
  const { t, i18n } = useJobsTranslation();
  const summary = job.status === 'failed' ? job.error : job.summary;
  return (
    <li className="list-group-item p-0" data-testid="job-row" data-job-id={job.id}>
      <Link
        to={paths.job.getHref(job.id)}
        className="d-flex gap-3 p-3 text-reset text-decoration-none job-row-link"
        aria-label={t('list.open', { id: job.id })}
      >
        <span className="job-thumb flex-shrink-0">
          {job.thumbnail_url ? (
            <img
              src={job.thumbnail_url}
              alt={t('list.thumbnail', { id: job.id })}
              loading="lazy"
              width={56}
              height={56}
            />
          ) : (
            <SvgIcon svg={icons.image} size="1.5rem" />
          )}
        </span>
        <div className="flex-grow-1 min-w-0">
          <div className="d-flex flex-wrap align-items-center column-gap-2 row-gap-1">
            <span className="fw-semibold">{t('list.job', { id: job.id })}</span>
            <JobStatusBadge status={job.status} />
            <span className="small text-body-secondary text-truncate job-instance">{instance}</span>
            <time
              className="ms-auto small text-body-secondary text-nowrap"
              dateTime={job.created_at}
              title={formatDateTime(job.created_at, i18n.language)}
            >
              {formatRelativeTime(job.created_at, i18n.language)}
            </time>
          </div>
          {isActive(job) ? (
            <div className="mt-2">
              <JobProgress job={job} label={t('list.progress', { id: job.id })} />
            </div>
          ) : (
            <p
              className={`mb-0 mt-1 small job-summary ${
                job.status === 'failed' ? 'text-danger-emphasis' : 'text-body-secondary'
              }`}
            >
              {summary ? excerpt(summary, 180) : t('list.noSummary')}
            </p>
          )}
          {job.attempts > 1 || job.status === 'failed' ? (
            <p className="mb-0 small text-body-secondary">
              {t('list.attempts', { attempts: job.attempts, max: job.max_attempts })}
            </p>
          ) : null}
        </div>
      </Link>
    </li>
  );
});
