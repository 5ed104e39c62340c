import Table from 'react-bootstrap/Table';

import type { BulkRun } from '../hooks/use-bulk-runner';
import { useInstancesTranslation } from '../locales';

const RESULT_BADGES = {
  pending: 'text-bg-secondary',
  ok: 'text-bg-success',
  unchanged: 'text-bg-light border',
  error: 'text-bg-danger',
} as const;

/** A bulk action as it runs: a progress bar, then one result (ok or error) per instance. */
export function BulkProgress({ run }: { run: BulkRun }) {
  const { t } = useInstancesTranslation();
  const percent = run.total === 0 ? 100 : Math.round((run.done / run.total) * 100);
  const variant = run.running ? undefined : run.failed > 0 ? 'warning' : 'success';
  return (
    <div>
      <p className="mb-2" aria-live="polite">
        {run.running
          ? `${t('bulk.running')} ${t('bulk.progress', { done: run.done, total: run.total })}`
          : t('bulk.finished', { ok: run.succeeded, failed: run.failed })}
      </p>
      {/* Bootstrap 5.3's markup: the named progressbar role on the outer element. */}
      <div
        className="progress mb-3"
        role="progressbar"
        aria-label={t('bulk.progressLabel')}
        aria-valuenow={percent}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuetext={t('bulk.progress', { done: run.done, total: run.total })}
        style={{ height: '1.25rem' }}
      >
        <div
          className={[
            'progress-bar',
            run.running ? 'progress-bar-striped progress-bar-animated' : '',
            variant ? `bg-${variant}` : '',
            variant === 'warning' ? 'text-dark' : '',
          ]
            .filter(Boolean)
            .join(' ')}
          style={{ width: `${String(percent)}%` }}
        >
          {percent >= 10 ? `${String(percent)}%` : null}
        </div>
      </div>
      <div className="bulk-results">
        <Table size="sm" className="mb-0 align-middle">
          <caption className="caption-top h6 text-body">{t('bulk.results')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('bulk.instance')}</th>
              <th scope="col">{t('bulk.result')}</th>
              <th scope="col">{t('bulk.detail')}</th>
            </tr>
          </thead>
          <tbody>
            {run.items.map((item) => (
              <tr key={item.id} data-state={item.state}>
                <th scope="row" className="fw-normal text-break">
                  {item.name}
                </th>
                <td>
                  <span className={`badge ${RESULT_BADGES[item.state]}`}>
                    {item.state === 'unchanged' ? t('bulk.same') : t(`bulk.${item.state}`)}
                  </span>
                </td>
                <td className="small text-break">{item.message}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      </div>
    </div>
  );
}
