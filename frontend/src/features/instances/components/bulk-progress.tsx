import ProgressBar from 'react-bootstrap/ProgressBar';
import Table from 'react-bootstrap/Table';

import type { BulkRun } from '../hooks/use-bulk-runner';
import { useInstancesTranslation } from '../locales';

const RESULT_BADGES = {
  pending: 'text-bg-secondary',
  ok: 'text-bg-success',
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
      <ProgressBar
        now={percent}
        label={`${String(percent)}%`}
        visuallyHidden={percent < 10}
        animated={run.running}
        striped={run.running}
        variant={variant}
        aria-label={t('bulk.progressLabel')}
        aria-valuetext={t('bulk.progress', { done: run.done, total: run.total })}
        className="mb-3"
      />
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
                    {t(`bulk.${item.state}`)}
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
