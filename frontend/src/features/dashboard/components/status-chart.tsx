import { memo } from 'react';
import { useTranslation } from 'react-i18next';

import { LazyDoughnutChart } from '@/components/charts/lazy-charts';
import { formatNumber } from '@/lib/format';
import { INSTANCE_STATUSES } from '@/lib/instance-status';

import type { Overview } from '../api/get-overview';
import { DASHBOARD_NS } from '../locales';
import { countOf } from '../utils/overview';
import { STATUS_CHART_COLORS } from '../utils/status-colors';
import { ChartCard } from './chart-card';

/** Instances by status as a doughnut, with the same figures in a table for screen readers. */
export const StatusChart = memo(function StatusChart({ overview }: { overview: Overview }) {
  const { t, i18n } = useTranslation([DASHBOARD_NS, 'translation']);
  const rows = INSTANCE_STATUSES.map((status) => ({
    status,
    label: t(`translation:status.${status}`),
    count: countOf(overview.instances_by_status, status),
  }));
  const title = t('charts.status');
  const summary = rows
    .filter((row) => row.count > 0)
    .map((row) => `${row.label} ${formatNumber(row.count, i18n.language)}`)
    .join(', ');

  return (
    <ChartCard title={title} headingId="chart-status-title">
      {overview.instances_total === 0 ? (
        <p className="text-body-secondary chart-empty">{t('charts.statusEmpty')}</p>
      ) : (
        <>
          <LazyDoughnutChart
            label={t('charts.statusLabel', { summary })}
            height={260}
            data={{
              labels: rows.map((row) => row.label),
              datasets: [
                {
                  data: rows.map((row) => row.count),
                  backgroundColor: rows.map((row) => STATUS_CHART_COLORS[row.status]),
                  borderWidth: 0,
                },
              ],
            }}
            options={{
              // Drawn once: no animation frames competing with the page's first render.
              animation: false,
              cutout: '62%',
              plugins: { legend: { position: 'bottom', labels: { boxWidth: 12, padding: 12 } } },
            }}
          />
          {/* Hidden in a div: a table ignores the 1 px width and would widen the page on phones. */}
          <div className="visually-hidden">
            <table>
              <caption>{t('charts.tableCaption', { title })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('charts.statusColumn')}</th>
                  <th scope="col">{t('charts.count')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.status}>
                    <th scope="row">{row.label}</th>
                    <td>{formatNumber(row.count, i18n.language)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </ChartCard>
  );
});
