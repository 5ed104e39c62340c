import type { JobRead } from '@/api/generated/types.gen';

/** The job's progress bar (0–100), named for screen readers, with its current step. */
export function JobProgress({
  job,
  label,
  showStep = true,
}: {
  job: Pick<JobRead, 'progress' | 'progress_message' | 'status'>;
  label: string;
  showStep?: boolean;
}) {
  const value = Math.max(0, Math.min(100, Math.round(job.progress)));
  return (
    <div className="job-progress">
      <div
        className="progress"
        role="progressbar"
        aria-label={label}
        aria-valuenow={value}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuetext={job.progress_message ? `${value}% · ${job.progress_message}` : `${value}%`}
        style={{ height: '0.5rem' }}
      >
        <div
          className={`progress-bar ${job.status === 'running' ? 'progress-bar-striped progress-bar-animated' : ''}`}
          style={{ width: `${value}%` }}
        />
      </div>
      {showStep ? (
        <div className="d-flex justify-content-between small text-body-secondary mt-1">
          <span className="text-truncate">{job.progress_message}</span>
          <span className="ms-2">{value}%</span>
        </div>
      ) : null}
    </div>
  );
}
